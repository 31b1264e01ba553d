#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test run: loopback only, a temp data folder,
# stopped by PID. `start` prints the DATABASE_URL; `stop DIR` stops it and removes DIR.
#
# `start --also-listen ADDRESS/PREFIX` also listens on ADDRESS (one the caller created, such as
# the test cluster's bridge address) and lets clients of that network in with a password only
# (pods of the test cluster); it then also prints NETWORK_DATABASE_URL with that password.
set -euo pipefail

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] || { echo "PostgreSQL server binaries not found (install the Debian package postgresql)" >&2; exit 1; }
  echo "$found"
}

# PostgreSQL refuses to run as root; as root we run it as the postgres system user.
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin dir port also_listen="" network="" listen=127.0.0.1
  if [ "${1:-}" = "--also-listen" ]; then
    also_listen="${2%/*}"
    network="$2"
    [[ "$network" == */* && -n "$also_listen" ]] || { echo "--also-listen needs ADDRESS/PREFIX" >&2; exit 2; }
    listen="127.0.0.1,$also_listen"
  fi
  bin=$(pg_bin)
  dir=$(mktemp -d /tmp/privatejet-pg-XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  run_pg "$bin/initdb" -D "$dir/data" -U privatejet --auth=trust -E UTF8 > "$dir/initdb.log" 2>&1
  local password=""
  if [ -n "$network" ]; then
    password=$(node -e "console.log(require('crypto').randomBytes(18).toString('base64url'))")
    # Loopback stays trusted as before; the other network needs the password.
    echo "host all all $network scram-sha-256" >> "$dir/data/pg_hba.conf"
  fi
  run_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=$listen -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start > /dev/null
  echo "DIR=$dir"
  echo "DATABASE_URL=postgres://privatejet@127.0.0.1:$port/postgres"
  if [ -n "$network" ]; then
    run_pg psql -q -h "$dir" -p "$port" -U privatejet -d postgres -c "alter role privatejet password '$password'" > /dev/null
    echo "NETWORK_DATABASE_URL=postgres://privatejet:$password@$also_listen:$port/postgres"
  fi
}

stop() {
  local dir="$1" pid
  if [ -f "$dir/data/postmaster.pid" ]; then
    pid=$(head -n 1 "$dir/data/postmaster.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start [--also-listen ADDRESS/PREFIX] | stop DIR" >&2; exit 2 ;;
esac
