#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The chain "live process -> cpt file -> ovz2img -> vzcr restore" for a pty
# pair: cptlive dumps wl-ovztty (its own termios with ^H as erase, a
# window size, two lines of input the slave has not read and output the
# master has not read) as RHEL6 records, then 2.6.18 ones; ovz2img
# translates the TTY section; vzcr restore brings the process back at the
# same pty index and it checks termios, window size, both queues and that
# a canonical line is still echoed and edited. A control run drops
# tty-data.img: the process must notice its queues are gone.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
. tests/e2e/lib.sh

# chain NAME GEN-OPTION [MANGLE]: MANGLE runs on the image directory
chain() {
	local name=$1 opt=$2 mangle=${3:-} dir=$e2e_tmp/$1 pid
	if ! wl_start "$dir" tests/convert/wl-ovztty; then
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
	is "$($ovz --info "$dir/dump.cpt" | awk '$3 == "TTY" {print $5}')" 2 \
		"$name: the dump holds the pair's 2 TTY records"
	run_ok "$name: ovz2img translates it" $ovz "$dir/dump.cpt" "$dir/img" || return 1
	is "$(vzcr/vzcr image show "$dir/img/files.img" | grep -c 'type: TTY')" 2 \
		"$name: 2 tty files in files.img"
	[ -n "$mangle" ] && $mangle "$dir/img"
	run_ok "$name: vzcr restore" $tvzcr restore -D "$dir/img" --pidfile "$dir/restored" ||
		return 1
	is "$(cat "$dir/restored")" "$pid" "$name: the process has its pid"
	snapshot "$dir" >"$dir/after"
	diff -u "$dir/before" "$dir/after" >"$dir/diff"
	ok $? "$name: maps and fds as before (the same pty index)"
	[ -s "$dir/diff" ] && head -n 20 "$dir/diff" | sed 's/^/#   /'
	wl_verdict "$dir" >"$dir/verdict"
	[ -s "$dir/out" ] && sed 's/^/#   /' "$dir/out"
	return 0
}

for gen in rhel6:"" rhel5:--rhel5; do
	name=${gen%%:*}
	chain "$name" "${gen#*:}" && is "$(cat "$e2e_tmp/$name/verdict")" PASS "$name: the process checks itself"
done

# control: without tty-data.img the restored process finds its queues empty
nodata() { rm -f "$1/tty-data.img"; }
if chain control "" nodata; then
	grep -q "^FAIL: queued output" "$e2e_tmp/control/verdict"
	ok $? "control: the process sees its data gone and fails ($(cat "$e2e_tmp/control/verdict"))"
fi
done_testing
