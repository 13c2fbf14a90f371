#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `vzcr exec` leaves the vzcr process in the host's namespaces, root and
# cgroup: a helper enters the CT and runs the command. (When vzcr itself
# entered the CT's pid namespace, an ASAN=1 build hung at exit: the
# LeakSanitizer tracer it clones lands in that namespace, sees no parent
# and quits, and vzcr waited for it forever.) Also: the command's exit
# status and signal come through the helper. Needs root; the CT is removed
# on every exit path.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v ip >/dev/null || skip_all "no ip (iproute2)"
tmp=$(mktemp -d /tmp/vzcr-ct-exec.XXXXXX)
export VZCR_ROOT=$tmp/root
ct=$((3000 + $$ % 5000))

cleanup() {
	local s=$VZCR_ROOT/var/run/vzcr/$ct.state
	[ -n "${bg-}" ] && kill -9 "$bg" 2>/dev/null
	"$vzcr" -q stop -t 3 "$ct" >/dev/null 2>&1
	ct_kill_left "$s"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$vzcr" -q create "$ct" --ip "10.213.$(($$ % 250)).$((RANDOM % 250 + 2))" >"$tmp/out" 2>&1 &&
	"$vzcr" -q start "$ct" >>"$tmp/out" 2>&1
ok $? "CT $ct created and started" || { sed 's/^/#   /' "$tmp/out"; done_testing; exit; }

# vzcr is the command's grandparent now; look at it while the command runs
"$vzcr" exec "$ct" sh -c 'echo up; sleep 30' >"$tmp/up" 2>&1 &
bg=$!
for i in $(seq 100); do [ -s "$tmp/up" ] && break; sleep 0.1; done
for ns in pid_for_children pid mnt net ipc uts cgroup; do
	[ "$(readlink /proc/$bg/ns/$ns)" = "$(readlink /proc/self/ns/$ns)" ]
	ok $? "vzcr keeps the host's $ns namespace while the command runs"
done
is "$(readlink /proc/$bg/root)" / "vzcr keeps the host's root"
is "$(cat /proc/$bg/cgroup)" "$(cat /proc/self/cgroup)" "vzcr stays in its cgroup"
is "$(cat /proc/$bg/comm)" vzcr "(that was vzcr)"
kill "$bg"
bg=

"$vzcr" exec "$ct" sh -c 'exit 7'
is $? 7 "the command's exit status"
"$vzcr" exec "$ct" sh -c 'kill -9 $$'
is $? 137 "a command killed by SIGKILL: 128+9"
"$vzcr" exec "$ct" /no/such/program 2>/dev/null
is $? 127 "a command that does not exist: 127"
is "$("$vzcr" exec "$ct" hostname)" "$("$vzcr" exec "$ct" cat /proc/sys/kernel/hostname)" \
	"the command runs in the CT's uts namespace"
done_testing
