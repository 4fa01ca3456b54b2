#!/usr/bin/env bash
# `npm run pg:dev`: a throwaway PostgreSQL cluster on loopback for development.
# Prints the URL to use as HERON_DATABASE_URL (or HERON_TEST_DATABASE_URL for
# `npm test`). `npm run pg:dev -- stop` stops it and deletes its data.
#   PG_DEV_DIR (default /tmp/heron-pg-dev), PG_DEV_PORT (default 55432)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PG_DEV_DIR:-/tmp/heron-pg-dev}
port=${PG_DEV_PORT:-55432}

if [ "${1:-start}" = stop ]; then
  scripts/pg-cluster.sh stop "$dir"
  echo "pg:dev: stopped, $dir removed"
  exit 0
fi
if [ -f "$dir/data/postmaster.pid" ]; then
  echo "pg:dev: already running in $dir"
  echo "postgres://heron:heron@127.0.0.1:$port/heron"
  exit 0
fi
url=$(scripts/pg-cluster.sh start "$dir" "$port")
cat <<MSG
pg:dev: PostgreSQL running in $dir (log: $dir/server.log)

  HERON_DATABASE_URL=$url npm start
  HERON_TEST_DATABASE_URL=$url npm test

Stop it (and delete its data) with: npm run pg:dev -- stop
MSG
