#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on loopback for the test suite and
# prints the DATABASE_URL to use. Debian's packages (postgresql) must be installed.
# Usage: scripts/postgres-test-server.sh start|stop [DIR] [PORT]
# PG_OPTIONS adds server settings ("-c shared_buffers=2GB"), for the benchmarks.
set -euo pipefail
action=${1:-start}
dir=${2:-/tmp/labatlas-pg}
port=${3:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
run_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres "$dir"
      run_as_postgres "$bin/initdb" -D "$dir" -U labatlas --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    # Already running (a benchmark run reusing its data): leave it be.
    if ! run_as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      run_as_postgres "$bin/pg_ctl" -D "$dir" -w -l "$dir/server.log" \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 ${PG_OPTIONS:-}" start >/dev/null
    fi
    run_as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U labatlas labatlas 2>/dev/null || true
    echo "postgres://labatlas@127.0.0.1:$port/labatlas?sslmode=disable"
    ;;
  stop)
    run_as_postgres "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null || true
    ;;
esac
