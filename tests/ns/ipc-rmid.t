#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A SysV shm segment of an ipc namespace removed (IPC_RMID) while attached
# (engine/ns_ipc.c): the dump keeps it, with SHM_DEST in desc.mode and the
# key it was made with (the kernel shows key 0 for it by now), and the ipc
# restore makes it again with its id, that key and its contents. Removing
# it again once a task attached it is the engine's part: tests/ct/cr.t.
set -u
. tests/lib/tap.sh
. tests/ns/lib.sh

tmp=$(mktemp -d /tmp/vzcr-ns-ipc-rmid.XXXXXX)
trap ns_cleanup EXIT
trap 'exit 1' INT TERM
command -v python3 >/dev/null || skip_all "needs python3 (ctypes) to hold a segment"

key=$(printf '7a5e%04x' $(($$ & 0xffff)))
# make a segment with a key, attach it, fill it, remove it and stay attached
cat >"$tmp/seg.py" <<'EOF'
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
sid = libc.shmget(int(sys.argv[1], 16), 8192, 0o1000 | 0o640)
p = libc.shmat(sid, None, 0)
if sid < 0 or p in (None, 2**64 - 1):
	sys.exit(1)
ctypes.memmove(p, b"removed-but-attached", 20)
libc.shmctl(sid, 0, None)
open(sys.argv[2], "w").write("%d\n" % sid)
time.sleep(1000)
EOF
# print key, id, size and the first 20 bytes of each segment
cat >"$tmp/show.py" <<'EOF'
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
for line in open("/proc/sysvipc/shm").readlines()[1:]:
	f = line.split()
	p = libc.shmat(int(f[1]), None, 0o10000)
	print(f[0], f[1], f[2], f[3], ctypes.string_at(p, 20).decode())
EOF

ns_start -i -- python3 "$tmp/seg.py" "$key" "$tmp/ready"
wait_for 10 test -s "$tmp/ready"
ok $? "a segment with key 0x$key removed while attached in an ipc namespace"
is "$(nsenter -t "$nspid" -i awk 'NR > 1 { print $1, $3 }' /proc/sysvipc/shm)" "0 1640" \
	"the kernel shows it with key 0 and SHM_DEST"
run_ok "dump the ipc namespace" "$nstool" dump "$nspid" "$tmp/img" ipc
vzcr/vzcr image show "$tmp/img" >"$tmp/show" 2>&1
grep -q "key: $((0x$key))\$" "$tmp/show" && grep -q 'mode: 928$' "$tmp/show" &&
	grep -q '+ 8192 bytes of data' "$tmp/show"
ok $? "ipcns-shm has it: its first key, mode 01640 (SHM_DEST), its contents" ||
	sed 's/^/#   /' "$tmp/show"
ns_stop

unshare -i -m -p -f --propagation private "$nstool" restore "$tmp/img" -k ipc -- \
	python3 "$tmp/show.py" >"$tmp/restored" 2>&1
ok $? "restore into a fresh ipc namespace" || sed 's/^/#   /' "$tmp/restored"
is "$(cat "$tmp/restored")" "$((0x$key)) 0 640 8192 removed-but-attached" \
	"made again with its id, first key, mode and contents (removed again by the engine once attached)"

done_testing
