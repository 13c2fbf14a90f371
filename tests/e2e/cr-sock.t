#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Sockets across checkpoint/restore: each workload checks its sockets itself.
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

for mode in kill leave; do
	cr_run sock-unix $mode tests/e2e/wl-sock-unix
	cr_run sock-tcp $mode tests/e2e/wl-sock-tcp
	cr_run sock-nlpk $mode tests/e2e/wl-sock-nlpk
	cr_run sock-scm $mode tests/e2e/wl-sock-scm
	cr_run sock-root $mode tests/e2e/wl-sock-unix-root
done

# The same in a network namespace of the test's own: the checkpoint runs
# outside it (sock_diag must be asked inside the task's namespace), the
# restore inside it (sockets are made in the restoring tool's namespace).
ns=vzcr-sock-$$-$RANDOM
# a restore that failed leaves the TCP lock of its dump (vzcr_lock_ROOT) in place
sock_cleanup() {
	local r
	for r in $(cat "$e2e_tmp"/*/root 2>/dev/null); do
		nft delete table inet "vzcr_lock_$r" 2>/dev/null
		ip netns exec "$ns" nft delete table inet "vzcr_lock_$r" 2>/dev/null
	done
	e2e_cleanup
	ip netns del "$ns" 2>/dev/null
}
trap sock_cleanup EXIT
ns_vzcr() {
	if [ "$1" = restore ]; then
		timeout -k 5 120 ip netns exec "$ns" $vzcr "$@"
	else
		timeout -k 5 120 $vzcr "$@"
	fi
}
if ip netns add "$ns" && ip netns exec "$ns" ip link set lo up; then
	host_tvzcr=$tvzcr
	tvzcr=ns_vzcr
	for mode in kill leave; do
		cr_run sock-tcp-netns $mode tests/e2e/netns-run "$ns" tests/e2e/wl-sock-tcp
		cr_run sock-unix-netns $mode tests/e2e/netns-run "$ns" tests/e2e/wl-sock-unix
		# an nftables rule in that namespace holds back the ACKs
		cr_run sock-tcp-unacked $mode tests/e2e/netns-run "$ns" tests/e2e/wl-sock-tcp-unacked
	done
	tvzcr=$host_tvzcr
else
	ok 1 "a network namespace for the netns cases"
fi

# A unix datagram client connected to a server outside the tree (a syslog
# client and /dev/log): connected to it again after the restore. The
# server (python, outside) writes each datagram it gets as a line.
ext=vzcr-ext-$$-$RANDOM
mkdir -p "$e2e_tmp/ext"
setsid python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1])
open(sys.argv[2] + "/up", "w").close()
s.settimeout(300)
while True:
    m = s.recv(64)
    with open(sys.argv[2] + "/got", "a") as f:
        f.write(m.decode() + "\n")
' "$ext" "$e2e_tmp/ext" </dev/null >/dev/null 2>&1 &
ext_pid=$!
disown
wait_for 10 test -e "$e2e_tmp/ext/up"
for mode in kill leave; do
	rm -f "$e2e_tmp/ext/got"
	cr_run sock-unix-ext $mode tests/e2e/wl-sock-unix-ext "$ext"
	want="before after"
	[ $mode = leave ] && want="before after after"
	wait_for 5 grep -q after "$e2e_tmp/ext/got"
	is "$(echo $(cat "$e2e_tmp/ext/got" 2>/dev/null))" "$want" \
		"sock-unix-ext/$mode: the outside server got each datagram"
done
kill "$ext_pid" 2>/dev/null

# A server in the tree, its client outside it (tests/e2e/sock-peer.py):
# the client holds its connection across checkpoint (the tree killed) and
# restore, and sends while the tree is down: the dumped sockets closed in
# repair mode (no FIN, no RST) and the nftables lock dropped what came in,
# so the client sees no reset and gets its answer once its retransmission
# reaches the restored server. Kill mode only: with --leave-running the
# original keeps the connection.
cr_peer() {
	local dir=$e2e_tmp/peer root
	mkdir -p "$dir"
	setsid tests/e2e/wl-sock-tcp-peer "$dir" </dev/null >"$dir/out" 2>&1 &
	disown
	wait_for 30 test -s "$dir/port" || { ok 1 "tcp peer: the server listens"; return; }
	setsid python3 tests/e2e/sock-peer.py "$dir" "$(cat "$dir/port")" </dev/null \
		>"$dir/client.out" 2>&1 &
	disown
	wait_for 30 test -s "$dir/ready"
	ok $? "tcp peer: the client is served before the checkpoint"
	root=$(head -n1 "$dir/ready")
	echo "$root" >"$dir/root"
	tree_pids "$root" >"$dir/pids"
	run_ok "tcp peer: checkpoint" $tvzcr checkpoint --pid "$root" -D "$dir/img" || return
	wait_for 30 all_gone $(cat "$dir/pids")
	ok $? "tcp peer: the dumped tree is gone"
	touch "$dir/dumped"
	wait_for 10 test -e "$dir/sent"
	ok $? "tcp peer: the client sends while the tree is down"
	# a reset would end the client at once: it must still be waiting
	! wait_for 1 test -e "$dir/client"
	ok $? "tcp peer: the client is not reset ($(cat "$dir/client" 2>/dev/null))"
	nft list table inet "vzcr_lock_$root" >/dev/null 2>&1
	ok $? "tcp peer: the lock table vzcr_lock_$root is in place"
	# a restore that fails after making the sockets closes them silently
	# and keeps the lock: the same images restore afterwards
	cr_restore_without "tcp peer" "$dir" "$dir/port"
	nft list table inet "vzcr_lock_$root" >/dev/null 2>&1 && [ ! -e "$dir/client" ]
	ok $? "tcp peer: the lock stays and the client still waits"
	run_ok "tcp peer: restore" $tvzcr restore -D "$dir/img" || return
	! nft list table inet "vzcr_lock_$root" >/dev/null 2>&1
	ok $? "tcp peer: the restore removed the lock"
	is "$(wl_verdict "$dir")" PASS "tcp peer: the server checks itself"
	wait_for 30 test -s "$dir/client"
	is "$(cat "$dir/client" 2>/dev/null)" PASS "tcp peer: the client got its answer on the same connection"
}
cr_peer

# sock_refuse KIND PATTERN: WL_REFUSE=KIND wl-sock-refuse must not be
# dumped (cr_refused), and the tree runs on with its sockets working (repair
# mode left again)
sock_refuse() {
	WL_REFUSE=$1 cr_refused "$1" "$2" tests/e2e/wl-sock-refuse || return
	is "$(wl_verdict "$e2e_tmp/refuse-$1")" PASS "refuse $1: the workload checks itself"
}
sock_refuse raw "fd [0-9]+: inet raw socket"
sock_refuse halfclosed "fd [0-9]+ \\(inet socket [0-9]+\\): TCP state FIN_WAIT2"
sock_refuse backlog "fd [0-9]+ \\(inet socket [0-9]+\\): 1 connections wait to be accepted"
sock_refuse filter "fd [0-9]+ \\(inet socket [0-9]+\\): it has a socket filter"
done_testing
