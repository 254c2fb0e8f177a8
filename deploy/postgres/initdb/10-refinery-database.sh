#!/usr/bin/env bash
# The postgres image runs this once, on an empty data directory. POSTGRES_DB (`temporal`) is created by the
# image and Temporal's auto-setup creates `temporal_visibility`; Refinery's store gets its own role and
# database so it can be backed up, restored or moved without touching Temporal's.
# No `set -u`: when the file loses its executable bit the image sources it instead of running it.
set -e

REFINERY_DB_USER="${REFINERY_DB_USER:-refinery}"
REFINERY_DB_PASSWORD="${REFINERY_DB_PASSWORD:-refinery}"
REFINERY_DB_NAME="${REFINERY_DB_NAME:-refinery}"

# psql variables with :'name' quote the values, so no shell value is ever pasted into SQL text.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
  -v db_user="$REFINERY_DB_USER" -v db_password="$REFINERY_DB_PASSWORD" -v db_name="$REFINERY_DB_NAME" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'db_user', :'db_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'db_user') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db_name', :'db_user')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db_name') \gexec
SQL
