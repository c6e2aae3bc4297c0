#!/usr/bin/env bash
# First run on a fresh Debian/Ubuntu machine: install what is missing, build, then back up a
# local demo platform (started in ./demo-stack) into ./backups and list it.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
./scripts/install-deps.sh
mvn -q -B -ntp -DskipTests package
./backup-manager demo
