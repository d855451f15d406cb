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
# Drains the same pre-filled WAL through several output plugins with pg_recvlogical over TCP
# loopback and prints medians side by side: wall time, walsender CPU, bytes sent, changes/s,
# ratios to pgoutput (binary) and to the do-nothing plugin (the floor).
#
#   benchmarks/wal-drain/run.sh [--workload 1m|oltp|both] [--reps N] [--memory] [--keep]
#                               [--baseline WAL2ARROW_SO]
#
# --baseline adds a "wal2arrow (base)" consumer: another build of the plugin (e.g. from an older
# commit: git worktree add /tmp/b <rev> && make -C /tmp/b/wal2arrow), loaded as w2a_baseline, so
# before/after figures come from the same run.
#
# --memory also decodes one 5M-row transaction through wal2arrow and through the do-nothing
# plugin and reports the walsender's peak private memory (RssAnon) growth for each: once with
# the server's logical_decoding_work_mem (the reorder buffer's own growth shows in the floor),
# once with 64kB, so the reorder buffer spills at once and what remains is the plugin's share.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bench=${BENCH_DIR:-$root/benchmarks/workloads}
source "$root/benchmarks/lib-pg.sh"

workload=both reps=5 memory=0 keep=0 baseline=""
while [ $# -gt 0 ]; do
  case "$1" in
    --workload) workload=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --memory) memory=1; shift ;;
    --keep) keep=1; shift ;;
    --baseline) baseline=$(realpath "$2"); shift 2 ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ -f "$bench/cdc_bench_1m.sql" ] || { echo "workloads not found in $bench (set BENCH_DIR)" >&2; exit 2; }

# name|plugin|pg_recvlogical -o options (comma separated)
CONSUMERS=(
  "noop (floor)|noop_decoder|"
  "wal2arrow|wal2arrow|"
  "wal2arrow lz4|wal2arrow|compression=lz4"
  "wal2arrow zstd|wal2arrow|compression=zstd"
  "pgoutput binary|pgoutput|proto_version=1,publication_names=pub,binary=true"
  "pgoutput text|pgoutput|proto_version=1,publication_names=pub"
  "test_decoding|test_decoding|"
)

