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
# running, and fails unless it ended with status $3. Polls every 20 ms and judges the last answer
# itself (on a loaded machine each curl costs tens of ms: a short operation's time was mostly polls).
run_operation() {
  local op state
  op=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2" "$api$1" \
    | grep -o 'op_[0-9a-f]*' | head -1)
  [ -n "$op" ] || { echo "bench: the service refused POST $1" >&2; return 1; }
  while state=$(curl -s -H "Authorization: Bearer $token" "$api/operations/$op") \
      && [[ $state == *'"status":"running"'* ]]; do
    sleep 0.02
  done
  [[ $state == *"\"status\":\"$3\""* ]] || { echo "bench: POST $1 did not end $3: $state" >&2; return 1; }
}
