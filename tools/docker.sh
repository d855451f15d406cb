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

# Sourced by test.sh and .ci/run: a Docker engine for the container backend of the tests.
#
#   ensure_docker          installs docker.io and debootstrap where missing (Debian, as root),
#                          starts dockerd in the background when no engine answers
#   stop_started_docker    stops the dockerd that ensure_docker started, and nothing else
#
# The engine is started with --bip so that Testcontainers, which believes it runs inside a
# container on machines that carry /.dockerenv, finds the host through the bridge's gateway
# instead of pulling a helper image. Images stay in /var/lib/docker for the next run.

PGARROW_DOCKERD_PID=""

ensure_docker() {
  local missing=()
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  if ! docker info >/dev/null 2>&1; then
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  fi
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      # shellcheck disable=SC2207
      missing=($(printf '%s\n' "${missing[@]}" | sort -u))
      echo ">> installing ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "Missing packages: ${missing[*]} (install them with: sudo apt-get install -y ${missing[*]})" >&2
      return 1
    fi
  fi
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "No Docker engine answers (docker info fails): start one, or run as root to let" \
      "test.sh start it." >&2
    return 1
  fi
  local log="${TMPDIR:-/tmp}/pgarrow-dockerd.log"
  echo ">> starting dockerd (log: $log)"
  setsid dockerd --storage-driver=overlay2 --bip=172.17.0.1/16 >"$log" 2>&1 </dev/null &
  PGARROW_DOCKERD_PID=$!
  local i
  for i in $(seq 1 150); do
    if docker info >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$PGARROW_DOCKERD_PID" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  echo "dockerd did not come up; its log ($log) ends with:" >&2
  tail -n 20 "$log" >&2
  stop_started_docker
  return 1
}

stop_started_docker() {
  if [ -n "$PGARROW_DOCKERD_PID" ] && kill -0 "$PGARROW_DOCKERD_PID" 2>/dev/null; then
    echo ">> stopping the dockerd this run started (pid $PGARROW_DOCKERD_PID)"
    kill "$PGARROW_DOCKERD_PID"
    local i
    for i in $(seq 1 100); do
      kill -0 "$PGARROW_DOCKERD_PID" 2>/dev/null || break
      sleep 0.2
    done
  fi
  PGARROW_DOCKERD_PID=""
}
