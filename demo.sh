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
# The demo: installs or checks what it needs (Debian 12), builds wal2arrow and the connector,
# then starts an embedded PostgreSQL with wal2arrow, a writer that keeps changing a small shop
# schema, and a Flink SQL job over 'pg-arrow-cdc' printing the live changelog until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
source tools/prereqs.sh
ensure_prereqs

echo ">> building wal2arrow and the connector (the first run downloads Maven dependencies)"
log=$(mktemp /tmp/pg-arrow-cdc-demo-build.XXXXXX.log)
if ! {
  make -s -C wal2arrow PG_CONFIG="$PG_CONFIG" &&
  mvn -q -B -Dstyle.color=never -pl e2e-tests -am install -DskipTests &&
  mvn -q -B -Dstyle.color=never -pl e2e-tests dependency:build-classpath \
    -Dmdep.outputFile="$PWD/e2e-tests/target/classpath.txt"
} >"$log" 2>&1; then
  cat "$log" >&2
  echo "The build failed; its output is above and in $log" >&2
  exit 1
fi
rm -f "$log"

exec java --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED \
  -Dwal2arrow.dir="$PWD/wal2arrow" -Dlog4j.configurationFile="$PWD/e2e-tests/src/main/resources/demo-log4j2.properties" \
  -cp "e2e-tests/target/classes:$(cat e2e-tests/target/classpath.txt)" dev.pgarrowcdc.e2e.demo.Demo
