#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Sockets inside a CT: e2e workloads run in a busybox CT (their binaries
# and libraries copied into the CT's root, started with vzcr exec
# --detach): wl-sock-scm (unix socketpairs whose queues hold files, among
# them a socket no task holds), wl-sock-tcp (TCP with both ends in the CT,
# on 127.0.0.1 and ::1, with queued and unacknowledged data; listeners;
# UDP), wl-sock-unix (unix sockets of every type). The CT is checkpointed
# (kill) and restored, and each workload checks its own sockets. A socket
# in flight is looked up in its own net namespace (the CT's), not the
# engine's. Needs root, busybox-static, ip.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
wls="wl-sock-scm wl-sock-tcp wl-sock-unix"
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
for w in $wls; do
	[ -x "tests/e2e/$w" ] || bail_out "tests/e2e/$w is not built"
done
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v ip >/dev/null || skip_all "no ip (iproute2)"

tmp=$(mktemp -d /tmp/vzcr-ct-scm.XXXXXX)
export VZCR_ROOT=$tmp/root
ct=403
cleanup() {
	local s=$VZCR_ROOT/var/run/vzcr/$ct.state
	"$vzcr" -q stop -t 3 $ct >/dev/null 2>&1
	ct_kill_left "$s"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$VZCR_ROOT"

# wait_file PATH: until it exists and is not empty (10 s)
wait_file() {
	local i
	for i in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

ip_ct=10.221.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
ran "a CT is created" "$vzcr" create $ct --ip "$ip_ct"
private=$VZCR_ROOT/vz/private/$ct
# the workloads and the libraries they need, at the same paths in the CT
for w in $wls; do
	for f in "$PWD/tests/e2e/$w" $(ldd "tests/e2e/$w" | grep -o '/[^ ]*'); do
		mkdir -p "$private$(dirname "$f")" && cp "$f" "$private$f" || break 2
	done
	mkdir -p "$private/$w"
done
ok $? "the workloads and their libraries are in the CT's root"
ran "the CT starts" "$vzcr" start $ct
for w in $wls; do
	ran "$w starts in it, detached" "$vzcr" exec --detach $ct "$PWD/tests/e2e/$w" "/$w"
	wait_file "$private/$w/ready"
	ok $? "$w is ready"
done
ran "vzcr checkpoint (kill)" "$vzcr" checkpoint $ct -D "$tmp/img"
ran "vzcr restore" "$vzcr" restore $ct -D "$tmp/img"
for w in $wls; do
	ran "$w is told to check" "$vzcr" exec $ct kill -USR2 "$(cat "$private/$w/ready")"
	wait_file "$private/$w/result"
	is "$(cat "$private/$w/result" 2>&1)" "PASS" "$w: its sockets came back whole, inside the CT"
done
ran "the restored CT stops" "$vzcr" stop -t 3 $ct
done_testing
