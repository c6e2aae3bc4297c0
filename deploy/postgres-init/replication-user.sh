#!/bin/sh
# First start of the compose PostgreSQL: a "replicator" role for a WAL streamer or standby, with
# the password of secrets/replication.password (sent on stdin, never on a command line).
set -eu
password="$(cat /run/secrets/replication_password)"
escaped="$(printf '%s' "$password" | sed "s/'/''/g")"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$escaped';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
