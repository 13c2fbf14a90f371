#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Sockets in flight inside a CT: the e2e workload wl-sock-scm (unix
# socketpairs whose queues hold files, among them a socket no task holds)
# runs in a busybox CT (the binary and its libraries copied into the CT's
# root, started with vzcr exec --detach), the CT is checkpointed (kill) and
# restored, and the workload checks every file it gets out of its queues.
# A socket in flight is looked up in its own net namespace (the CT's), not
# the engine's. Needs root, busybox-static, ip.
set -u
. tests/lib/tap.sh

vzcr=$PWD/vzcr/vzcr
wl=$PWD/tests/e2e/wl-sock-scm
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ -x "$wl" ] || bail_out "$wl is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v ip >/dev/null || skip_all "no ip (iproute2)"

tmp=$(mktemp -d /tmp/vzcr-ct-scm.XXXXXX)
export VZCR_ROOT=$tmp/root
ct=403
cleanup() {
	local s=$VZCR_ROOT/var/run/vzcr/$ct.state pid veth cg
	"$vzcr" -q stop -t 3 $ct >/dev/null 2>&1
	if [ -e "$s" ]; then
		pid=$(sed -n 's/^INIT_PID=//p' "$s")
		veth=$(sed -n 's/^VETH_HOST=//p' "$s")
		cg=$(sed -n 's/^CGROUP=//p' "$s")
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
		[ -n "$veth" ] && ip link del "$veth" 2>/dev/null
		[ -n "$cg" ] && sleep 0.5 && rmdir "$cg" "$(dirname "$cg")" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$VZCR_ROOT"

ran() {
	local desc=$1 rc
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ok $rc "$desc"
	[ $rc -eq 0 ] || sed 's/^/#   /' "$tmp/err" "$tmp/out"
	return $rc
}
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
# the workload and the libraries it needs, at the same paths in the CT
for f in "$wl" $(ldd "$wl" | grep -o '/[^ ]*'); do
	mkdir -p "$private$(dirname "$f")" && cp "$f" "$private$f" || break
done
ok $? "the workload and its libraries are in the CT's root"
mkdir -p "$private/wl"
ran "the CT starts" "$vzcr" start $ct
ran "the workload starts in it, detached" "$vzcr" exec --detach $ct "$wl" /wl
wait_file "$private/wl/ready"
ok $? "the workload is ready"
ran "vzcr checkpoint (kill)" "$vzcr" checkpoint $ct -D "$tmp/img"
ran "vzcr restore" "$vzcr" restore $ct -D "$tmp/img"
ran "the workload is told to check" "$vzcr" exec $ct kill -USR2 "$(cat "$private/wl/ready")"
wait_file "$private/wl/result"
is "$(cat "$private/wl/result" 2>&1)" "PASS" "the files in flight came back whole, inside the CT"
ran "the restored CT stops" "$vzcr" stop -t 3 $ct
done_testing
