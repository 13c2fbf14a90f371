#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install, with apt-get and only when missing, what vzcr's build, tests and demo need.
# Quiet when everything is present; prints the packages it installs.
set -eu

# build: compiler, protobuf-c, optional libraries probed by the Makefile
build_pkgs="gcc make pkg-config protobuf-c-compiler libprotobuf-c-dev libssh2-1-dev
	libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libcgroup-dev libcap-dev
	libzstd-dev liblz4-dev"
# tests and demo: CRIU's crit as the outside image decoder, a container root,
# several "hosts" over ssh, disk-image filesystems, TAP runner
test_pkgs="criu python3-protobuf busybox-static openssh-server openssh-client rsync
	xfsprogs btrfs-progs e2fsprogs iproute2 nftables perl util-linux procps"

missing=""
for p in $build_pkgs $test_pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

# libploop is not packaged by Debian; the ploop tracker is built only where
# its headers exist, so its absence is reported, not installed.
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root to install them" >&2
	exit 1
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Package lists may be absent on a fresh machine: update once before installing.
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 ||
   ! apt-get install -y -q --no-install-recommends $missing >/tmp/vzcr-deps.log 2>&1; then
	apt-get update -q >/tmp/vzcr-deps.log 2>&1 || { cat /tmp/vzcr-deps.log >&2; exit 1; }
	apt-get install -y -q --no-install-recommends $missing >>/tmp/vzcr-deps.log 2>&1 ||
		{ tail -n 30 /tmp/vzcr-deps.log >&2; echo "deps.sh: apt-get install failed" >&2; exit 1; }
fi
echo "deps.sh: done"
