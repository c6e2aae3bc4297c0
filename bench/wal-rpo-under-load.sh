#!/usr/bin/env bash
# Continuous protection under write load on the reference database (bench/generate-dataset.sh makes it), with
# `backup-manager wal stream` (what `serve` runs) streaming into a local repository:
#   incremental: ours = create --type full, then `pgbench -c2 -j2 -T 15`, then create --type incremental;
#                stored = the incremental's own files plus the archived WAL segments of its range (wal_from ..
#                wal_to, what its restore needs)  vs  pgbackrest backup --type=full / --type=incr around the
#                same pgbench run; stored = the incr's repository delta plus the WAL archived during it.
#                Rounds alternate the order of the two tools and run with wal_compression off and zstd.
#   RPO:         `pgbench -c2 -j2 -T RPO_SECONDS` (default 60) beside a heartbeat transaction every 0.2 s
#                (its commit time and the WAL insert position right after its commit); every 0.5 s the newest
#                archived segment's record in the repository is sampled. The age of the newest recoverable
#                commit at a sample = the sample's time minus the commit time of the newest heartbeat whose
#                commit lies in an archived segment (before the first one is archived: minus the first
#                heartbeat's). Reported: p50, p99 and max over the run.
# ROUNDS (default 2) rounds per wal_compression setting; medians.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
command -v pgbackrest >/dev/null || { echo "bench: install pgbackrest (apt-get install pgbackrest)" >&2; exit 2; }
"$bench_dir/generate-dataset.sh"
out="$work/wal-load"; rm -rf "$out"; mkdir -p "$out"; chmod 755 "$out"
stop_all() {
  wal_stream_stop
  psql -qc "ALTER SYSTEM RESET wal_compression" -c "SELECT pg_reload_conf()" postgres >/dev/null 2>&1 || true
  pg_stop
}
pgbackrest_start "$out"
trap stop_all EXIT

(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive
repo="$out/repository"
write_properties "$out/ours.properties" "$repo"
printf 'backup.wal.enabled=true\nbackup.components=database\n' >> "$out/ours.properties"
[ -n "${WAL_SETTINGS:-}" ] && printf '%s\n' "$WAL_SETTINGS" >> "$out/ours.properties"
ours() { "$project_dir/backup-manager" --config "$out/ours.properties" "$@"; }
wal_stream_start "$out/ours.properties" "$repo" "$out/stream.log"

# The archived segments of one timeline from $2 to $3 (names, inclusive) under $1: their bytes.
segment_bytes() {
  find "$1" -type f | awk -F/ -v from="$2" -v to="$3" '{n = substr($NF, 1, 24)} n >= from && n <= to' \
    | xargs -r du -cb | tail -1 | cut -f1
}
our_backup() {
  ours create --type "$1" --output json > "$out/ours.json" 2> "$out/ours.log" \
    || { echo "bench: our $1 backup failed"; tail -3 "$out/ours.log"; exit 1; }
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backup_id"])' "$out/ours.json"
}
# Stored bytes of our backup $1: its folder, plus for an incremental the archived WAL of its range.
our_stored() {
  local folder="$repo/backups/$1" range
  range=$(python3 - "$folder/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for c in m["components"].values() if isinstance(m["components"], dict) else m["components"]:
    facts = c.get("facts", {})
    if "wal_to" in facts:
        print(facts["wal_from"], facts["wal_to"])
PY
)
  echo $(( $(du -sb "$folder" | cut -f1) + $( [ -n "$range" ] && segment_bytes "$repo/wal" $range || echo 0) ))
}
# Stored bytes of pgBackRest's newest backup: its repository delta, plus for an incr the WAL archived during it.
pgbr_stored() {
  pgbr info --output=json | python3 -c '
import json, sys
b = json.load(sys.stdin)[0]["backup"][-1]
print(b["info"]["repository"]["delta"], b["archive"]["start"], b["archive"]["stop"], b["type"])' | {
    read -r delta start stop type
    [ "$type" = incr ] && echo $(( delta + $(segment_bytes "$out/pgbackrest-repo/archive" "$start" "$stop") )) || echo "$delta"
  }
}

