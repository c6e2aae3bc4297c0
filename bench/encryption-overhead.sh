#!/usr/bin/env bash
# What encryption at rest costs a backup on the reference dataset:
#   backup-manager create --components database uploads, without and then with a key file.
# Target: encryption adds at most 10% to the backup's wall time.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
"$bench_dir/generate-dataset.sh"
pg_start
out="$work/encryption"; rm -rf "$out"; mkdir -p "$out"
(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive
write_properties "$work/plain.properties" "$out/plain"
write_properties "$work/encrypted.properties" "$out/encrypted"
"$project_dir/backup-manager" key generate "$out/bench.key" > /dev/null
echo "backup.encryption.key-file=$out/bench.key" >> "$work/encrypted.properties"

run() {  # $1 = settings file; prints seconds
  psql -qc CHECKPOINT postgres; sync; sleep 2
  local start; start=$(date +%s.%N)
  "$project_dir/backup-manager" --config "$1" create --components database uploads > "$out/last.txt" 2> "$out/last.log" \
    || { echo "bench: backup failed" >&2; cat "$out/last.txt" "$out/last.log" >&2; exit 1; }
  echo "$(date +%s.%N) - $start" | bc
}
plain1=$(run "$work/plain.properties"); encrypted1=$(run "$work/encrypted.properties")
plain2=$(run "$work/plain.properties"); encrypted2=$(run "$work/encrypted.properties")
plain=$(echo "($plain1 + $plain2) / 2" | bc -l); encrypted=$(echo "($encrypted1 + $encrypted2) / 2" | bc -l)
printf '\n%-40s %8.1f %8.1f\n' "without encryption (2 runs), s" "$plain1" "$plain2" "with encryption (2 runs), s" "$encrypted1" "$encrypted2"
printf '%-40s %8s\n' "overhead (target <= 10%)" "$(echo "scale=1; ($encrypted - $plain) * 100 / $plain" | bc)%"
