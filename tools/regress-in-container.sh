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
# The plugin's C unit tests and pg_regress suite (wal2arrow/test/run-regress.sh) against
# PostgreSQL <major>, inside the image tools/pg-image.sh builds: the plugin is compiled there,
# with -Werror, against that version's server headers.
#
#   tools/regress-in-container.sh 13|15|17|18
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
major="${1:?usage: $0 13|15|17|18}"
image="$("$root/tools/pg-image.sh" "$major")"
echo ">> wal2arrow: C unit tests and pg_regress on PostgreSQL $major ($image)"
# A copy inside the container: the checkout's own build outputs are for another server.
docker run --rm --entrypoint /bin/bash -v "$root/wal2arrow:/src/wal2arrow:ro" "$image" -c '
	set -e
	cp -r /src/wal2arrow /tmp/wal2arrow
	make -s -C /tmp/wal2arrow PG_CONFIG="$PGBIN/pg_config" clean
	PG_CONFIG="$PGBIN/pg_config" /tmp/wal2arrow/test/run-regress.sh'
