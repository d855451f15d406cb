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

# Sourced by test.sh and demo.sh: checks what the build needs and, on Debian as root, installs
# whatever is missing. Anyone else gets the exact apt-get command to run.

# Debian packages the build and the tests use, and a file each one provides (for server-dev the
# headers: pg_config itself comes with postgresql-client-15, so it proves nothing).
PGARROW_PACKAGES=(
  "postgresql-15:/usr/lib/postgresql/15/bin/initdb"
  "postgresql-server-dev-15:/usr/include/postgresql/15/server/postgres.h"
  "liblz4-dev:/usr/include/lz4frame.h"
  "libzstd-dev:/usr/include/zstd.h"
  "build-essential:/usr/bin/make"
  "openjdk-17-jdk-headless:/usr/lib/jvm/java-17-openjdk-amd64/bin/javac"
  "maven:/usr/bin/mvn"
)

ensure_prereqs() {
  local missing=() entry pkg file
  for entry in "${PGARROW_PACKAGES[@]}"; do
    pkg=${entry%%:*}
    file=${entry#*:}
    # Another JDK 17+ or Maven on the PATH is as good as Debian's.
    case "$pkg" in
      openjdk-17-jdk-headless) java_ok && continue ;;
      maven) command -v mvn >/dev/null 2>&1 && continue ;;
    esac
    [ -e "$file" ] || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo ">> installing ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "Missing packages: ${missing[*]}" >&2
      echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
      return 1
    fi
  fi
  # Prefer PostgreSQL 15's pg_config: the plugin and the test servers must match.
  if [ -z "${PG_CONFIG:-}" ]; then
    export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
  fi
  if ! java_ok; then
    echo "JDK 17 or newer is needed (java -version says: $(java -version 2>&1 | head -n1))" >&2
    return 1
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "Running as root, the test servers run as the OS user 'postgres', which does not exist." >&2
    echo "Reinstall postgresql-common (it creates that user): apt-get install --reinstall postgresql-common" >&2
    return 1
  fi
}

java_ok() {
  command -v javac >/dev/null 2>&1 || return 1
  local v
  v=$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
  [ -n "$v" ] && [ "$v" -ge 17 ]
}
