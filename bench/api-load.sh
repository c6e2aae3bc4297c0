#!/usr/bin/env bash
# Load on the REST API of `backup-manager serve`: 50 concurrent clients (wrk) calling
# GET /api/v1/backup/list over a catalog of 1,000 backups for 30 s, while a backup of the reference
# dataset (database + uploads) runs in the same service (a new one starts as soon as one ends).
# Targets: at least 500 requests/s, p99 latency under 100 ms, no errors.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
"$bench_dir/generate-dataset.sh"
pg_start
out="$work/api-load"; rm -rf "$out"; mkdir -p "$out"
(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive

port="${BENCH_API_PORT:-18080}"
token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
printf '%s\n' "$token" > "$out/api.token"; chmod 600 "$out/api.token"
write_properties "$out/bench.properties" "$out/repository"
cat >> "$out/bench.properties" <<PROPS
backup.catalog.url=jdbc:postgresql://127.0.0.1:$pg_port/backup_catalog_api_load
backup.config.files=$project_dir/application.properties
camel.server.port=$port
backup.api.token-file=$out/api.token
PROPS
manager() { "$project_dir/backup-manager" --config "$out/bench.properties" "$@"; }
psql -q -c "DROP DATABASE IF EXISTS backup_catalog_api_load WITH (FORCE)" postgres

echo "bench: 1,000 backups (one real config backup, cloned under 999 more ids), then catalog rebuild"
manager create --components config > /dev/null
python3 - "$out/repository/backups" <<'PY'
import json, os, shutil, sys, datetime
root = sys.argv[1]
source = sorted(d for d in os.listdir(root) if d.startswith("backup_"))[0]
start = datetime.datetime(2025, 1, 1)
for i in range(999):
    when = start + datetime.timedelta(hours=i)
    backup_id = when.strftime("backup_%Y%m%d_%H%M%S")
    target = os.path.join(root, backup_id)
    shutil.copytree(os.path.join(root, source), target)
    path = os.path.join(target, "manifest.json")
    manifest = json.load(open(path))
    manifest["backup_id"] = backup_id
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest["created_at"] = manifest["completed_at"] = stamp
    manifest["expires_at"] = (when + datetime.timedelta(days=3650)).strftime("%Y-%m-%dT%H:%M:%SZ")
    json.dump(manifest, open(path, "w"), indent=2)
PY
manager catalog rebuild

echo "bench: starting the service on port $port"
# Started directly (not through the shell function) so that $! is the service itself.
"$project_dir/backup-manager" --config "$out/bench.properties" serve > "$out/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; wait $serve_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/backup/list" && break
  sleep 1
done
listed=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/backup/list?limit=1000" \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
echo "bench: the catalog lists $listed backups"

echo "bench: warm-up, 10 s of the same load (the JIT compiles the hot paths), not counted"
wrk -t2 -c50 -d10s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/backup/list" > "$out/warmup.txt"

echo "bench: backups of database + uploads run back to back, and 50 clients call for 30 s"
# A new backup is asked for every second; while one runs the answer is 409, so one always runs.
( while true; do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $token" \
      -H "Content-Type: application/json" -d '{"components": ["database", "uploads"]}' \
      "http://127.0.0.1:$port/api/v1/backup/create" >> "$out/creates.txt"
    sleep 1
  done ) &
creator=$!
sleep 2
wrk -t2 -c50 -d30s --latency -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/backup/list" | tee "$out/wrk.txt"
kill $creator
backups=$(grep -c '^202$' "$out/creates.txt" || true)
backup_status=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/operations" \
  | python3 -c 'import json,sys; ops=[o for o in json.load(sys.stdin) if o["kind"]=="backup" and o["trigger"]=="api"]; print(len([o for o in ops if o["status"]=="completed"]), "completed,", len([o for o in ops if o["status"]=="running"]), "running")')

rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$out/wrk.txt")
errors=$(grep -E "Non-2xx|Socket errors" "$out/wrk.txt" || echo "none")
printf '\n%-48s %s\n' "requests/s (target >= 500)" "$rps" "p99 latency (target < 100ms)" "$p99" \
  "errors" "$errors" "backups started during the load" "$backups" "backups at the end" "$backup_status"