work=$(mktemp -d /tmp/wal-drain.XXXXXX)
chmod 755 "$work"
cleanup() { pg_stop; [ "$keep" = 1 ] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

build_plugins "$work/lib"
if [ -n "$baseline" ]; then
  cp "$baseline" "$work/lib/w2a_baseline.so" && chmod 644 "$work/lib/w2a_baseline.so"
  CONSUMERS+=("wal2arrow (base)|w2a_baseline|")
  EXTRA_PLUGINS=w2a_baseline
fi
pg_start "$work/pg" "$(free_port)" "$work/lib"
CLK_TCK=$(getconf CLK_TCK)
echo "server: $(q -d postgres -Atc 'select version()' | cut -d' ' -f1-2), port $PG_PORT, $(nproc) cores"

# sample_walsender PID OUT: polls /proc until the process ends; writes "cpu_seconds rss_anon_peak_kb rss_anon_first_kb".
sample_walsender() {
  local pid=$1 out=$2 stat f utime=0 stime=0 anon first=-1 peak=0
  while { read -r stat < "/proc/$pid/stat"; } 2>/dev/null; do
    f=(${stat##*) })
    utime=${f[11]} stime=${f[12]}
    anon=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    anon=${anon:-0}
    [ "$first" -lt 0 ] && first=$anon
    [ "$anon" -gt "$peak" ] && peak=$anon
    sleep 0.01
  done
  echo "$(awk -v u="$utime" -v s="$stime" -v t="$CLK_TCK" 'BEGIN{printf "%.3f", (u+s)/t}') $peak $first" > "$out"
}

# drain DB TEMPLATE_SLOT ENDPOS CONSUMER TAG: prints "wall cpu anon_peak anon_first bytes recv_cpu"
drain() {
  local db=$1 tmpl=$2 endpos=$3 consumer=$4 tag=$5 name plugin opts slot args=() o
  IFS='|' read -r name plugin opts <<<"$consumer"
  slot="d_${tag}"
  q -d "$db" -Atc "select pg_copy_logical_replication_slot('$tmpl', '$slot', false, '$plugin')" >/dev/null
  if [ -n "$opts" ]; then
    IFS=',' read -ra o <<<"$opts"
    for x in "${o[@]}"; do args+=(-o "$x"); done
  fi
  local t0 t1 rpid wpid="" before
  rm -f "$work/rtime"
  before=" $(walsenders | tr '\n' ' ')"
  t0=$(date +%s.%N)
  ( PGOPTIONS="${DRAIN_PGOPTIONS:-}" /usr/bin/time -f "%U %S" -o "$work/rtime" \
      pg_recvlogical -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" -S "$slot" --start \
      --endpos="$endpos" --no-loop -f - "${args[@]}" | wc -c > "$work/bytes" ) &
  rpid=$!
  # found as soon as it forks, so the first memory sample precedes decoding
  wpid=$(new_walsender "$before" "$rpid")
  [ -n "$wpid" ] && sample_walsender "$wpid" "$work/sample" &
  local spid=$!
  wait "$rpid"
  t1=$(date +%s.%N)
  wait "$spid" 2>/dev/null || true
  q -d "$db" -Atc "select pg_drop_replication_slot('$slot')" >/dev/null
  local rcpu
  rcpu=$(awk '{printf "%.3f", $1 + $2}' "$work/rtime" 2>/dev/null || echo 0)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') $(cat "$work/sample" 2>/dev/null || echo '0 0 0') $(cat "$work/bytes") ${rcpu:-0}"
}

median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

run_workload() {
  local label=$1 file=$2 changes=$3 db=$4
  q -d postgres -c "create database $db" >/dev/null
  q -d "$db" -f "$bench/cdc_bench_schema.sql" >/dev/null
  q -d "$db" -Atc "select pg_create_logical_replication_slot('tmpl', 'test_decoding')" >/dev/null
  local lsn0 endpos t0 t1
  lsn0=$(q -d "$db" -Atc "select pg_current_wal_lsn()")
  t0=$(date +%s)
  q -d "$db" -f "$bench/$file" >/dev/null
  t1=$(date +%s)
  endpos=$(q -d "$db" -Atc "select pg_current_wal_lsn()")
  local walmb
  walmb=$(q -d "$db" -Atc "select round(pg_wal_lsn_diff('$endpos', '$lsn0') / 1048576.0)")
  echo
  echo "== $label: $changes changes, ${walmb} MB of WAL (workload ran in $((t1 - t0)) s), $reps repetitions, medians"
  declare -A wall cpu rcpu bytes
  local r c i=0
  for ((r = 1; r <= reps; r++)); do
    i=0
    for c in "${CONSUMERS[@]}"; do
      read -r w u _ _ b rc < <(drain "$db" tmpl "$endpos" "$c" "${db}_${r}_$i")
      wall[$i]+="$w "; cpu[$i]+="$u "; rcpu[$i]+="$rc "; bytes[$i]=$b
      i=$((i + 1))
    done
  done
  local floor ref
  floor=$(tr ' ' '\n' <<<"${wall[0]}" | grep . | median)
  ref=$(tr ' ' '\n' <<<"${wall[4]}" | grep . | median)
  printf '%-18s %9s %9s %9s %12s %12s %10s %10s\n' consumer "wall s" "wsnd cpu" "recv cpu" "MB sent" "changes/s" "vs pgout" "vs floor"
  i=0
  for c in "${CONSUMERS[@]}"; do
    local mw mu mr
    mw=$(tr ' ' '\n' <<<"${wall[$i]}" | grep . | median)
    mu=$(tr ' ' '\n' <<<"${cpu[$i]}" | grep . | median)
    mr=$(tr ' ' '\n' <<<"${rcpu[$i]}" | grep . | median)
    awk -v n="${c%%|*}" -v w="$mw" -v u="$mu" -v rc="$mr" -v b="${bytes[$i]}" -v ch="$changes" -v f="$floor" -v r="$ref" \
      'BEGIN{printf "%-18s %9.3f %9.3f %9.3f %12.1f %12.0f %9.2fx %9.2fx\n", n, w, u, rc, b/1048576, ch/w, r/w, w/f}'
    i=$((i + 1))
  done
  echo "(wsnd cpu: the walsender's user+system CPU; recv cpu: pg_recvlogical's. vs pgout: pgoutput binary's wall time / this one's — higher is faster; vs floor: this one's wall time / the do-nothing plugin's)"
  echo "(per-rep wall times, in consumer order:)"
  i=0
  for c in "${CONSUMERS[@]}"; do
    printf '  %-18s %s\n' "${c%%|*}" "${wall[$i]}"
    i=$((i + 1))
  done
  q -d "$db" -Atc "select pg_drop_replication_slot('tmpl')" >/dev/null
  q -d postgres -c "drop database $db" >/dev/null
}

case "$workload" in
  1m) run_workload "cdc_bench_1m (1,000 txns x 1,000 rows)" cdc_bench_1m.sql 1000000 w1m ;;
  oltp) run_workload "oltp_200k (200,000 single-row txns)" oltp_200k.sql 200000 woltp ;;
  both)
    run_workload "cdc_bench_1m (1,000 txns x 1,000 rows)" cdc_bench_1m.sql 1000000 w1m
    run_workload "oltp_200k (200,000 single-row txns)" oltp_200k.sql 200000 woltp ;;
  *) echo "--workload is 1m, oltp or both" >&2; exit 2 ;;
