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

# Sourced by the benchmark scripts: a throwaway PostgreSQL server for measuring, set up like the
# test fixture (wal_level=logical, wal2arrow allowed, private plugin copies), as the postgres OS
# user when run as root. Callers set PG_CONFIG and call pg_start, then pg_stop (also on EXIT).

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PG_BIN=$("$PG_CONFIG" --bindir)
AS_PG=()
[ "$(id -u)" = 0 ] && AS_PG=(runuser -u postgres --)

# pg_start DIR PORT LIBDIR [extra postgresql.conf lines...]
# EXTRA_PLUGINS (comma list) are allowed as output plugins besides the usual ones.
pg_start() {
  PG_DIR=$1; PG_PORT=$2; local libdir=$3; shift 3
  mkdir -p "$PG_DIR"
  [ ${#AS_PG[@]} -gt 0 ] && chown -R postgres "$PG_DIR" && chmod 755 "$PG_DIR"
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  {
    echo "port = $PG_PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$PG_DIR'"
    echo "wal_level = logical"
    echo "max_replication_slots = 32"
    echo "max_wal_senders = 32"
    echo "dynamic_library_path = '\$libdir:$libdir'"
    echo "shared_buffers = 512MB"
    echo "max_wal_size = 8GB"
    echo "checkpoint_timeout = 30min"
    echo "log_min_messages = warning"
    # (captured first: grep -q closing the pipe early would fail the pipeline under pipefail)
    local described
    described=$("${AS_PG[@]}" "$PG_BIN/postgres" --describe-config 2>/dev/null || true)
    if grep -q '^output_plugin_libraries' <<<"$described"; then
      echo "output_plugin_libraries = 'pgoutput, test_decoding, wal2arrow, noop_decoder${EXTRA_PLUGINS:+, $EXTRA_PLUGINS}'"
    fi
    local line
    for line in "$@"; do echo "$line"; done
  } | "${AS_PG[@]}" tee -a "$PG_DIR/data/postgresql.auto.conf" >/dev/null
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start >/dev/null \
    || { tail -n 30 "$PG_DIR/server.log" >&2; return 1; }
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] \
    && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
  return 0
}

# walsenders: PIDs of this server's walsenders, one a line. Only children of its postmaster: other
# servers on the machine (test clusters, other benchmarks) start and stop walsenders of their own.
walsenders() { pgrep -P "$(head -n 1 "$PG_DIR/data/postmaster.pid")" -f '^postgres: walsender' || true; }

# new_walsender "BEFORE" PID: prints the walsender serving the client PID started after BEFORE
# (" pid pid ... ", from walsenders) was taken: a new one, not one of an earlier client still
# exiting, found as soon as it forks. Prints nothing if the client exits first.
new_walsender() {
  local before=$1 client=$2 p
  while kill -0 "$client" 2>/dev/null; do
    for p in $(walsenders); do
      [[ "$before" == *" $p "* ]] || { echo "$p"; return 0; }
    done
    sleep 0.001
  done
}

# psql against the benchmark server over TCP loopback.
q() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# build_plugins LIBDIR: wal2arrow and noop_decoder, copied where the server user can read them.
build_plugins() {
  local libdir=$1 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  make -s -C "$root/wal2arrow" PG_CONFIG="$PG_CONFIG" >/dev/null
  make -s -C "$root/benchmarks/noop_decoder" PG_CONFIG="$PG_CONFIG" >/dev/null
  mkdir -p "$libdir"
  cp "$root/wal2arrow/wal2arrow.so" "$root/benchmarks/noop_decoder/noop_decoder.so" "$libdir/"
  chmod 755 "$libdir" && chmod 644 "$libdir"/*.so
}
