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
done

# A server in the tree, its client outside it (tests/e2e/sock-peer.py):
# the client holds its connection across checkpoint (the tree killed) and
# restore, never sees a reset, and gets the right answers afterwards. Kill
# mode only: with --leave-running the original keeps the connection.
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
	[ ! -e "$dir/client" ]
	ok $? "tcp peer: the client still waits on its connection"
	run_ok "tcp peer: restore" $tvzcr restore -D "$dir/img" || return
	touch "$dir/go"
	is "$(wl_verdict "$dir")" PASS "tcp peer: the server checks itself"
	wait_for 30 test -s "$dir/client"
	is "$(cat "$dir/client" 2>/dev/null)" PASS "tcp peer: the client got its answer on the same connection"
}
cr_peer
done_testing
