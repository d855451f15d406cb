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
# Build wal2arrow, run its C unit tests, then its pg_regress suite against a
# throwaway PostgreSQL server.  Works as root (the server then runs as the
# "postgres" OS user, since PostgreSQL refuses to run as root) and as a normal
# user.  Exits non-zero on any failure and prints regression.diffs.
#
# Environment: PG_CONFIG (default: pg_config), KEEP_TMP=1 to keep the temp dir.
# Another server version in a container: tools/regress-in-container.sh 13|15|17|18.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_CONFIG="${PG_CONFIG:-pg_config}"
bindir="$("$PG_CONFIG" --bindir)"
pg_regress="$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress"

make -s -C "$here" PG_CONFIG="$PG_CONFIG"
if grep -q '^unittest:' "$here/Makefile"; then
	make -s -C "$here" PG_CONFIG="$PG_CONFIG" unittest
fi

tmp="$(mktemp -d /tmp/wal2arrow-regress.XXXXXX)"
chmod 755 "$tmp"
mkdir "$tmp/lib" "$tmp/out"
cp "$here/wal2arrow.so" "$tmp/lib/"
chmod 755 "$tmp/lib" && chmod 644 "$tmp/lib/wal2arrow.so"

as_server=()
if [ "$(id -u)" = 0 ]; then
	as_server=(runuser -u postgres --)
	mkdir "$tmp/data" && chown postgres "$tmp/data"
fi

cleanup() {
	local rc=$?
	if [ -f "$tmp/data/postmaster.pid" ]; then
		"${as_server[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
	fi
	if [ $rc -ne 0 ] && [ -f "$tmp/out/regression.diffs" ]; then
		echo "==== regression.diffs ===="
		cat "$tmp/out/regression.diffs"
	fi
	if [ $rc -ne 0 ] && [ -f "$tmp/server.log" ]; then
		echo "==== server.log (tail) ===="
		tail -n 40 "$tmp/server.log"
	fi
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit $rc
}
trap cleanup EXIT INT TERM

# A free loopback port: try random ones until nothing answers.
port=""
for _ in $(seq 1 50); do
	p=$(( 20000 + RANDOM % 30000 ))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }

"${as_server[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres -A trust \
	--no-sync >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; exit 1; }

cat >>"$tmp/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
fsync = off
dynamic_library_path = '$tmp/lib:\$libdir'
CONF
# Debian's servers from 15.19 (and its other security releases) refuse output plugins that
# output_plugin_libraries does not list; a server without the setting refuses the setting.
# (grep reads it all: with pipefail, -q would fail the pipe on SIGPIPE.)
if "${as_server[@]}" "$bindir/postgres" --describe-config 2>/dev/null | grep '^output_plugin_libraries' >/dev/null; then
	echo "output_plugin_libraries = 'pgoutput, test_decoding, wal2arrow'" >>"$tmp/data/postgresql.conf"
fi

touch "$tmp/server.log" && chmod 666 "$tmp/server.log"
"${as_server[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w start >/dev/null

# wal2arrow_snapshot() in every database, as the connector's test fixture does: the extension
# script without its guard line, the library found through dynamic_library_path (the server's
# share directory, where CREATE EXTENSION looks, belongs to the installation, not to this test).
sed -e '/^\\echo /d' -e 's/MODULE_PATHNAME/wal2arrow/g' "$here/wal2arrow--1.0.sql" >"$tmp/function.sql"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d template1 \
	-f "$tmp/function.sql" >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres wal2arrow_regression

# setup (helper functions) first, then every other test in name order. A test named pgNN_* is
# about a feature PostgreSQL NN added and runs on NN and later only.
major="$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')"
tests="setup"
for t in $(cd "$here/sql" && ls *.sql | sed 's/\.sql$//' | grep -vx setup | sort); do
	if [[ "$t" =~ ^pg([0-9]+)_ ]] && [ "$major" -lt "${BASH_REMATCH[1]}" ]; then
		echo "(skipping $t: needs PostgreSQL ${BASH_REMATCH[1]}, this is $major)"
		continue
	fi
	tests="$tests $t"
done
# for sql/walsender.sql: pg_recvlogical and a directory the server can read;
# for sql/snapshot.sql: the function's script, to create it in a database made from template0
export W2A_BINDIR="$bindir" W2A_TMPDIR="$tmp/out" W2A_FUNCTION_SQL="$tmp/function.sql"
chmod 755 "$tmp/out"
# shellcheck disable=SC2086
"$pg_regress" --use-existing --bindir="$bindir" \
	--host=127.0.0.1 --port="$port" --user=postgres \
	--inputdir="$here" --outputdir="$tmp/out" \
	--dbname=wal2arrow_regression $tests