rounds="${ROUNDS:-2}"
declare -A full_ours full_pgbr incr_ours incr_pgbr transactions
for round in $(seq 1 "$rounds"); do
  for compression in off zstd; do
    psql -qc "ALTER SYSTEM SET wal_compression = $compression" -c "SELECT pg_reload_conf()" postgres >/dev/null
    tools=(ours pgbr); [ $((round % 2)) -eq 0 ] && tools=(pgbr ours)
    for tool in "${tools[@]}"; do
      psql -qc CHECKPOINT postgres
      if [ "$tool" = ours ]; then full_ours[$compression]+=" $(our_stored "$(our_backup full)")"
      else pgbr backup --type=full; full_pgbr[$compression]+=" $(pgbr_stored)"; fi
    done
    transactions[$compression]+=" $(load 15)"
    for tool in "${tools[@]}"; do
      if [ "$tool" = ours ]; then incr_ours[$compression]+=" $(our_stored "$(our_backup incremental)")"
      else pgbr backup --type=incr; incr_pgbr[$compression]+=" $(pgbr_stored)"; fi
    done
    echo "bench: round $round, wal_compression=$compression: full ours ${full_ours[$compression]##* } B," \
      "pgBackRest ${full_pgbr[$compression]##* } B; incremental after ${transactions[$compression]##* } pgbench" \
      "transactions: ours ${incr_ours[$compression]##* } B, pgBackRest ${incr_pgbr[$compression]##* } B"
  done
done
psql -qc "ALTER SYSTEM RESET wal_compression" -c "SELECT pg_reload_conf()" postgres >/dev/null

# RPO: heartbeats and samples into files, the ages computed afterwards.
rpo_seconds="${RPO_SECONDS:-60}"
psql -qc "CREATE TABLE IF NOT EXISTS rpo_heartbeat (at timestamptz)" reference
segment=$(psql -Atc "SELECT pg_walfile_name(pg_current_wal_lsn())" postgres)
psql -qAtc "SELECT pg_switch_wal()" postgres >/dev/null
until ls "$repo/wal/"*/"$segment".json >/dev/null 2>&1; do sleep 0.2; done
end=$(( $(date +%s) + rpo_seconds ))
while [ "$(date +%s)" -lt "$end" ]; do
  echo "INSERT INTO rpo_heartbeat VALUES (clock_timestamp());"
  echo "SELECT extract(epoch FROM max(at)), pg_current_wal_insert_lsn() FROM rpo_heartbeat;"
  sleep 0.2
done | psql -qAt -F ' ' reference > "$out/heartbeats.txt" &
beats=$!
(while [ "$(date +%s)" -lt "$end" ]; do
  echo "$(date +%s.%N) $(find "$repo/wal" -name '????????????????????????.json' -printf '%f\n' | sort | tail -1)"
  sleep 0.5
done) > "$out/samples.txt" &
samples=$!
rpo_transactions=$(load "$rpo_seconds")
wait "$beats" "$samples"
rpo=$(python3 - "$out/heartbeats.txt" "$out/samples.txt" <<'PY'
import sys
def lsn(text):
    high, low = text.split('/')
    return (int(high, 16) << 32) + int(low, 16)
segment_size = 16 * 1024 * 1024
beats = [(float(t), lsn(l)) for t, l in (line.split() for line in open(sys.argv[1]) if line.strip())]
ages = []
for line in open(sys.argv[2]):
    parts = line.split()
    if len(parts) < 2:
        continue
    t, name = float(parts[0]), parts[1][:24]
    archived_end = (int(name[8:16], 16) << 32) + int(name[16:24], 16) * segment_size + segment_size
    recoverable = [b for b, l in beats if l <= archived_end and b <= t]
    ages.append(t - (max(recoverable) if recoverable else beats[0][0]))
ages.sort()
pick = lambda q: ages[min(len(ages) - 1, int(q * len(ages)))]
print(f"p50 {pick(0.5):.1f} s, p99 {pick(0.99):.1f} s, max {ages[-1]:.1f} s over {len(ages)} samples")
PY
)
echo "bench: medians of $rounds rounds (database $(psql -Atc "SELECT pg_size_pretty(pg_database_size('reference'))" postgres)):"
for compression in off zstd; do
  fo=$(median ${full_ours[$compression]}); fp=$(median ${full_pgbr[$compression]})
  io=$(median ${incr_ours[$compression]}); ip=$(median ${incr_pgbr[$compression]})
  echo "  wal_compression=$compression: full ours $fo B, pgBackRest $fp B; incremental after 15 s of pgbench" \
    "($(median ${transactions[$compression]}) transactions): ours $io B ($(echo "scale=1; 100 * $io / $fo" | bc)%)," \
    "pgBackRest $ip B ($(echo "scale=1; 100 * $ip / $fp" | bc)%)"
done
echo "  RPO under pgbench -c2 -j2 for $rpo_seconds s ($rpo_transactions transactions): age of the newest archived commit $rpo"
