#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the test suite (.ci/run) and
# for developers (npm run pg:dev). PostgreSQL refuses to run as root, so as root
# the server runs as the unprivileged `postgres` user of Debian's package.
#
#   scripts/pg-cluster.sh start DIR [PORT] [--fast]   prints the URL of a role that may create databases
#   scripts/pg-cluster.sh stop DIR
#   scripts/pg-cluster.sh halt DIR     stops the server, keeping the cluster (tests of a database outage)
#   scripts/pg-cluster.sh resume DIR   starts a halted cluster again, with the options it had
#
# --fast turns fsync off (tests only: a crash of the machine loses the cluster,
# which is thrown away anyway). Without it the cluster is as durable as a real one,
# which is what benchmarks against SQLite's synchronous=FULL should compare with.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|halt|resume DIR [PORT] [--fast]" >&2; exit 2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || bindir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")
[ -x "$bindir/initdb" ] || { echo "pg-cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:-55432}
    fast=${4:-}
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; chmod 700 "$dir"; fi
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300"
    if [ "$fast" = "--fast" ]; then opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
    echo "$opts" >"$dir/opts"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$opts" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
      -c "CREATE ROLE heron LOGIN PASSWORD 'heron' CREATEDB" \
      -c "CREATE DATABASE heron OWNER heron" >/dev/null
    echo "postgres://heron:heron@127.0.0.1:$port/heron"
    ;;
  halt)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$(cat "$dir/opts")" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop|halt|resume DIR [PORT] [--fast]" >&2
    exit 2
    ;;
esac
