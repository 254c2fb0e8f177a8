#!/usr/bin/env bash
# Makes a local PostgreSQL server for development and tests available and prints its URL as the last
# line on stdout (everything else goes to stderr). Idempotent: installs Debian's postgresql package when
# no initdb/pg_ctl is found, initialises a cluster once, starts it when it is not running.
#   bash scripts/postgres.sh         start (or reuse) the server, print postgres://refinery:refinery@127.0.0.1:<port>/refinery
#   bash scripts/postgres.sh stop    stop it (the cluster stays for the next start)
# REFINERY_PG_PORT (default 55432) picks the server; REFINERY_PG_DIR overrides where it lives;
# REFINERY_PG_BIN points at a PostgreSQL bin folder to use instead of searching for one.
#
# The cluster lives in /var/tmp/refinery-pg-<port>, not in the checkout: postgres refuses to run as root,
# so it runs as the `postgres` user, which must be able to traverse every parent folder (checkouts under
# /root or a 0700 home are not), and the port is a machine-wide resource, so several checkouts on one
# machine share one server instead of fighting over the port. /var/tmp survives reboots.
# It is a disposable test server: fsync is off (fast CREATE DATABASE per test); after a machine crash
# delete the folder and run this again.
set -euo pipefail
exec 3>&1 1>&2 # stdout carries only the URL

port=${REFINERY_PG_PORT:-55432}
base=${REFINERY_PG_DIR:-/var/tmp/refinery-pg-$port}
data=$base/data
sockets=$base/run
url="postgres://refinery:refinery@127.0.0.1:$port/refinery"
ready_marker=$base/.refinery-ready

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

[[ $port =~ ^[0-9]+$ ]] || die "REFINERY_PG_PORT=$port is not a port number"
action=${1:-start}
[[ $action == start || $action == stop ]] || die "usage: $0 [start|stop]"

is_root() { [ "$(id -u)" = 0 ]; }
# PostgreSQL will not run as root; as root, run its tools as the postgres user (from / so its cwd is readable).
as_pg() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

# The bin folder: REFINERY_PG_BIN, else the version the cluster was made with, else pg_ctl on PATH,
# else the newest Debian install (Debian keeps initdb/pg_ctl off PATH, in /usr/lib/postgresql/<v>/bin).
find_bindir() {
  local dir
  if [ -n "${REFINERY_PG_BIN:-}" ]; then
    echo "$REFINERY_PG_BIN"
    return
  fi
  if [ -f "$data/PG_VERSION" ]; then
    dir=/usr/lib/postgresql/$(cat "$data/PG_VERSION")/bin
    [ -x "$dir/pg_ctl" ] && echo "$dir" && return
  fi
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && echo "$dir" && return
  done
  return 0
}

install_postgres() {
  command -v apt-get >/dev/null 2>&1 || die "no initdb/pg_ctl found and no apt-get: install PostgreSQL and set REFINERY_PG_BIN"
  local sudo=()
  if ! is_root; then
    sudo -n true 2>/dev/null || die "no initdb/pg_ctl found; install PostgreSQL (apt-get install postgresql) or run as root"
    sudo=(sudo -n)
  fi
  log "installing PostgreSQL with apt (first run on this machine only)"
  # Only the binaries are wanted: stop the package from creating (and starting) its own main cluster.
  "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' | "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/refinery.conf >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
}

# The server outlives this script: it must not inherit our stdout (a caller reading it to EOF would
# wait forever) or the lock, so start it with every descriptor above stderr closed.
start_server() (
  for fd in /proc/"$BASHPID"/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
  done
  as_pg "$bin/pg_ctl" start -D "$data" -l "$base/postgres.log" -w -t 60 >/dev/null
)

running() { [ -f "$data/postmaster.pid" ] && as_pg "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }

# One invocation at a time per server: jest global setup and pretest may start it concurrently.
mkdir -p "$(dirname "$base")"
exec 9>"$base.lock"
flock 9

bin=$(find_bindir)

if [ "$action" = stop ]; then
  if [ -n "$bin" ] && running; then
    as_pg "$bin/pg_ctl" stop -D "$data" -m fast -w >/dev/null
    log "stopped the server on port $port"
  else
    log "no server running on port $port"
  fi
  exit 0
fi

# Fast path: set up before and running.
if [ -n "$bin" ] && [ -f "$ready_marker" ] && running; then
  echo "$url" >&3
  exit 0
fi

if [ -z "$bin" ]; then
  install_postgres
  bin=$(find_bindir)
  [ -n "$bin" ] || die "installed postgresql but found no initdb/pg_ctl in /usr/lib/postgresql/*/bin"
fi
log "using PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') from $bin"

mkdir -p "$base"
if is_root; then
  id postgres >/dev/null 2>&1 || die "no postgres system user: install the postgresql package or run as a non-root user"
  chown postgres: "$base"
fi
chmod 700 "$base"

if [ ! -f "$data/PG_VERSION" ]; then
  rm -rf "$data" "$ready_marker" # a half-made cluster from an interrupted run
  log "initialising a cluster in $data"
  # C collation: text sorts by bytes, as SQLite's default BINARY collation does.
  as_pg "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 \
    --no-sync --no-instructions >/dev/null
  as_pg tee -a "$data/postgresql.conf" >/dev/null <<EOF

# refinery: loopback only, sockets beside the data, durability traded for speed (disposable test server)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockets'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  as_pg tee "$data/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
EOF
fi
as_pg mkdir -p "$sockets"

if ! running; then
  log "starting the server on 127.0.0.1:$port (log: $base/postgres.log)"
  if ! start_server; then
    tail -n 20 "$base/postgres.log" >&2 || true
    die "PostgreSQL did not start on port $port (another server on that port? set REFINERY_PG_PORT)"
  fi
fi

if [ ! -f "$ready_marker" ]; then
  as_pg "$bin/psql" -X -q -h "$sockets" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'EOF'
SELECT 'CREATE ROLE refinery LOGIN CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'refinery')\gexec
ALTER ROLE refinery PASSWORD 'refinery';
SELECT 'CREATE DATABASE refinery OWNER refinery' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'refinery')\gexec
EOF
  touch "$ready_marker"
fi

echo "$url" >&3
