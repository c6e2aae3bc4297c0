#!/usr/bin/env bash
# Drills on the reference dataset (bench/generate-dataset.sh makes it: the database and the uploads):
#   bare tools:  createdb + pg_restore -d from a pg_dump -Fc file, then tar xzf of the uploads
#   drills:      backup-manager disaster-recovery test database_recovery, and full_system_recovery
#                (with backup.components=database,uploads its components are those two): choose and
#                verify the recovery point, restore into a scratch database and folder, validate there,
#                remove everything
# Reports each drill's wall time, its recovery time (rto.achieved_seconds) and its steps, and the
# plan's overhead beyond the bare tools' restore of the same components (medians of ROUNDS=3 rounds).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
"$bench_dir/generate-dataset.sh"
pg_start
out="$work/dr-drill"; rm -rf "$out"; mkdir -p "$out"
(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive
write_properties "$out/dr.properties" "$out/repository"
echo "backup.components=database,uploads" >> "$out/dr.properties"
echo "backup.scratch.path=$out/scratch" >> "$out/dr.properties"
settle() { vacuumdb --all --analyze --quiet; psql -qc CHECKPOINT postgres; sync; sleep 2; }

echo "bench: preparing the bare files and our backup (not timed)"
"$pg_bin/pg_dump" -Fc -f "$out/bare.dump" reference
tar czf "$out/bare-uploads.tar.gz" -C "$work/uploads" .
"$project_dir/backup-manager" --config "$out/dr.properties" create --components database uploads > "$out/backup.log" 2>&1

drill() { # $1 plan; prints the drill's wall time, its RTO and its steps into $out/$1.json
  local start; start=$(date +%s.%N)
  "$project_dir/backup-manager" --config "$out/dr.properties" disaster-recovery test "$1" --output json \
    > "$out/$1.json" 2> "$out/$1.log" || { echo "bench: the drill of $1 failed"; tail -3 "$out/$1.log"; exit 1; }
  echo "$(date +%s.%N) - $start" | bc
}
rto() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rto"]["achieved_seconds"])' "$out/$1.json"; }
steps() { python3 -c 'import json,sys; print(", ".join("%s %.1f s" % (s["name"], s["seconds"]) for s in json.load(open(sys.argv[1]))["steps"]))' "$out/$1.json"; }

rounds="${ROUNDS:-3}"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
bare_dbs=(); bare_tars=(); db_drills=(); full_drills=()
for round in $(seq 1 "$rounds"); do
  dropdb --if-exists bare_restore; rm -rf "$out/bare-uploads"; mkdir -p "$out/bare-uploads"
  settle
  bare_db=$(seconds sh -c "createdb bare_restore && '$pg_bin/pg_restore' -d bare_restore '$out/bare.dump'")
  settle
  bare_tar=$(seconds tar xzf "$out/bare-uploads.tar.gz" -C "$out/bare-uploads")
  dropdb --if-exists bare_restore; rm -rf "$out/bare-uploads"
  settle
  db_drill=$(drill database_recovery)
  settle
  full_drill=$(drill full_system_recovery)
  printf 'bench: round %s: bare pg_restore %.1f s, tar %.1f s; drill database_recovery %.1f s (%s); full_system_recovery %.1f s (%s)\n' \
    "$round" "$bare_db" "$bare_tar" "$db_drill" "$(steps database_recovery)" "$full_drill" "$(steps full_system_recovery)"
  bare_dbs+=("$bare_db"); bare_tars+=("$bare_tar"); db_drills+=("$db_drill"); full_drills+=("$full_drill")
done

bare_db=$(median "${bare_dbs[@]}"); bare_tar=$(median "${bare_tars[@]}")
db_drill=$(median "${db_drills[@]}"); full_drill=$(median "${full_drills[@]}")
bare_full=$(echo "$bare_db + $bare_tar" | bc)
printf '\n%-60s %8s\n' "step (median of $rounds rounds)" "seconds"
printf '%-60s %8.1f\n' "bare: createdb + pg_restore -d (from -Fc)" "$bare_db" "bare: tar xzf uploads" "$bare_tar" \
  "drill database_recovery (wall, JVM start included)" "$db_drill" \
  "drill database_recovery: its RTO (plan start to validated)" "$(rto database_recovery)" \
  "drill full_system_recovery (database + uploads)" "$full_drill" \
  "drill full_system_recovery: its RTO" "$(rto full_system_recovery)" \
  "overhead database_recovery beyond pg_restore" "$(echo "$db_drill - $bare_db" | bc)" \
  "overhead full_system_recovery beyond pg_restore + tar" "$(echo "$full_drill - $bare_full" | bc)"
