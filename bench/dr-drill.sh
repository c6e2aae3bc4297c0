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

drill() { # $1 plan, $2 the build's folder (ours by default); prints the drill's start and end (epoch), its run into $out/$1.json
  local home="${2:-$project_dir}" start; start=$(date +%s.%N)
  "$home/backup-manager" --config "$out/dr.properties" disaster-recovery test "$1" --output json \
    > "$out/$1.json" 2> "$out/$1.log" || { echo "bench: the drill of $1 failed" >&2; tail -3 "$out/$1.log" >&2; exit 1; }
  echo "$start $(date +%s.%N)"
}
# From the command's start and end and its run: wall time, before the plan (JVM and Camel start), plan time
# (started_at to completed_at: its steps, to validated), after it (sandbox removed, run recorded, exit), the
# restore step, and the steps.
run_facts() { python3 - "$out/$1.json" "$2" "$3" <<'PY'
import json, sys
from datetime import datetime, timezone
run = json.load(open(sys.argv[1]))
start, end = float(sys.argv[2]), float(sys.argv[3])
at = lambda t: datetime.fromisoformat(t.replace("Z", "")[:26]).replace(tzinfo=timezone.utc).timestamp()
began, validated = at(run["started_at"]), at(run["completed_at"])
restore = sum(s["seconds"] for s in run["steps"] if s["name"] == "restore")
print("%.2f %.2f %.2f %.2f %.2f %s" % (end - start, began - start, validated - began, end - validated, restore,
      ",".join("%s=%.1f" % (s["name"], s["seconds"]) for s in run["steps"])))
PY
}

rounds="${ROUNDS:-3}"
# ANCHOR: another build's folder (say a checkout of main, built); its drill of database_recovery runs in
# every round beside ours, so a change is measured side by side on the same machine at the same time.
anchor="${ANCHOR:-}"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
declare -A series
record() { series[$1]="${series[$1]:-} $2"; }
drill_round() { # $1 plan, $2 series name, $3 build folder: records wall, before, plan, after and restore
  local facts
  settle
  facts=$(run_facts "$1" $(drill "$1" "${3:-}"))
  set -- "$2" $facts
  record "$1.wall" "$2"; record "$1.before" "$3"; record "$1.plan" "$4"; record "$1.after" "$5"; record "$1.restore" "$6"
  printf 'bench: %s: wall %.1f s = before the plan %.1f + plan %.1f (%s) + after %.1f\n' "$1" "$2" "$3" "$4" "$7" "$5"
}
for round in $(seq 1 "$rounds"); do
  dropdb --if-exists bare_restore; rm -rf "$out/bare-uploads"; mkdir -p "$out/bare-uploads"
  settle
  bare_db=$(seconds sh -c "createdb bare_restore && '$pg_bin/pg_restore' -d bare_restore '$out/bare.dump'")
  # A drill removes its copy too: the bare floor of that is dropdb.
  bare_drop=$(seconds dropdb bare_restore)
  settle
  bare_tar=$(seconds tar xzf "$out/bare-uploads.tar.gz" -C "$out/bare-uploads")
  rm -rf "$out/bare-uploads"
  record bare_db "$bare_db"; record bare_drop "$bare_drop"; record bare_tar "$bare_tar"
  printf 'bench: round %s: bare pg_restore %.1f s, dropdb %.1f s, tar %.1f s\n' "$round" "$bare_db" "$bare_drop" "$bare_tar"
  [ -z "$anchor" ] || drill_round database_recovery anchor_database_recovery "$anchor"
  drill_round database_recovery database_recovery
  drill_round full_system_recovery full_system_recovery
done

m() { median ${series[$1]}; }
bare_db=$(m bare_db); bare_drop=$(m bare_drop); bare_tar=$(m bare_tar); bare_full=$(echo "$bare_db + $bare_tar" | bc)
line() { printf '%-72s %8.1f\n' "$@"; }
printf '\n%-72s %8s\n' "median of $rounds rounds" "seconds"
line "bare: createdb + pg_restore -d (from -Fc)" "$bare_db" "bare: dropdb of the restored copy" "$bare_drop" \
  "bare: tar xzf uploads" "$bare_tar"
report() { # $1 series, $2 the bare tools' restore time for the same components
  local wall plan restore
  wall=$(m "$1.wall"); plan=$(m "$1.plan"); restore=$(m "$1.restore")
  line "drill $1: wall" "$wall" \
    "  before the plan (JVM and Camel start, request checked)" "$(m "$1.before")" \
    "  plan time (start to validated: its RTO)" "$plan" \
    "    of which its restore step" "$restore" \
    "  after the plan (sandbox removed, run recorded, exit)" "$(m "$1.after")"
  printf '%-72s %7.1f%%\n' "  overhead: plan steps other than restore / plan time" \
    "$(echo "100 * ($plan - $restore) / $plan" | bc -l)" \
    "  overhead: (wall - bare restore) / wall" "$(echo "100 * ($wall - $2) / $wall" | bc -l)"
}
[ -z "$anchor" ] || report anchor_database_recovery "$bare_db"
report database_recovery "$bare_db"
report full_system_recovery "$bare_full"
