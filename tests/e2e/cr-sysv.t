#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# SysV shared memory attached by a process tree of the host's ipc
# namespace (tests/e2e/wl-sysv.c): kill mode with the segments gone before
# the restore (made again with their ids, keys and contents), leave mode
# (the original's segments reused), and an id taken by another segment
# (refused by name; the same images restore once it is free).
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

sysv_cleanup() {
	local f id
	for f in "$e2e_tmp"/*/ipc; do
		[ -s "$f" ] || continue
		read -r a b c sem msg <"$f"
		ipcrm -m "$a" -m "$b" -m "$c" -s "$sem" -q "$msg" 2>/dev/null
	done
	for id in $(cat "$e2e_tmp"/intruder 2>/dev/null); do
		ipcrm -m "$id" 2>/dev/null
	done
	e2e_cleanup
}
trap sysv_cleanup EXIT
trap 'exit 1' INT TERM

# kill mode: A and B would outlive the killed tree; remove them so that the
# restore has to make them again from the images
cr_before_restore() {
	local a b rest
	[ "$2" = kill ] || return 0
	read -r a b rest <"$1/ipc"
	ipcrm -m "$a" -m "$b"
	ok $? "sysv/kill: segments $a and $b removed before the restore"
}
cr_run sysv kill tests/e2e/wl-sysv
unset -f cr_before_restore

# what the images hold: the VMAs of the segments and the segments themselves
dir=$e2e_tmp/sysv-kill
read -r a b c rest <"$dir/ipc"
root=$(cat "$dir/root")
python3 - "$dir/img" "$root" "$a" "$b" "$c" "$vzcr" <<'PYEOF'
import json, subprocess, sys
img, root, a, b, c, vzcr = sys.argv[1:]
mm = json.loads(subprocess.check_output([vzcr, 'image', 'show', '--json', img + '/mm-%s.img' % root]))
ids = sorted(v['shmid'] for v in mm['entries'][0]['vmas'] if v['status'] & (1 << 10))
assert ids == sorted(int(x) for x in (a, b, c)), ids
for x in (a, b, c):
    e = json.loads(subprocess.check_output([vzcr, 'image', 'show', '--json',
                                            img + '/vzcr-sysv-shm-%s.img' % x]))['entries'][0]
    assert e['desc']['id'] == int(x) and e['size'] == 8 * 4096 - 100, e
PYEOF
ok $? "sysv/kill: the VMAs name their shmids; one image per segment"
[ "$(cat "$dir/result" 2>/dev/null)" = PASS ] && kill -9 "$root" 2>/dev/null

cr_run sysv leave tests/e2e/wl-sysv

# an id taken by another segment at restore time
dir=$e2e_tmp/taken
if wl_start "$dir" tests/e2e/wl-sysv; then
	root=$(cat "$dir/root")
	tree_pids "$root" >"$dir/pids"
	run_ok "taken: checkpoint" $tvzcr checkpoint --pid "$root" -D "$dir/img"
	wait_for 30 all_gone $(cat "$dir/pids")
	read -r a rest <"$dir/ipc"
	ipcrm -m "$a"
	echo "$a" >/proc/sys/kernel/shm_next_id
	intruder=$(ipcmk -M 8192 | awk '{ print $NF }')
	echo "$intruder" >>"$e2e_tmp/intruder"
	is "$intruder" "$a" "taken: another segment has id $a"
	out=$($tvzcr restore -D "$dir/img" 2>&1)
	ok $(($? == 0)) "taken: the restore fails"
	printf '%s\n' "$out" | grep -q "SysV shm id $a .*the id is taken by a segment"
	ok $? "taken: and names the segment" || printf '%s\n' "$out" | sed 's/^/#   /' | head -n 5
	wait_for 30 all_gone $(cat "$dir/pids")
	ok $? "taken: the tasks made so far are gone"
	ipcrm -m "$intruder"
	run_ok "taken: the same images restore once the id is free" \
		$tvzcr restore -D "$dir/img" --pidfile "$dir/restored"
	is "$(wl_verdict "$dir")" PASS "taken: the workload checks itself"
else
	ok 1 "taken: workload starts"
fi
done_testing
