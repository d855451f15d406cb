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
# CPU profile (JFR) of SnapshotBenchmark's child JVMs: runs the benchmark with the given arguments
# and attaches a JFR recording (settings=profile) to every child as it starts, then prints each
# recording's summary (benchmarks/jfr/summarize.py).
#
#   benchmarks/jfr/profile-snapshot.sh [--out DIR] [SnapshotBenchmark arguments...]
#   e.g. benchmarks/jfr/profile-snapshot.sh --contenders pg-arrow-cdc --parallelism 1 --reps 1
#
# The recording starts a moment after the child does (the watcher polls every 100 ms), so it
# covers start-up and the whole snapshot; the JVM writes it when it exits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=""
if [ "${1:-}" = --out ]; then out=$2; shift 2; fi
out=${out:-$(mktemp -d -t snapshot-jfr.XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
"$here/../run-stream.sh" --main SnapshotBenchmark "$@" &
bench=$!
declare -A seen=()
while kill -0 "$bench" 2>/dev/null; do
  for pid in $(pgrep -f 'dev.pgarrowcdc.benchmarks.SnapshotBenchmark --child' || true); do
    [ -n "${seen[$pid]:-}" ] && continue
    seen[$pid]=1
    args=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)
    name=$(sed -E 's/.*--child ([^ ]+).*--parallelism ([0-9]+).*/\1-p\2/' <<<"$args")
    jcmd "$pid" JFR.start name=bench settings=profile dumponexit=true \
      filename="$out/$name-$pid.jfr" >/dev/null 2>&1 || echo "(could not attach to $pid)" >&2
  done
  sleep 0.1
done
wait "$bench"
for f in "$out"/*.jfr; do
  echo
  echo "######## $f"
  python3 "$here/summarize.py" "$f" --top 20 --match dev.pgarrowcdc
done
