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
# Builds (or reuses) the Docker image of PostgreSQL <major> with wal2arrow compiled inside it
# against that version's server headers: pgarrow/postgres:<major>. No registry is needed: the base
# is a Debian root file system made with debootstrap (cached as the image pgarrow/debian:<suite>).
#
#   tools/pg-image.sh 17            build or reuse pgarrow/postgres:17, print its name
#   tools/pg-image.sh --name 17     only print the name
#
# Majors and the Debian suite that carries each: 13 bullseye, 15 bookworm, 17 trixie, 18 sid.
# Reuse: the image carries a hash of the plugin's sources and of tools/pg-image/ in a label; a
# matching image is kept as is, otherwise `docker build` rebuilds (its layer cache keeps the
# packages, so only the plugin is recompiled). Needs docker and, the first time per suite,
# debootstrap (both run as root). DEBIAN_MIRROR overrides the mirror (default: apt's own).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

name_only=0
if [ "${1:-}" = "--name" ]; then
	name_only=1
	shift
fi
major="${1:-}"
case "$major" in
	13) suite=bullseye ;;
	15) suite=bookworm ;;
	17) suite=trixie ;;
	18) suite=sid ;;
	*)
		echo "usage: $0 [--name] 13|15|17|18 (PostgreSQL major; 14 and 16 are in no Debian suite)" >&2
		exit 2
		;;
esac
image="pgarrow/postgres:$major"
base="pgarrow/debian:$suite"
if [ $name_only = 1 ]; then
	echo "$image"
	exit 0
fi

log() { echo ">> [pg-image $major] $*" >&2; }

# What goes into the image: the plugin's sources (not its build outputs) and this directory.
sources=(wal2arrow/Makefile wal2arrow/*.c wal2arrow/*.h wal2arrow/*.control wal2arrow/*.sql
	tools/pg-image/Dockerfile tools/pg-image/entrypoint.sh)
hash="$(cd "$root" && sha256sum "${sources[@]}" | sha256sum | cut -c1-16)"

have="$(docker image inspect "$image" --format '{{index .Config.Labels "dev.pgarrowcdc.sources-hash"}}' 2>/dev/null || true)"
if [ "$have" = "$hash" ]; then
	log "reusing $image (sources $hash)"
	echo "$image"
	exit 0
fi

if ! docker image inspect "$base" >/dev/null 2>&1; then
	command -v debootstrap >/dev/null || { echo "debootstrap is needed: apt-get install debootstrap" >&2; exit 1; }
	mirror="${DEBIAN_MIRROR:-}"
	if [ -z "$mirror" ]; then
		mirror="$( (grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}';
			grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}') | grep -v security | head -n1 || true)"
	fi
	mirror="${mirror:-http://deb.debian.org/debian}"
	rootfs="$(mktemp -d /tmp/pgarrow-rootfs.XXXXXX)"
	trap 'rm -rf "$rootfs"' EXIT
	log "debootstrap --variant=minbase $suite from $mirror"
	debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
		|| { tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
	rm -f "$rootfs.log"
	# apt inside the image uses the same mirror; no recommends, no docs.
	echo "deb $mirror $suite main" >"$rootfs/etc/apt/sources.list"
	rm -f "$rootfs"/etc/apt/sources.list.d/*
	printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/90pgarrow"
	tar -C "$rootfs" -c . | docker import - "$base" >/dev/null
	rm -rf "$rootfs"
	trap - EXIT
	log "base image $base imported"
fi

ctx="$(mktemp -d /tmp/pgarrow-image.XXXXXX)"
trap 'rm -rf "$ctx"' EXIT
cp "$here/pg-image/Dockerfile" "$here/pg-image/entrypoint.sh" "$ctx/"
mkdir "$ctx/wal2arrow"
(cd "$root/wal2arrow" && cp Makefile ./*.c ./*.h ./*.control ./*.sql "$ctx/wal2arrow/")
log "building $image (sources $hash)"
# The classic builder: it takes the local base image as is, where BuildKit would ask a registry.
if ! DOCKER_BUILDKIT=0 docker build --force-rm -t "$image" \
	--build-arg BASE="$base" --build-arg PG_MAJOR="$major" --build-arg SOURCES_HASH="$hash" \
	"$ctx" >"$ctx/build.log" 2>&1; then
	echo "docker build of $image failed; its output ends with:" >&2
	grep -v '^ ---> \|^Removing intermediate' "$ctx/build.log" | tail -n 40 >&2
	exit 1
fi
# Earlier builds of this tag, now untagged, need not take the disk.
docker image prune -f --filter "label=dev.pgarrowcdc.sources-hash" >/dev/null 2>&1 || true
echo "$image"
