#!/usr/bin/env bash
# Physical backup and restore of the reference database (bench/generate-dataset.sh makes it), ours against
# pgBackRest (process-max=2, compress-type=zst, start-fast), both into a local repository:
#   base backup:  backup-manager create --components database with backup.wal.enabled=true (pg_basebackup
#                 -Ft -X fetch through our pipeline)  vs  pgbackrest backup --type=full
#   restore:      backup-manager restore ID --components database --target-dir DIR --target-port P (extract,
#                 recover to the backup's end, start, promote, every table read), timed until a query
#                 answers  vs  pgbackrest restore --type=immediate --target-action=promote, pg_ctl start, and
#                 the first answer of `SELECT count(*) FROM pgbench_accounts` after promotion
#   to time T:    after 10 s of `pgbench -c2 -j2`, T, 3 s more and a WAL switch archived on both sides (ours by
#                 `wal stream`, pgBackRest by archive_command): restore --to-time T  vs  pgbackrest restore
#                 --type=time --target=T, both timed the same way
#   service:      the base backup and the restore to the backup's end also through a warm `serve` (POST
#                 /backup/create, POST /backup/ID/restore with target_dir and target_port, polling the
#                 operation), timed the same way; serve is also what streams the WAL here
# Medians of ROUNDS=3 alternating rounds. pgBackRest needs the cluster's archive_command: the bench server
# is restarted with archive_mode=on pushing to pgBackRest (our base backup does not use it).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
command -v pgbackrest >/dev/null || { echo "bench: install pgbackrest (apt-get install pgbackrest)" >&2; exit 2; }
"$bench_dir/generate-dataset.sh"
out="$work/pitr"; rm -rf "$out"; mkdir -p "$out"; chmod 755 "$out"
pgbackrest_start "$out"
trap 'if [ -n "${service:-}" ]; then kill "$service"; wait "$service" 2>/dev/null || true; fi; wal_stream_stop; pg_stop' EXIT

