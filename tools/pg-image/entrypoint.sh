#!/bin/sh
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
# PID 1 of a pg-arrow-cdc test container. It starts PostgreSQL with pg_ctl and stays up, so a test
# can stop, start or restart the server (docker exec ... pg_ctl) without ending the container.
# Settings the fixture wants come as postgresql.conf lines in $PGARROW_SETTINGS; extra arguments
# are passed to the server (pg_ctl -o).
set -e
log=/var/lib/pgarrow/server.log
# `docker run IMAGE postgres -c a=b` as for the official image: the -c options reach the server.
if [ "${1:-}" = postgres ]; then
	shift
fi
if [ -n "${PGARROW_SETTINGS:-}" ]; then
	printf '%s\n' "$PGARROW_SETTINGS" >"$PGDATA/postgresql.auto.conf"
	chown postgres:postgres "$PGDATA/postgresql.auto.conf"
	# Debian's servers from 15.19 on know output_plugin_libraries; an older one would refuse it.
	if ! runuser -u postgres -- "$PGBIN/postgres" --describe-config | grep -q '^output_plugin_libraries'; then
		sed -i '/^output_plugin_libraries/d' "$PGDATA/postgresql.auto.conf"
	fi
fi
install -d -o postgres -g postgres /var/run/postgresql
stop() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
	exit 0
}
trap stop TERM INT
touch "$log" && chown postgres "$log"
if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$log" -w -t 60 -o "$*" start >/dev/null
then
	# The log first: the last line is what a waiting test matches.
	echo "pg-arrow-cdc: server log:"
	cat "$log"
	echo "pg-arrow-cdc: PostgreSQL did not start"
	exit 1
fi
echo "pg-arrow-cdc: PostgreSQL $PG_MAJOR is ready"
while :; do
	sleep 3600 &
	wait $! || true
done
