#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The first error of a forked namespace helper reaches its caller: a dump
# of an ipc namespace holding a POSIX message queue with a notification
# registered fails in the helper that runs inside the namespace, and the
# caller's summary (log_first_error(), what vzcr prints after "failed:")
# names that queue, not a bare errno.
set -u
. tests/lib/tap.sh
. tests/ns/lib.sh

tmp=$(mktemp -d /tmp/vzcr-ns-helper.XXXXXX)
trap ns_cleanup EXIT
trap 'exit 1' INT TERM

# in a new ipc namespace: a queue made, then nstool registers a notification
q=/helper-error.$$
ns_start -i -- python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
assert libc.mq_open(sys.argv[1].encode(), os.O_CREAT | os.O_RDWR, 0o600, None) >= 0
fd = os.open(sys.argv[3], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.dup2(fd, 1)
os.execv(sys.argv[2], [sys.argv[2], "mqnotify", sys.argv[1]])
' "$q" "$nstool" "$tmp/ready"
wait_for 10 grep -q ready "$tmp/ready"
ok $? "a queue with a notification registered, in an ipc namespace of its own"

"$nstool" dump "$nspid" "$tmp/img" ipc >"$tmp/out" 2>&1
ok $(($? == 0)) "the dump of that ipc namespace fails"
grep -q "^nstool: dump failed: .*mqueue '$q': a notification is registered" "$tmp/out"
ok $? "the caller's summary is the helper's first error" || sed 's/^/#   /' "$tmp/out"
ns_stop
done_testing
