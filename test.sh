#!/usr/bin/env bash
# The test command: installs or checks what it needs (Debian 12), builds the wal2arrow plugin
# with warnings as errors, runs its server-less and pg_regress tests, then every Java unit and
# integration test against real PostgreSQL servers and Flink MiniClusters.
set -euo pipefail
cd "$(dirname "$0")"
source tools/prereqs.sh
ensure_prereqs

echo ">> building wal2arrow against $("$PG_CONFIG" --version)"
make -s -C wal2arrow clean
make -s -C wal2arrow PG_CONFIG="$PG_CONFIG"

# The benchmarks' do-nothing plugin is built too, so it cannot rot unnoticed.
make -s -C benchmarks/noop_decoder PG_CONFIG="$PG_CONFIG"

echo ">> wal2arrow: C unit tests and pg_regress"
PG_CONFIG="$PG_CONFIG" wal2arrow/test/run-regress.sh

echo ">> Maven: unit and integration tests"
mvn -B verify "$@"
