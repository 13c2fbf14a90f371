#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Files with state of their own across checkpoint/restore, each workload in
# both modes: eventfd, signalfd, timerfd and epoll (wl-fds-ev), inotify
# (wl-fds-inotify), memfd with its mappings (wl-fds-memfd), pty pairs and a
# controlling terminal (wl-fds-tty), pidfds (wl-fds-pidfd).
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

# refuse NAME VAR PROG PATTERN: with VAR=1 the workload holds what cannot be
# dumped; the dump fails naming the task, the fd and the object (PATTERN),
# leaves no inventory.img, and the tree runs on with its maps and fds
refuse() {
	local name=$1 var=$2 prog=$3 pattern=$4 dir=$e2e_tmp/refuse-$1 out
	# not in a subshell: its exit would run the harness's cleanup trap
	export "$var=1"
	wl_start "$dir" "$prog"
	local started=$?
	unset "$var"
	if [ $started -ne 0 ]; then
		ok 1 "refuse $name: workload starts"
		return
	fi
	tree_pids "$(cat "$dir/root")" >"$dir/pids"
	snapshot "$dir" >"$dir/before"
	out=$($tvzcr checkpoint --pid "$(cat "$dir/root")" -D "$dir/img" 2>&1)
	ok $((! $?)) "refuse $name: checkpoint fails"
	if printf '%s\n' "$out" | grep -qE "task $(cat "$dir/root") fd [0-9]+.*$pattern"; then
		ok 0 "refuse $name: the error names the task, the fd and the object"
	else
		ok 1 "refuse $name: the error names the task, the fd and the object"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -n 10
	fi
	[ ! -e "$dir/img/inventory.img" ]
	ok $? "refuse $name: no inventory.img"
	snapshot "$dir" >"$dir/after"
	diff -u "$dir/before" "$dir/after" >"$dir/diff"
	ok $? "refuse $name: the tree runs on with its maps and fds"
	kill -9 $(cat "$dir/pids") 2>/dev/null
}

# CRIU keeps no path for an inotify watch, only the file handle: crit drops
# ours, and the restore must find the inodes by their handles
cr_criu_inotify() {
	local dir=$e2e_tmp/criu-inotify
	if ! wl_start "$dir" tests/e2e/wl-fds-inotify; then
		ok 1 "criu inotify: workload starts"
		return
	fi
	tree_pids "$(cat "$dir/root")" >"$dir/pids"
	run_ok "criu inotify: checkpoint" $tvzcr checkpoint --pid "$(cat "$dir/root")" -D "$dir/img" ||
		return
	wait_for 30 all_gone $(cat "$dir/pids")
	crit decode -i "$dir/img/files.img" -o "$dir/files.json" && python3 - "$dir/files.json" <<'PYEOF' &&
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
for e in d['entries']:
    for w in e.get('ify', {}).get('wd', []):
        del w['f_handle']['path']
        n += 1
if n != 2:
    sys.exit('%d watches, want 2' % n)
json.dump(d, open(sys.argv[1], 'w'))
PYEOF
		crit encode -i "$dir/files.json" -o "$dir/img/files.img"
	ok $? "criu inotify: crit drops the paths of the watches"
	run_ok "criu inotify: restore" $tvzcr restore -D "$dir/img" || return
	is "$(wl_verdict "$dir")" PASS "criu inotify: the workload checks itself"
}

# On a devpts shared with others the dumped pty index may be taken at
# restore: the restore fails naming the pty, leaves no task, and once the
# index is free again the same images restore.
cr_pty_taken() {
	local dir=$e2e_tmp/pty-taken idx holder out rc
	if ! wl_start "$dir" tests/e2e/wl-fds-tty; then
		ok 1 "pty taken: workload starts"
		return
	fi
	tree_pids "$(cat "$dir/root")" >"$dir/pids"
	idx=$(readlink "/proc/$(cat "$dir/root")"/fd/* | sed -n 's|^/dev/pts/||p' | sort -n | head -n1)
	run_ok "pty taken: checkpoint" $tvzcr checkpoint --pid "$(cat "$dir/root")" -D "$dir/img" ||
		return
	wait_for 30 all_gone $(cat "$dir/pids")
	# open ptys until we hold the dumped index, keep that one
	python3 - "$idx" "$dir/held" <<'PYEOF' &
import fcntl, os, struct, sys, time
TIOCGPTN = 0x80045430
want, held = int(sys.argv[1]), []
while True:
    fd = os.open('/dev/ptmx', os.O_RDWR | os.O_NOCTTY)
    n = struct.unpack('I', fcntl.ioctl(fd, TIOCGPTN, b'\0' * 4))[0]
    if n > want:
        sys.exit('pty %d is taken by someone else' % want)
    held.append(fd)
    if n == want:
        break
for fd in held[:-1]:
    os.close(fd)
open(sys.argv[2], 'w').write('%d\n' % n)
time.sleep(120)
PYEOF
	holder=$!
	mkdir -p "$e2e_tmp/pty-holder" && echo "$holder" >"$e2e_tmp/pty-holder/pids"	# for the cleanup
	wait_for 10 test -s "$dir/held"
	ok $? "pty taken: another process holds pty $idx"
	[ -s "$dir/held" ] || return
	out=$($tvzcr restore -D "$dir/img" 2>&1)
	if [ $? -eq 0 ]; then
		ok 1 "pty taken: restore fails"
		kill -9 $(cat "$dir/pids") 2>/dev/null
		kill "$holder"
		return
	fi
	ok 0 "pty taken: restore fails"
	printf '%s\n' "$out" | grep -q "Failed to restore pty $idx: the index is taken"
	rc=$?
	ok $rc "pty taken: the error names the pty"
	[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /' | head -n 5
	wait_for 10 all_gone $(cat "$dir/pids")
	ok $? "pty taken: no task left"
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	run_ok "pty taken: restore once the index is free" $tvzcr restore -D "$dir/img" || return
	is "$(wl_verdict "$dir")" PASS "pty taken: the workload checks itself"
}

for mode in kill leave; do
	cr_run fds-ev $mode tests/e2e/wl-fds-ev
	cr_run fds-inotify $mode tests/e2e/wl-fds-inotify
	cr_run fds-memfd $mode tests/e2e/wl-fds-memfd
	cr_run fds-tty $mode tests/e2e/wl-fds-tty
	cr_run fds-pidfd $mode tests/e2e/wl-fds-pidfd
done
command -v crit >/dev/null && cr_criu_inotify
cr_pty_taken
refuse epoll-stale WL_EPOLL_STALE tests/e2e/wl-fds-ev \
	'epoll target fd [0-9]+ was closed or replaced'
refuse inotify-queue WL_INOTIFY_QUEUE tests/e2e/wl-fds-inotify \
	'inotify has [0-9]+ bytes of events queued'
refuse pidfd-outside WL_PIDFD_OUTSIDE tests/e2e/wl-fds-pidfd \
	'pidfd of process [0-9]+, outside the tree'
refuse tty-queue WL_TTY_QUEUE tests/e2e/wl-fds-tty \
	"/dev/ptmx'\\): pty [0-9]+ has [0-9]+ bytes of output the master did not read, in packet mode"
done_testing
