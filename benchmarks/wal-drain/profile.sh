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
# Profiles the walsender while it drains a workload's WAL through one output plugin, with perf.
#
#   benchmarks/wal-drain/profile.sh [--workload oltp|1m] [--plugin wal2arrow] [--opts a=b,c=d]
#                                   [--so OTHER.so] [--out DIR]
#
# Builds wal2arrow with frame pointers and debug info (for the profile only), starts a throwaway
# server (lib-pg.sh), runs the workload after creating a template slot, then drains a copy of it
# with pg_recvlogical while `perf record -g` follows the walsender. Writes perf.data and two
# `perf report` summaries (self time; time with callees) to DIR (default: a temp dir, printed).
# PostgreSQL's own binary has no frame pointers: its static functions show as addresses and some
# of their callers are lost, but time under the plugin's callbacks is attributed in full.
set -euo pipefail
command -v perf >/dev/null || { echo "perf not found" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bench=${BENCH_DIR:-$root/benchmarks/workloads}
source "$root/benchmarks/lib-pg.sh"

workload=oltp plugin=wal2arrow opts="" so="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --workload) workload=$2; shift 2 ;;
    --plugin) plugin=$2; shift 2 ;;
    --opts) opts=$2; shift 2 ;;
    --so) so=$(realpath "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
case "$workload" in
  oltp) file=oltp_200k.sql ;;
  1m) file=cdc_bench_1m.sql ;;
  *) echo "--workload is oltp or 1m" >&2; exit 2 ;;
esac

work=$(mktemp -d /tmp/wal-prof.XXXXXX)
chmod 755 "$work"
out=${out:-$work/out}
mkdir -p "$out"
cleanup() { pg_stop; rm -rf "$work/pg"; }
trap cleanup EXIT

# a separate build tree, so the profile's flags never reach the tree's wal2arrow.so
mkdir -p "$work/src" "$work/lib"
cp "$root"/wal2arrow/*.c "$root"/wal2arrow/*.h "$root"/wal2arrow/Makefile "$work/src/"
make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" COPT='-g -fno-omit-frame-pointer' >/dev/null
make -s -C "$root/benchmarks/noop_decoder" PG_CONFIG="$PG_CONFIG" >/dev/null
cp "$work/src/wal2arrow.so" "$root/benchmarks/noop_decoder/noop_decoder.so" "$work/lib/"
[ -n "$so" ] && cp "$so" "$work/lib/wal2arrow.so"
chmod 755 "$work/lib" && chmod 644 "$work/lib"/*.so

pg_start "$work/pg" "$(free_port)" "$work/lib"
q -d postgres -c "create database wprof" >/dev/null
q -d wprof -f "$bench/cdc_bench_schema.sql" >/dev/null
q -d wprof -Atc "select pg_create_logical_replication_slot('tmpl', 'test_decoding')" >/dev/null
q -d wprof -f "$bench/$file" >/dev/null
endpos=$(q -d wprof -Atc "select pg_current_wal_lsn()")
q -d wprof -Atc "select pg_copy_logical_replication_slot('tmpl', 'prof', false, '$plugin')" >/dev/null

args=()
if [ -n "$opts" ]; then
  IFS=',' read -ra o <<<"$opts"
  for x in "${o[@]}"; do args+=(-o "$x"); done
fi
before=" $(walsenders | tr '\n' ' ')"
( pg_recvlogical -h 127.0.0.1 -p "$PG_PORT" -U postgres -d wprof -S prof --start \
    --endpos="$endpos" --no-loop -f - "${args[@]}" | wc -c > "$out/bytes" ) &
rpid=$!
wpid=$(new_walsender "$before" "$rpid")
[ -n "$wpid" ] || { echo "pg_recvlogical exited before its walsender was found" >&2; exit 1; }
perf record -q -F 4999 -g -p "$wpid" -o "$out/perf.data" 2>/dev/null &
ppid=$!
wait "$rpid"
kill -INT "$ppid" 2>/dev/null || true
wait "$ppid" 2>/dev/null || true
echo "bytes sent: $(cat "$out/bytes"), walsender $wpid"
# (head closes the pipe early: a report cut short is not an error)
{ perf report -i "$out/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -40 > "$out/self.txt"; } || true
{ perf report -i "$out/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -80 > "$out/children.txt"; } || true
echo "== self time, top 40"; cat "$out/self.txt"
echo "== with callees, top 80"; cat "$out/children.txt"
echo "perf data and reports in $out"
