#!/usr/bin/env bash
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
