#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The first error of a forked namespace helper reaches its caller: a dump
# of an ipc namespace holding a SysV segment removed while attached fails
# in the helper that runs inside the namespace, and the caller's summary
# (log_first_error(), what vzcr prints after "failed:") names that segment,
# not a bare errno.
set -u
. tests/lib/tap.sh
. tests/ns/lib.sh

tmp=$(mktemp -d /tmp/vzcr-ns-helper.XXXXXX)
trap ns_cleanup EXIT
trap 'exit 1' INT TERM

# in a new ipc namespace: a segment attached, then removed
ns_start -i -- python3 -c '
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shmid = libc.shmget(0, 8192, 0o1600)
assert shmid >= 0 and libc.shmat(shmid, None, 0) not in (None, 2**64 - 1)
assert libc.shmctl(shmid, 0, None) == 0     # IPC_RMID
open(sys.argv[1], "w").write("%d\n" % shmid)
time.sleep(1000)
' "$tmp/ready"
wait_for 10 test -s "$tmp/ready"
ok $? "a segment removed while attached, in an ipc namespace of its own"

"$nstool" dump "$nspid" "$tmp/img" ipc >"$tmp/out" 2>&1
ok $(($? == 0)) "the dump of that ipc namespace fails"
grep -q "^nstool: dump failed: .*shm id $(cat "$tmp/ready") .*removed but still attached" "$tmp/out"
ok $? "the caller's summary is the helper's first error" || sed 's/^/#   /' "$tmp/out"
ns_stop
done_testing
