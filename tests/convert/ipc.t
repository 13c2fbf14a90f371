#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The CT's uts and SysV IPC through ovz2img into the engine's namespace
# images, rebuilt by the engine's own ns library (tests/ns/nstool restore)
# in fresh ipc and uts namespaces (unshare: the host's are never touched):
# mkcpt's semaphore set (values), message queue (two messages, the first
# unpadded in the dump), shm segment (10000 bytes, its second page written)
# and host name come back with their ids, keys, owners and modes, for the
# RHEL6 and the 2.6.18 record sizes. Malformed IPC records are refused.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
conv_tmpdir
nstool=tests/ns/nstool

unshare -i -u true 2>/dev/null || skip_all "unshare -i -u fails: no new ipc/uts namespaces here"
# the shm hash nstool prints for 4096 zero bytes, 4096 of 'M', 1808 zero bytes
want_shm_hash=$(python3 -c '
import sys
d = bytes(4096) + b"M" * 4096 + bytes(1808)
h = 5381
for b in d:
    h = (h * 33 + b) & 0xffffffffffffffff
print("%x" % h)')

for gen in rhel6 rhel5; do
	$mk "$gen" "$tmp/$gen.cpt"
	run_ok "$gen: ovz2img translates" $ovz "$tmp/$gen.cpt" "$tmp/$gen" || continue
	for k in var sem msg shm; do
		test -s "$tmp/$gen/ipcns-$k-1.img"
		ok $? "$gen: ipcns-$k-1.img written"
	done
	unshare -i -u $nstool restore "$tmp/$gen" -k uts,ipc -- \
		sh -c "hostname; $nstool showipc; sysctl -n kernel.msgmnb kernel.sem" >"$tmp/$gen.out" 2>&1
	ok $? "$gen: the engine restores uts and ipc into fresh namespaces"
	grep -v '^mqueue' "$tmp/$gen.out" >"$tmp/$gen.got"
	cat >"$tmp/want" <<W
ct101.example.org
sem id=0 key=0x5e11 uid=1000 gid=100 mode=640 7 0 42
msg id=32768 key=0x3e55 uid=1000 gid=100 mode=600 qnum=2 qbytes=16384
  type=1 len=5 text=first
  type=5 len=11 text=second-msg!
shm id=1 key=0x5a5a uid=1000 gid=100 mode=600 bytes=10000 hash=$want_shm_hash
16384
32000	1024000000	500	32000
W
	diff -u "$tmp/want" "$tmp/$gen.got" >"$tmp/diff"
	ok $? "$gen: host name, semaphores, messages, shm contents as in the dump" ||
		sed 's/^/#   /' "$tmp/diff"
done
is "$(hostname)" "$(cat /proc/sys/kernel/hostname)" "the host's name is untouched"
ipcs -q | grep -q 0x00003e55
ok $((!$?)) "the host's ipc namespace holds none of the dump's objects"
done_testing
