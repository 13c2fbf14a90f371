#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The chain "live process -> cpt file -> ovz2img -> vzcr restore" for
# sockets: cptlive dumps wl-ovzsock (a unix stream pair with data both ways
# and one end shut, a datagram pair with two messages, a named datagram
# socket with a message, a listener; a TCP listener and a connection to it
# with unread data both ways, read in repair mode) as RHEL6 records, then
# 2.6.18 ones; ovz2img
# translates the SOCKET section; vzcr restore brings the process back and it
# checks every queue, name, option and connection itself. A control run
# drops the queued data from the images: the process must notice.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
. tests/e2e/lib.sh

# chain NAME GEN-OPTION [MANGLE]: MANGLE runs on the image directory
chain() {
	local name=$1 opt=$2 mangle=${3:-} dir=$e2e_tmp/$1 pid
	if ! wl_start "$dir" tests/convert/wl-ovzsock; then
		ok 1 "$name: workload starts"
		return 1
	fi
	pid=$(cat "$dir/root")
	tree_pids "$pid" >"$dir/pids"
	snapshot "$dir" >"$dir/before"
	run_ok "$name: cptlive dumps the live process and kills it" \
		$live $opt --kill "$pid" "$dir/dump.cpt" || return 1
	wait_for 30 all_gone $(cat "$dir/pids")
	ok $? "$name: the dumped process is gone"
	is "$($ovz --info "$dir/dump.cpt" | awk '$3 == "SOCKET" {print $5}')" 10 \
		"$name: the dump holds 10 sockets"
	run_ok "$name: ovz2img translates it" $ovz "$dir/dump.cpt" "$dir/img" || return 1
	is "$(vzcr/vzcr image show "$dir/img/files.img" | grep -c 'type: UNIXSK')" 7 \
		"$name: 7 unix sockets in files.img"
	is "$(vzcr/vzcr image show "$dir/img/files.img" | grep -c 'type: INETSK')" 3 \
		"$name: 3 TCP sockets in files.img"
	is "$(ls "$dir/img" | grep -c '^tcp-stream-')" 2 "$name: 2 established connections"
	[ -n "$mangle" ] && $mangle "$dir/img"
	run_ok "$name: vzcr restore" $tvzcr restore -D "$dir/img" --pidfile "$dir/restored" ||
		return 1
	is "$(cat "$dir/restored")" "$pid" "$name: the process has its pid"
	snapshot "$dir" >"$dir/after"
	diff -u "$dir/before" "$dir/after" >"$dir/diff"
	ok $? "$name: maps and fds as before"
	[ -s "$dir/diff" ] && head -n 20 "$dir/diff" | sed 's/^/#   /'
	wl_verdict "$dir" >"$dir/verdict"
	[ -s "$dir/out" ] && sed 's/^/#   /' "$dir/out"
	return 0
}

for gen in rhel6:"" rhel5:--rhel5; do
	name=${gen%%:*}
	chain "$name" "${gen#*:}" && is "$(cat "$e2e_tmp/$name/verdict")" PASS "$name: the process checks itself"
done

# control: without sk-queues.img the restored process finds its queues empty
noqueues() { rm -f "$1/sk-queues.img"; }
if chain control "" noqueues; then
	grep -q "^FAIL: stream pair: end 1's queue" "$e2e_tmp/control/verdict"
	ok $? "control: the process sees its data gone and fails ($(cat "$e2e_tmp/control/verdict"))"
fi
done_testing
