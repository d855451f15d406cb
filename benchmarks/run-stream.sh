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
# Flink-side stream benchmark: pg-arrow-cdc against Flink CDC's postgres-cdc, same Flink, same
# JVM flags, same pre-filled WAL, one run. Arguments go to StreamBenchmark, e.g.
#   benchmarks/run-stream.sh --workload oltp --reps 3 --contenders pg-arrow-cdc,postgres-cdc
# and, for commit-to-emit latency at a steady rate,
#   benchmarks/run-stream.sh --main LatencyBenchmark --rate 20000 --seconds 20
set -euo pipefail
main=StreamBenchmark
if [ "${1:-}" = --main ]; then main=$2; shift 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source tools/prereqs.sh
ensure_prereqs
build_dir=${PGARROW_BUILD_DIR:-target}
make -s -C wal2arrow PG_CONFIG="$PG_CONFIG"
# One reactor, no install: the class path names the sibling modules' jars under their build
# directories (the local Maven repository is shared and is not written). Every module of the
# reactor writes its class path to the same file; benchmarks comes last, so its own is what stays.
mvn -q -B ${MVN_OFFLINE:+-o} -Dpgarrow.build.dir="$build_dir" -pl benchmarks -am package \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -DskipTests \
  -Dmdep.outputFile="$root/benchmarks/$build_dir/classpath.txt"
if [ "$main" = SnapshotBenchmark ]; then
  # Flink CDC's snapshot runs on the pgjdbc its connector declares (SnapshotBenchmark#classPathFor
  # checks that this is still the one): fetch it into the local repository.
  [ -f "$HOME/.m2/repository/org/postgresql/postgresql/42.7.3/postgresql-42.7.3.jar" ] ||
    mvn -q -B dependency:get -Dartifact=org.postgresql:postgresql:42.7.3 >/dev/null
fi
cp="benchmarks/$build_dir/classes:$(cat "benchmarks/$build_dir/classpath.txt")"
# The same flags for every contender: Arrow needs java.nio opened on Java 17.
exec java -Xmx4g --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
  -Dwal2arrow.dir="$root/wal2arrow" -Dlog4j.configurationFile="$root/benchmarks/log4j2.properties" \
  -cp "$cp" dev.pgarrowcdc.benchmarks.$main --bench-dir "${BENCH_DIR:-$root/benchmarks/workloads}" "$@"
