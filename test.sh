#!/usr/bin/env bash
# Copyright 2026 the pg-arrow-cdc authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# The test command: installs or checks what it needs (Debian 12), builds the wal2arrow plugin
# with warnings as errors, runs its server-less and pg_regress tests, then every Java unit and
# integration test against real PostgreSQL servers and Flink MiniClusters.
#
#   ./test.sh [maven arguments]                        local PostgreSQL 15 (the default)
#   ./test.sh --postgres container:N [maven arguments] PostgreSQL N (13, 15, 17 or 18) in Docker:
#       builds or reuses its image (tools/pg-image.sh N), runs the plugin's C and pg_regress tests
#       inside it, then the Maven tests with -Dpgarrow.postgres=container:N. Starts a Docker
#       engine when none answers (and stops it at the end).
set -euo pipefail
cd "$(dirname "$0")"

postgres=local
if [ "${1:-}" = "--postgres" ]; then
  postgres="${2:?--postgres needs local or container:13|15|17|18}"
  shift 2
fi
case "$postgres" in
  local) ;;
  container:13 | container:15 | container:17 | container:18) ;;
  *)
    echo "--postgres $postgres: use local, or container:13, container:15, container:17 or container:18" >&2
    exit 2
    ;;
esac

source tools/prereqs.sh
ensure_prereqs

if [ "$postgres" = local ]; then
  echo ">> building wal2arrow against $("$PG_CONFIG" --version)"
  make -s -C wal2arrow clean
  make -s -C wal2arrow PG_CONFIG="$PG_CONFIG"

  # The benchmarks' do-nothing plugin is built too, so it cannot rot unnoticed.
  make -s -C benchmarks/noop_decoder PG_CONFIG="$PG_CONFIG"

  echo ">> wal2arrow: C unit tests and pg_regress"
  PG_CONFIG="$PG_CONFIG" wal2arrow/test/run-regress.sh
else
  source tools/docker.sh
  ensure_docker
  trap stop_started_docker EXIT
  major="${postgres#container:}"
  # Builds (or reuses) the image, compiles the plugin in it with -Werror, runs its tests there.
  tools/regress-in-container.sh "$major"
  export TESTCONTAINERS_RYUK_DISABLED=true
fi

echo ">> Maven: unit and integration tests (PostgreSQL: $postgres)"
mvn -B verify -Dpgarrow.postgres="$postgres" "$@"
