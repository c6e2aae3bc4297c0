#!/usr/bin/env bash
# Drills on the reference dataset (bench/generate-dataset.sh makes it: the database and the uploads):
#   bare tools:  createdb + pg_restore -d from a pg_dump -Fc file, then tar xzf of the uploads
#   drills:      backup-manager disaster-recovery test database_recovery, and full_system_recovery
#                (with backup.components=database,uploads its components are those two): choose and
#                verify the recovery point, restore into a scratch database and folder, validate there,
#                remove everything
# Reports each drill's wall time, its plan time (started_at to completed_at, the RTO) and its steps, and the
# plan's overhead two ways: its steps other than restore as a share of its plan time, and its wall time
# beyond the bare tools' restore of the same components as a share of the wall time (medians of ROUNDS=3 rounds).
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

drill() { # $1 plan, $2 the build's folder (ours by default); prints the drill's wall time, its run into $out/$1.json
  local home="${2:-$project_dir}" start; start=$(date +%s.%N)
  "$home/backup-manager" --config "$out/dr.properties" disaster-recovery test "$1" --output json \
    > "$out/$1.json" 2> "$out/$1.log" || { echo "bench: the drill of $1 failed" >&2; tail -3 "$out/$1.log" >&2; exit 1; }
  echo "$(date +%s.%N) - $start" | bc
}
# The run's plan time (started_at to completed_at: its steps, to validated), its restore step, and its steps.
run_facts() { python3 - "$out/$1.json" <<'PY'
import json, sys
from datetime import datetime
run = json.load(open(sys.argv[1]))
at = lambda t: datetime.fromisoformat(t.replace("Z", "")[:26])
plan = (at(run["completed_at"]) - at(run["started_at"])).total_seconds()
restore = sum(s["seconds"] for s in run["steps"] if s["name"] == "restore")
print("%.2f %.2f %s" % (plan, restore, ",".join("%s=%.1f" % (s["name"], s["seconds"]) for s in run["steps"])))
PY
}

rounds="${ROUNDS:-3}"
# ANCHOR: another build's folder (say a checkout of main, built); its drill of database_recovery runs in
# every round beside ours, so a change is measured side by side on the same machine at the same time.
anchor="${ANCHOR:-}"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
declare -A series
record() { series[$1]="${series[$1]:-} $2"; }
drill_round() { # $1 plan, $2 series name, $3 build folder: records wall, plan time and restore step
  local wall facts
  settle
  wall=$(drill "$1" "${3:-}")
  facts=$(run_facts "$1")
  set -- "$1" "$2" "$wall" $facts
  record "$2.wall" "$3"; record "$2.plan" "$4"; record "$2.restore" "$5"
  printf 'bench: %s: wall %.1f s, plan %.1f s (%s)\n' "$2" "$3" "$4" "$6"
}
for round in $(seq 1 "$rounds"); do
  dropdb --if-exists bare_restore; rm -rf "$out/bare-uploads"; mkdir -p "$out/bare-uploads"
  settle
  record bare_db "$(seconds sh -c "createdb bare_restore && '$pg_bin/pg_restore' -d bare_restore '$out/bare.dump'")"
  settle
  record bare_tar "$(seconds tar xzf "$out/bare-uploads.tar.gz" -C "$out/bare-uploads")"
  dropdb --if-exists bare_restore; rm -rf "$out/bare-uploads"
  echo "bench: round $round: bare pg_restore $(echo ${series[bare_db]} | awk '{print $NF}') s, tar $(echo ${series[bare_tar]} | awk '{print $NF}') s"
  [ -z "$anchor" ] || drill_round database_recovery anchor_database_recovery "$anchor"
  drill_round database_recovery database_recovery
  drill_round full_system_recovery full_system_recovery
done

m() { median ${series[$1]}; }
bare_db=$(m bare_db); bare_tar=$(m bare_tar); bare_full=$(echo "$bare_db + $bare_tar" | bc)
printf '\n%-68s %8s\n' "median of $rounds rounds" "seconds"
printf '%-68s %8.1f\n' "bare: createdb + pg_restore -d (from -Fc)" "$bare_db" "bare: tar xzf uploads" "$bare_tar"
report() { # $1 series, $2 the bare tools' time for the same components
  local wall plan restore
  wall=$(m "$1.wall"); plan=$(m "$1.plan"); restore=$(m "$1.restore")
  printf '%-68s %8.1f\n' "drill $1: wall (JVM start and sandbox removal included)" "$wall" \
    "drill $1: plan time (start to validated: its RTO)" "$plan" \
    "drill $1: its restore step" "$restore"
  printf '%-68s %7.1f%%\n' "overhead $1: plan steps other than restore / plan time" \
    "$(echo "100 * ($plan - $restore) / $plan" | bc -l)" \
    "overhead $1: (wall - bare tools) / wall" "$(echo "100 * ($wall - $2) / $wall" | bc -l)"
}
[ -z "$anchor" ] || report anchor_database_recovery "$bare_db"
report database_recovery "$bare_db"
report full_system_recovery "$bare_full"
