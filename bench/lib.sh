# Shared by the bench scripts: a private PostgreSQL for the reference dataset, in bench/work.
set -euo pipefail
bench_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
project_dir="$(dirname "$bench_dir")"
work="${BENCH_WORK:-$bench_dir/work}"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
pg_data="$work/pg"
pg_port="${BENCH_PG_PORT:-55432}"
pg_password_file="$work/pg-password"
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_start() {
  mkdir -p "$work"; chmod 755 "$work"
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$pg_password_file"
    mkdir -p "$pg_data"; chmod 700 "$pg_data"
    [ "$(id -u)" -eq 0 ] && chown postgres "$pg_data" && cp "$pg_password_file" "$work/pw.tmp" && chown postgres "$work/pw.tmp"
    as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres --pwfile="$work/pw.tmp" -A scram-sha-256 >/dev/null
    rm -f "$work/pw.tmp"
  fi
  if ! as_postgres "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w \
      -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB" start >/dev/null
  fi
  export PGHOST=127.0.0.1 PGPORT="$pg_port" PGUSER=postgres PGPASSWORD="$(cat "$pg_password_file")"
}

# Runs a step and prints its wall time in seconds; a failed step fails the script (a command
# substitution does not inherit set -e).
seconds() { local start end; start=$(date +%s.%N); "$@" || return; end=$(date +%s.%N); echo "$end - $start" | bc; }

# The launcher writes its class archive (CDS) with a warm-up run on its first call after a build,
# which costs ~10 s: do it before anything is measured.
build_class_archive() {
  "$project_dir/backup-manager" --help > /dev/null 2>&1 || true
}

pg_stop() {
  as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
}

# The tool's settings for the reference dataset, backing up into $2 (passwords come from the environment).
write_properties() {
  cat > "$1" <<PROPS
backup.repository.path=$2
backup.database.host=127.0.0.1
backup.database.port=$pg_port
backup.database.name=reference
backup.database.user=postgres
backup.uploads.path=$work/uploads
backup.catalog.url=jdbc:postgresql://127.0.0.1:$pg_port/backup_catalog
backup.catalog.user=postgres
PROPS
  export BACKUP_DATABASE_PASSWORD="$PGPASSWORD" BACKUP_CATALOG_PASSWORD="$PGPASSWORD"
}

# Starts `backup-manager serve` with the settings in $1 plus its REST API on port $2 behind a new
# token, logging to $3; sets service (its pid), api (its base URL) and token. The caller stops it
# (its EXIT trap names ${service:-}, set before this is called).
start_service() {
  local serve_properties="${1%.properties}-serve.properties" token_file="$work/api-$2.token"
  token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  printf '%s\n' "$token" > "$token_file"; chmod 600 "$token_file"
  cp "$1" "$serve_properties"
  printf 'camel.server.port=%s\nbackup.api.token-file=%s\n' "$2" "$token_file" >> "$serve_properties"
  "$project_dir/backup-manager" --config "$serve_properties" serve > "$3" 2>&1 &
  service=$!
  api="http://127.0.0.1:$2/api/v1"
  for _ in $(seq 1 120); do curl -sf -o /dev/null -H "Authorization: Bearer $token" "$api/backup/list" && return 0; sleep 0.5; done
  echo "bench: the service did not answer on port $2" >&2; tail -5 "$3" >&2; return 1
}

# POST $api$1 with the JSON body $2 answers 202 with an operation: waits until the operation stops
# running, and fails unless it ended with status $3. GET /operations/{id}?wait=60 answers as soon as the
# operation ends, so the wait costs one request (a tight poll's curls took CPU from the work measured).
run_operation() {
  local op state
  op=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2" "$api$1" \
    | grep -o 'op_[0-9a-f]*' | head -1)
  [ -n "$op" ] || { echo "bench: the service refused POST $1" >&2; return 1; }
  while state=$(curl -s -H "Authorization: Bearer $token" "$api/operations/$op?wait=60") \
      && [[ $state == *'"status":"running"'* ]]; do
    :
  done
  [[ $state == *"\"status\":\"$3\""* ]] || { echo "bench: POST $1 did not end $3: $state" >&2; return 1; }
}

# A pgBackRest stanza "bench" (process-max=2, compress-type=zst, start-fast) with its repository in $1, and the
# bench server restarted with archive_mode=on pushing to it (pgBackRest needs the cluster's archive_command;
# our streamer does not use it). Defines pgbr (pgbackrest on that stanza) and exports the PG* connection.
pgbackrest_start() {
  local out="$1" conf="$1/pgbackrest.conf"
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
  pgbr_conf="$conf"
  pg_stop
  as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -o "-p $pg_port -k $pg_data \
    -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB -c archive_mode=on \
    -c archive_command='pgbackrest --config=$conf --stanza=bench archive-push %p'" start >/dev/null
  export PGHOST=127.0.0.1 PGPORT="$pg_port" PGUSER=postgres PGPASSWORD="$(cat "$pg_password_file")"
  pgbr stanza-create >/dev/null
}
pgbr() { as_postgres pgbackrest --config="$pgbr_conf" --stanza=bench "$@"; }

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2
  printf (m == int(m)) ? "%d\n" : "%.2f\n", m}'; }

# Starts `backup-manager wal stream` (what serve runs) with the settings in $1 archiving into the repository $2,
# logging to $3, and waits until it streams; sets streamer (its pid). wal_stream_stop stops it and drops its slot.
streamer=""
wal_stream_start() {
  "$project_dir/backup-manager" --config "$1" wal stream > "$3" 2>&1 &
  streamer=$!
  until grep -qs '"state" *: *"streaming"' "$2/.wal-spool/streamer.json"; do
    kill -0 "$streamer" 2>/dev/null || { echo "bench: wal stream stopped" >&2; tail -3 "$3" >&2; return 1; }
    sleep 0.5
  done
}
wal_stream_stop() {
  if [ -n "$streamer" ]; then kill "$streamer" 2>/dev/null; wait "$streamer" 2>/dev/null || true; fi
  streamer=""
  psql -qAtc "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'backup_manager'" \
    postgres >/dev/null 2>&1 || true
}

# `pgbench -c2 -j2` on the reference database for $1 seconds; prints the number of transactions.
load() { pgbench -n -c2 -j2 -T "$1" reference 2>&1 | awk '/^number of transactions actually processed/ {print $NF}'; }