esac

if [ "$memory" = 1 ]; then
  db=wmem
  q -d postgres -c "create database $db" >/dev/null
  q -d "$db" -f "$bench/cdc_bench_schema.sql" >/dev/null
  q -d "$db" -Atc "select pg_create_logical_replication_slot('tmpl', 'test_decoding')" >/dev/null
  q -d "$db" -c "insert into cdc_bench select g, g, md5(g::text) || 'abcdefgh', g * 1.25, now(), g % 2 = 0, g * 0.5, 'name_' || g, current_date, jsonb_build_object('k', g) from generate_series(1, 5000000) g" >/dev/null
  endpos=$(q -d "$db" -Atc "select pg_current_wal_lsn()")
  echo
  echo "== one 5,000,000-row transaction: walsender private memory (RssAnon)"
  printf '%-18s %-28s %9s %14s %14s\n' consumer logical_decoding_work_mem "wall s" "RssAnon start" "RssAnon peak"
  for wm in "" 64kB; do
    mem_consumers=("${CONSUMERS[0]}" "${CONSUMERS[1]}")
    [ -n "$baseline" ] && mem_consumers+=("${CONSUMERS[-1]}")
    for c in "${mem_consumers[@]}"; do
      read -r w u peak first _ < <(DRAIN_PGOPTIONS="${wm:+-c logical_decoding_work_mem=$wm}" \
        drain "$db" tmpl "$endpos" "$c" "mem_$RANDOM")
      awk -v n="${c%%|*}" -v m="${wm:-$(q -d "$db" -Atc 'show logical_decoding_work_mem') (server)}" \
        -v w="$w" -v p="$peak" -v f="$first" \
        'BEGIN{printf "%-18s %-28s %9.3f %11.1f MB %11.1f MB   growth %.1f MB\n", n, m, w, f/1024, p/1024, (p-f)/1024}'
    done
  done
  echo "(the plugin's own share: wal2arrow's growth minus the floor's, clearest at 64kB)"
fi