(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive
write_properties "$out/ours.properties" "$out/repository"
printf 'backup.wal.enabled=true\nbackup.components=database\n' >> "$out/ours.properties"
echo '[]' > "$out/no-schedules.camel.yaml"   # no scheduled job of the service's runs beside the measured ones
echo "backup.schedules.file=$out/no-schedules.camel.yaml" >> "$out/ours.properties"
service=""
start_service "$out/ours.properties" "${BENCH_API_PORT:-18093}" "$out/serve.log"
until grep -qs '"state" *: *"streaming"' "$out/repository/.wal-spool/streamer.json"; do sleep 0.5; done

rounds="${ROUNDS:-3}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
stop_copy() { as_postgres "$pg_bin/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$1"; }
answers() { until psql -p "$1" -d reference -Atc 'SELECT NOT pg_is_in_recovery() AND count(*) > 0 FROM pgbench_accounts' \
  2>/dev/null | grep -q t; do sleep 0.1; done; }

# Restores (ours: restore "$@" --target-dir; pgBackRest: restore "$@", pg_ctl start) timed until a query answers.
our_restore() {
  local copy="$out/ours-copy" port start; stop_copy "$copy"; port=$(free_port); sync
  start=$(date +%s.%N)
  "$project_dir/backup-manager" --config "$out/ours.properties" restore "$@" --components database \
    --target-dir "$copy" --target-port "$port" --yes > "$out/ours-restore.log" 2>&1 \
    || { echo "bench: our restore $* failed" >&2; tail -3 "$out/ours-restore.log" >&2; return 1; }
  answers "$port"
  echo "$(date +%s.%N) - $start" | bc
  stop_copy "$copy"
}
service_restore() { # $1 backup id
  local copy="$out/service-copy" port start; stop_copy "$copy"; port=$(free_port); sync
  start=$(date +%s.%N)
  run_operation "/backup/$1/restore" \
    "{\"components\":[\"database\"],\"target_dir\":\"$copy\",\"target_port\":$port}" completed || return 1
  answers "$port"
  echo "$(date +%s.%N) - $start" | bc
  stop_copy "$copy"
}
pgbr_restore() {
  local copy="$out/pgbr-copy" port start; stop_copy "$copy"; mkdir -p "$copy"; chmod 700 "$copy"
  [ "$(id -u)" -eq 0 ] && chown postgres "$copy"
  port=$(free_port); sync
  start=$(date +%s.%N)
  pgbr --pg1-path="$copy" --target-action=promote "$@" restore
  as_postgres "$pg_bin/pg_ctl" -D "$copy" -l "$out/pgbr-copy.log" -w -o "-p $port -k $copy -c listen_addresses=127.0.0.1 \
    -c archive_mode=off" start > /dev/null
  answers "$port"
  echo "$(date +%s.%N) - $start" | bc
  stop_copy "$copy"
}

our_backups=(); pgbr_backups=(); our_restores=(); pgbr_restores=(); our_pitrs=(); pgbr_pitrs=()
service_backups=(); service_restores=()
for round in $(seq 1 "$rounds"); do
  psql -qc CHECKPOINT postgres; sync
  start=$(date +%s.%N)
  "$project_dir/backup-manager" --config "$out/ours.properties" create --output json > "$out/ours.json" 2> "$out/ours.log" \
    || { echo "bench: our backup failed"; tail -3 "$out/ours.log"; exit 1; }
  our_backups+=("$(echo "$(date +%s.%N) - $start" | bc)")
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backup_id"])' "$out/ours.json")

  psql -qc CHECKPOINT postgres; sync
  pgbr_backups+=("$(seconds pgbr backup --type=full)")

  psql -qc CHECKPOINT postgres; sync
  service_backups+=("$(seconds run_operation /backup/create '{"type":"full","components":["database"]}' completed)")

  # time T: 10 s of pgbench, T, 3 s more (a commit after T), then the segment holding T archived on both sides
  load 10 > /dev/null; target=$(psql -Atc "SELECT clock_timestamp()" postgres); load 3 > /dev/null
  segment=$(psql -Atc "SELECT pg_walfile_name(pg_current_wal_lsn())" postgres)
  psql -qAtc "SELECT pg_switch_wal()" postgres > /dev/null
  until ls "$out/repository/wal/"*/"$segment.json" > /dev/null 2>&1 \
    && [ "$(psql -Atc "SELECT last_archived_wal >= '$segment' FROM pg_stat_archiver" postgres)" = t ]; do sleep 0.2; done

  if [ $((round % 2)) -eq 1 ]; then
    t=$(our_restore "$id"); our_restores+=("$t"); t=$(pgbr_restore --type=immediate); pgbr_restores+=("$t")
    t=$(service_restore "$id"); service_restores+=("$t")
    t=$(our_restore --to-time "$target"); our_pitrs+=("$t"); t=$(pgbr_restore --type=time "--target=$target"); pgbr_pitrs+=("$t")
  else
    t=$(pgbr_restore --type=immediate); pgbr_restores+=("$t"); t=$(service_restore "$id"); service_restores+=("$t")
    t=$(our_restore "$id"); our_restores+=("$t")
    t=$(pgbr_restore --type=time "--target=$target"); pgbr_pitrs+=("$t"); t=$(our_restore --to-time "$target"); our_pitrs+=("$t")
  fi
  echo "bench: round $round: base backup ours ${our_backups[-1]} s (service ${service_backups[-1]} s), pgBackRest ${pgbr_backups[-1]} s;" \
    "restore until a query answers ours ${our_restores[-1]} s (service ${service_restores[-1]} s), pgBackRest ${pgbr_restores[-1]} s;" \
    "to time T ours ${our_pitrs[-1]} s, pgBackRest ${pgbr_pitrs[-1]} s"
done
size() { du -sb "$1" | cut -f1; }
echo "bench: medians of $rounds rounds (database $(psql -Atc "SELECT pg_size_pretty(pg_database_size('reference'))" postgres)):"
echo "  base backup:                      ours $(median "${our_backups[@]}") s (service $(median "${service_backups[@]}") s), pgBackRest $(median "${pgbr_backups[@]}") s"
echo "  restore until a query answers:    ours $(median "${our_restores[@]}") s (service $(median "${service_restores[@]}") s), pgBackRest $(median "${pgbr_restores[@]}") s"
echo "  the same, to a time T:            ours $(median "${our_pitrs[@]}") s, pgBackRest $(median "${pgbr_pitrs[@]}") s"
echo "  repository bytes after $rounds rounds: ours $(size "$out/repository/backups") ($((2 * rounds)) base backups)," \
  "pgBackRest $(size "$out/pgbackrest-repo/backup") ($rounds)"
