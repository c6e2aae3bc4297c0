#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build, test and demo backup-manager.
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail
home="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

missing=()
command -v java >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v tar >/dev/null || missing+=(tar)
command -v zstd >/dev/null || missing+=(zstd)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v npm >/dev/null || missing+=(nodejs npm)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v pg_dump >/dev/null || missing+=(postgresql-client)
# Checkers of the monitoring and deployment files (tests): promtool, and the compose client
command -v promtool >/dev/null || missing+=(prometheus)
command -v docker-compose >/dev/null || missing+=(docker-compose)

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The distribution's own PostgreSQL and Redis services are not needed (tests start private ones).
# ChromaDB server, pinned: newer bindings need glibc 2.38.
if [ ! -x "$home/tools/chroma/node_modules/.bin/chroma" ]; then
  echo "install-deps: installing the ChromaDB server (npm, pinned in tools/chroma/package.json)"
  (cd "$home/tools/chroma" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
# s3rver, pinned: the second S3 server implementation the repository tests run against.
if [ ! -x "$home/tools/s3rver/node_modules/.bin/s3rver" ]; then
  echo "install-deps: installing s3rver (npm, pinned in tools/s3rver/package.json)"
  (cd "$home/tools/s3rver" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "install-deps: all present"
