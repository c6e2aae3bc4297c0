#!/usr/bin/env bash
# Backup speed and memory on the reference dataset (bench/generate-dataset.sh makes it):
#   bare tools:  pg_dump -Fc, then tar czf of the uploads (one after the other)
#   ours:        backup-manager create --type full --components database uploads
# Targets: our wall time <= 0.5 x the bare tools'; our peak RSS <= 300 MB.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
"$bench_dir/generate-dataset.sh"
pg_start
out="$work/out"; rm -rf "$out"; mkdir -p "$out"
# Build before timing (the launcher would otherwise build inside the measurement).
(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive

write_properties "$work/bench.properties" "$out/repository"

echo "bench: warming the page cache"; cat "$work"/uploads/*/* > /dev/null
bare_db=$(seconds "$pg_bin/pg_dump" -Fc -f "$out/bare.dump" reference)
bare_tar=$(seconds tar czf "$out/bare-uploads.tar.gz" -C "$work/uploads" .)
bare=$(echo "$bare_db + $bare_tar" | bc)

/usr/bin/time -v -o "$out/ours.time" "$project_dir/backup-manager" --config "$work/bench.properties" \
  create --type full --components database uploads > "$out/ours.txt" 2> "$out/ours.log"
ours=$(grep "Elapsed (wall clock)" "$out/ours.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss_kb=$(grep "Maximum resident set size" "$out/ours.time" | awk '{print $NF}')
grep -q "Status      completed" "$out/ours.txt" || { echo "bench: our backup did not complete:"; cat "$out/ours.txt" "$out/ours.log"; exit 1; }

ratio=$(echo "scale=2; $ours / $bare" | bc)
printf '\n%-44s %8s\n' "step" "seconds"
printf '%-44s %8.1f\n' "bare: pg_dump -Fc" "$bare_db" "bare: tar czf uploads" "$bare_tar" "bare total" "$bare" \
  "ours: create --components database uploads" "$ours"
printf '%-44s %8s\n' "ratio ours / bare (target <= 0.50)" "$ratio"
printf '%-44s %8s\n' "our peak RSS, MB (target <= 300)" "$((rss_kb / 1024))"
printf '%-44s %8s\n' "sizes: bare dump + tgz, MB" "$(( ($(stat -c %s "$out/bare.dump") + $(stat -c %s "$out/bare-uploads.tar.gz")) / 1048576 ))"
printf '%-44s %8s\n' "sizes: ours, MB" "$(( $(du -sb "$out/repository/backups" | cut -f1) / 1048576 ))"
