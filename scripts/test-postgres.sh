#!/usr/bin/env bash
# `npm run test:postgres`: the whole test suite on PostgreSQL. Uses
# HERON_TEST_DATABASE_URL when set (a role that may create databases: every
# test gets a fresh one); otherwise starts a throwaway cluster on loopback for
# the run and stops it afterwards, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${HERON_TEST_DATABASE_URL:-}" ]; then
  dir=$(mktemp -d /tmp/heron-pg-test.XXXXXX)
  port=${HERON_TEST_PG_PORT:-55433}
  trap 'scripts/pg-cluster.sh stop "$dir"' EXIT
  HERON_TEST_DATABASE_URL=$(scripts/pg-cluster.sh start "$dir" "$port" --fast)
  export HERON_TEST_DATABASE_URL
  echo "test:postgres: throwaway cluster at $HERON_TEST_DATABASE_URL"
fi
npm test
