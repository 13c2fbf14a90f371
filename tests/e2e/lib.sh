# SPDX-License-Identifier: GPL-2.0-only
# Harness of the end-to-end checkpoint/restore tests, sourced by tests/e2e/*.t
# after tests/lib/tap.sh. A workload (tests/e2e/wl-*) runs in its own
# session; cr_run checkpoints it in a mode, restores it, lets it go on and
# reads its own verdict. Waits are for events (files, pids), bounded.
vzcr=${VZCR:-vzcr/vzcr}
# a hung engine must fail the test, not the whole run
tvzcr="timeout -k 5 120 $vzcr"
e2e_tmp=$(mktemp -d /tmp/vzcr-e2e.XXXXXX)
trap 'e2e_cleanup' EXIT

e2e_cleanup() {
	local p
	for p in $(cat "$e2e_tmp"/*/pids 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$e2e_tmp"
}

. tests/lib/proc.sh

# what the harness compares before/after: maps and fd targets of every task;
# pipe and socket inodes are new after a restore, so they are numbered by
# first appearance: sharing shows, the number does not
snapshot() {
	local p f
	for p in $(cat "$1/pids"); do
		echo "== $p"
		awk '{ print $1, $2, $6 }' /proc/$p/maps 2>/dev/null
		for f in /proc/$p/fd/*; do
			echo "fd ${f##*/} $(readlink "$f")"
		done 2>/dev/null
	done | awk '{
		if (match($0, /(pipe|socket):\[[0-9]+\]/)) {
			k = substr($0, RSTART, RLENGTH)
			if (!(k in seen)) seen[k] = ++n
			sub(/\[[0-9]+\]/, "#" seen[k])
		}
		print
	}'
}

# wl_start DIR PROG ARGS...: start PROG DIR ARGS..., wait until it is ready
wl_start() {
	local dir=$1
	shift
	mkdir -p "$dir"
	setsid "$1" "$dir" "${@:2}" </dev/null >"$dir/out" 2>&1 &
	disown	# its death is the test's business, not bash's to report
	wait_for 30 test -s "$dir/ready" || { echo "# not ready: $*"; return 1; }
	cat "$dir/ready" | head -n1 >"$dir/root"
}

wl_verdict() {
	local dir=$1
	kill -USR2 "$(cat "$dir/root")"
	wait_for 60 test -s "$dir/result" || { echo "FAIL: no result"; return; }
	cat "$dir/result"
}

# cr_run NAME MODE PROG ARGS...: one TAP point per check
#   MODE kill:  checkpoint (tree killed), restore, go on
#   MODE leave: checkpoint --leave-running, the original goes on and passes,
#               then a restore from the same images, after it is gone
cr_run() {
	local name=$1 mode=$2 dir=$e2e_tmp/$1-$2
	shift 2
	if ! wl_start "$dir" "$@"; then
		ok 1 "$name/$mode: workload starts"
		return
	fi
	tree_pids "$(cat "$dir/root")" >"$dir/pids"
	snapshot "$dir" >"$dir/before"
	local opt=
	[ "$mode" = leave ] && opt=--leave-running
	if ! run_ok "$name/$mode: checkpoint" $tvzcr checkpoint --pid "$(cat "$dir/root")" \
		-D "$dir/img" $opt; then
		return
	fi
	if [ "$mode" = leave ]; then
		is "$(wl_verdict "$dir")" PASS "$name/$mode: the original runs on after the dump"
		rm -f "$dir/result"
	fi
	wait_for 30 all_gone $(cat "$dir/pids") ||
		kill -9 $(cat "$dir/pids") 2>/dev/null
	wait_for 30 all_gone $(cat "$dir/pids")
	ok $? "$name/$mode: the dumped tree is gone"
	# a test may change the host between dump and restore
	declare -F cr_before_restore >/dev/null && cr_before_restore "$dir" "$mode"
	run_ok "$name/$mode: restore" $tvzcr restore -D "$dir/img" --pidfile "$dir/restored" ||
		return
	is "$(cat "$dir/restored")" "$(cat "$dir/root")" "$name/$mode: the root has its pid"
	snapshot "$dir" >"$dir/after"
	diff -u "$dir/before" "$dir/after" >"$dir/diff"
	ok $? "$name/$mode: maps and fds as before"
	[ -s "$dir/diff" ] && head -n 20 "$dir/diff" | sed 's/^/#   /'
	is "$(wl_verdict "$dir")" PASS "$name/$mode: the workload checks itself"
}
