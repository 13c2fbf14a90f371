#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The chain "live process -> cpt file -> ovz2img -> vzcr restore": cptlive
# dumps the running workload wl-ovz the way an OpenVZ kernel would (RHEL6
# records, then 2.6.18 ones) and kills it; ovz2img translates the dump;
# vzcr restore brings the process back with its pid; its maps and fds are
# as before and it checks its own memory, files, signals, timers and FPU.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
. tests/e2e/lib.sh

# chain NAME GEN-OPTION WORKLOAD-ARGS...
chain() {
	local name=$1 opt=$2 dir=$e2e_tmp/$1 pid
	shift 2
	if ! wl_start "$dir" tests/e2e/wl-ovz "$@"; then
		ok 1 "$name: workload starts"
		return
	fi
	pid=$(cat "$dir/root")
	tree_pids "$pid" >"$dir/pids"
	snapshot "$dir" >"$dir/before"
	is "$(wc -l <"$dir/pids")" 4 "$name: a tree of four processes (a zombie, a stopped one)"
	is "$(ls /proc/"$pid"/task | wc -l)" 2 "$name: the root has two threads"
	run_ok "$name: cptlive dumps the live tree and kills it" \
		$live $opt --kill "$pid" "$dir/dump.cpt" || return
	wait_for 30 all_gone $(cat "$dir/pids")
	ok $? "$name: the dumped tree is gone"
	$ovz --info "$dir/dump.cpt" >"$dir/info"
	ok $? "$name: ovz2img --info reads the dump"
	run_ok "$name: ovz2img translates it" $ovz "$dir/dump.cpt" "$dir/img" || return
	test -s "$dir/img/inventory.img"
	ok $? "$name: the set has its inventory"
	is "$(ls -a "$dir" | grep -c ovz2img)" 0 "$name: no temporary directory left"
	run_ok "$name: vzcr restore" $tvzcr restore -D "$dir/img" --pidfile "$dir/restored" ||
		return
	is "$(cat "$dir/restored")" "$pid" "$name: the process has its pid"
	snapshot "$dir" >"$dir/after"
	diff -u "$dir/before" "$dir/after" >"$dir/diff"
	ok $? "$name: maps and fds as before"
	[ -s "$dir/diff" ] && head -n 20 "$dir/diff" | sed 's/^/#   /'
	is "$(wl_verdict "$dir")" PASS "$name: the process checks itself"
	[ -s "$dir/out" ] && sed 's/^/#   /' "$dir/out"
}

chain rhel6 ""

# control: the chain can fail. The same kind of dump, its translated cwd
# pointed at the root (crit decode/encode): the process must see it
control() {
	local dir=$e2e_tmp/control pid
	if ! [ -x /usr/bin/crit ]; then
		ok 0 "# SKIP crit (Debian package criu) missing: no control run"
		return
	fi
	wl_start "$dir" tests/e2e/wl-ovz || { ok 1 "control: workload starts"; return; }
	pid=$(cat "$dir/root")
	tree_pids "$pid" >"$dir/pids"
	$live --kill "$pid" "$dir/dump.cpt" && $ovz "$dir/dump.cpt" "$dir/img" >/dev/null
	ok $? "control: dumped and translated"
	wait_for 30 all_gone $(cat "$dir/pids")
	/usr/bin/crit decode -i "$dir/img/fs-$pid.img" -o "$dir/fs.json" &&
		/usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
j["entries"][0]["cwd_id"] = j["entries"][0]["root_id"]
json.dump(j, open(sys.argv[1], "w"))' "$dir/fs.json" &&
		/usr/bin/crit encode -i "$dir/fs.json" -o "$dir/img/fs-$pid.img"
	ok $? "control: cwd changed in fs-$pid.img"
	run_ok "control: vzcr restore" $tvzcr restore -D "$dir/img" --pidfile "$dir/restored" ||
		return
	wl_verdict "$dir" >"$dir/verdict"
	grep -q "^FAIL: cwd kept" "$dir/verdict"
	ok $? "control: the process sees its cwd changed and fails ($(cat "$dir/verdict"))"
}
control
grep -q "^version: *0x803" "$e2e_tmp/rhel6/info"
ok $? "rhel6: the dump says version 0x803"
chain rhel5 --rhel5 no-posix-timers
grep -q "^version: *0x304" "$e2e_tmp/rhel5/info"
ok $? "rhel5: the dump says version 0x304"
done_testing
