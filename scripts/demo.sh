#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: a busybox container running an echo service, a client on the
# host holding one TCP connection to it; the container is checkpointed
# (and killed), restored, and the same connection still gets its answers.
# Everything lives under a temp $VZCR_ROOT and is removed on exit.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"	# /dev/tcp is bash's
set -eu
cd "$(dirname "$0")/.."
vzcr=$PWD/vzcr/vzcr
dir=$(mktemp -d /tmp/vzcr-demo.XXXXXX)
export VZCR_ROOT=$dir/root
ct=100
ip_ct=10.219.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
port=7000
cleanup() {
	exec 3>&- 2>/dev/null || true
	"$vzcr" -q stop -t 3 $ct >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$VZCR_ROOT"

# ask LINE: send it on the held connection, print the answer
ask() {
	local line=
	echo "$1" >&3
	read -r -t 20 line <&3 || true
	echo "   client sent '$1', got '$line'"
	[ "$line" = "$1" ]
}

echo "== a container (busybox) with address $ip_ct, running an echo service on port $port"
"$vzcr" -q create $ct --ip "$ip_ct" --hostname demo >/dev/null
"$vzcr" -q start $ct >/dev/null
"$vzcr" exec --detach $ct busybox nc -ll -p $port -e /bin/cat
for _ in $(seq 50); do exec 3<>/dev/tcp/$ip_ct/$port 2>/dev/null && break; sleep 0.1; done
echo "== a client on the host connects to it and keeps the connection open"
ask "hello before the checkpoint"
echo
echo "== vzcr checkpoint $ct   (dumps every task and namespace, then kills the container)"
t0=$(date +%s%N)
"$vzcr" -v checkpoint $ct -D "$dir/img" 2>"$dir/log" >/dev/null
frozen=$(sed -n 's/.*frozen \([0-9.]*\) s.*/\1/p' "$dir/log" | tail -n1)
echo "   frozen ${frozen:-?} s; images: $(du -sh "$dir/img" | cut -f1) in $(ls "$dir/img" | wc -l) files"
echo "   status: $("$vzcr" status $ct)"
echo "== the client writes while the container is gone"
echo "sent while the CT was down" >&3
echo
echo "== vzcr restore $ct"
"$vzcr" -q restore $ct -D "$dir/img" >/dev/null
t1=$(date +%s%N)
echo "   status: $("$vzcr" status $ct); service down for $(( (t1 - t0) / 1000000 )) ms"
echo "== the same connection"
read -r -t 20 line <&3 || true
echo "   the line sent while down comes back: '$line'"
ask "hello after the restore"
echo "== a new connection"
exec 4<>/dev/tcp/$ip_ct/$port
echo "new connection" >&4
read -r -t 5 line <&4 || true
exec 4>&-
echo "   answered: '$line'"
