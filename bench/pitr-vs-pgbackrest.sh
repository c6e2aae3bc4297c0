#!/usr/bin/env bash
# Physical backup and restore of the reference database (bench/generate-dataset.sh makes it), ours against
# pgBackRest (process-max=2, compress-type=zst, start-fast), both into a local repository:
#   base backup:  backup-manager create --components database with backup.wal.enabled=true (pg_basebackup
#                 -Ft -X fetch through our pipeline)  vs  pgbackrest backup --type=full
#   restore:      backup-manager restore ID --components database --target-dir DIR --target-port P (extract,
#                 recover to the backup's end, start, promote, every table read), timed until a query
#                 answers  vs  pgbackrest restore --type=immediate --target-action=promote, pg_ctl start, and
#                 the first answer of `SELECT count(*) FROM pgbench_accounts` after promotion
# Medians of ROUNDS=3 alternating rounds. pgBackRest needs the cluster's archive_command: the bench server
# is restarted with archive_mode=on pushing to pgBackRest (our base backup does not use it).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
command -v pgbackrest >/dev/null || { echo "bench: install pgbackrest (apt-get install pgbackrest)" >&2; exit 2; }
"$bench_dir/generate-dataset.sh"
out="$work/pitr"; rm -rf "$out"; mkdir -p "$out"; chmod 755 "$out"
conf="$out/pgbackrest.conf"
cat > "$conf" <<CONF
[global]
repo1-path=$out/pgbackrest-repo
repo1-retention-full=100
process-max=2
compress-type=zst
start-fast=y
log-path=$out
log-level-console=warn
[bench]
pg1-path=$pg_data
pg1-port=$pg_port
pg1-socket-path=$pg_data
CONF
chmod 644 "$conf"
mkdir -p "$out/pgbackrest-repo"; [ "$(id -u)" -eq 0 ] && chown postgres "$out/pgbackrest-repo" "$out"
pgbr() { as_postgres pgbackrest --config="$conf" --stanza=bench "$@"; }

pg_stop
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -o "-p $pg_port -k $pg_data \
  -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB -c archive_mode=on \
  -c archive_command='pgbackrest --config=$conf --stanza=bench archive-push %p'" start >/dev/null
trap 'pg_stop' EXIT
export PGHOST=127.0.0.1 PGPORT="$pg_port" PGUSER=postgres PGPASSWORD="$(cat "$pg_password_file")"
pgbr stanza-create >/dev/null

(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive
write_properties "$out/ours.properties" "$out/repository"
printf 'backup.wal.enabled=true\nbackup.components=database\n' >> "$out/ours.properties"

rounds="${ROUNDS:-3}"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
stop_copy() { as_postgres "$pg_bin/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$1"; }
answers() { until psql -p "$1" -d reference -Atc 'SELECT NOT pg_is_in_recovery() AND count(*) > 0 FROM pgbench_accounts' \
  2>/dev/null | grep -q t; do sleep 0.1; done; }

our_backups=(); pgbr_backups=(); our_restores=(); pgbr_restores=()
for round in $(seq 1 "$rounds"); do
  psql -qc CHECKPOINT postgres; sync
  start=$(date +%s.%N)
  "$project_dir/backup-manager" --config "$out/ours.properties" create --output json > "$out/ours.json" 2> "$out/ours.log" \
    || { echo "bench: our backup failed"; tail -3 "$out/ours.log"; exit 1; }
  our_backups+=("$(echo "$(date +%s.%N) - $start" | bc)")
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backup_id"])' "$out/ours.json")

  psql -qc CHECKPOINT postgres; sync
  pgbr_backups+=("$(seconds pgbr backup --type=full)")

  copy="$out/ours-copy"; stop_copy "$copy"; port=$(free_port); sync
  start=$(date +%s.%N)
  "$project_dir/backup-manager" --config "$out/ours.properties" restore "$id" --components database \
    --target-dir "$copy" --target-port "$port" --yes > "$out/ours-restore.log" 2>&1 \
    || { echo "bench: our restore failed"; tail -3 "$out/ours-restore.log"; exit 1; }
  answers "$port"
  our_restores+=("$(echo "$(date +%s.%N) - $start" | bc)")
  stop_copy "$copy"

  copy="$out/pgbr-copy"; stop_copy "$copy"; mkdir -p "$copy"; chmod 700 "$copy"
  [ "$(id -u)" -eq 0 ] && chown postgres "$copy"
  port=$(free_port); sync
  start=$(date +%s.%N)
  pgbr --pg1-path="$copy" --type=immediate --target-action=promote restore
  as_postgres "$pg_bin/pg_ctl" -D "$copy" -l "$out/pgbr-copy.log" -w -o "-p $port -k $copy -c listen_addresses=127.0.0.1 \
    -c archive_mode=off" start >/dev/null
  answers "$port"
  pgbr_restores+=("$(echo "$(date +%s.%N) - $start" | bc)")
  stop_copy "$copy"
  echo "bench: round $round: base backup ours ${our_backups[-1]} s, pgBackRest ${pgbr_backups[-1]} s;" \
    "restore until a query answers ours ${our_restores[-1]} s, pgBackRest ${pgbr_restores[-1]} s"
done
size() { du -sb "$1" | cut -f1; }
echo "bench: medians of $rounds rounds (database $(psql -Atc "SELECT pg_size_pretty(pg_database_size('reference'))" postgres)):"
echo "  base backup:                      ours $(median "${our_backups[@]}") s, pgBackRest $(median "${pgbr_backups[@]}") s"
echo "  restore until a query answers:    ours $(median "${our_restores[@]}") s, pgBackRest $(median "${pgbr_restores[@]}") s"
echo "  repository bytes after $rounds rounds: ours $(size "$out/repository/backups"), pgBackRest $(size "$out/pgbackrest-repo/backup")"
