#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ploopsync recv reads OpenVZ `ploop copy` streams (1.x and 7.x formats,
# written by tests/ploopsync/mkploopcopy from an image): byte-identical
# round trips from a file and from a pipe, stale clusters overwritten by a
# later pass, zeros kept as holes; every malformed stream (bad marker, cut,
# no end packet, offset past 16 TiB, size over the limit, unknown type or
# command, device-mode commands, data after the end, big-endian) fails
# naming the cause, exits 1, leaves IMAGE untouched and no temporary file.
# Over a socket, the receiver answers each packet as the 7.x sender waits for.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
mk=tests/ploopsync/mkploopcopy
[ -x "$mk" ] || bail_out "$mk is not built"

# 3 MiB + an odd tail; clusters are 64 KiB: cluster 2 (stale in pass 1) is
# zeros in the end, clusters 20..29 are a hole
img="$tmp/src.hdd"
head -c $((3 * 1048576 + 1234)) /dev/urandom >"$img"
dd if=/dev/zero of="$img" bs=64k seek=2 count=1 conv=notrunc status=none
dd if=/dev/zero of="$img" bs=64k seek=20 count=10 conv=notrunc status=none
mkdir -p "$tmp/dst"

for v in 1 7; do
	"$mk" $v "$img" "$tmp/v$v.s"
	ok $? "$v.x: mkploopcopy writes a stream"
	"$ps" recv "$tmp/dst/v$v.hdd" --from-file "$tmp/v$v.s" 2>"$tmp/err"
	ok $? "$v.x: received from a file"
	grep -q "OpenVZ ploop copy $v.x stream" "$tmp/err"
	ok $? "$v.x: the format was detected from its first bytes"
	cmp -s "$img" "$tmp/dst/v$v.hdd"
	ok $? "$v.x: byte-identical (stale clusters replaced by the later pass)"
	used=$(du -k "$tmp/dst/v$v.hdd" | cut -f1)
	[ "$used" -le $((3 * 1024 - 600)) ]
	ok $? "$v.x: zero clusters stayed holes (${used} KiB allocated)"
	cat "$tmp/v$v.s" | "$ps" -q recv "$tmp/dst/p$v.hdd" && cmp -s "$img" "$tmp/dst/p$v.hdd"
	ok $? "$v.x: received from a pipe, identical"
done

# recv_bad V BAD WORDS: the malformed stream fails naming WORDS, IMAGE untouched
recv_bad() {
	local v=$1 bad=$2 words=$3
	"$mk" "$v" "$img" "$tmp/bad.s" "$bad"
	echo "OLD IMAGE" >"$tmp/dst/image"
	"$ps" recv "$tmp/dst/image" --from-file "$tmp/bad.s" 2>"$tmp/err"
	is $? 1 "$v.x $bad: exit 1"
	grep -q "$words" "$tmp/err"
	ok $? "$v.x $bad: the error says '$words' ($(head -n2 "$tmp/err" | tail -n1))"
	is "$(cat "$tmp/dst/image")" "OLD IMAGE" "$v.x $bad: IMAGE untouched"
	is "$(ls -A "$tmp/dst" | grep -c '^\.')" 0 "$v.x $bad: no temporary file left"
}
rm -f "$tmp"/dst/*
for v in 1 7; do
	recv_bad $v marker "has marker 0x4cc0ac3f, expected"
	recv_bad $v cut "interrupted in the data"
	recv_bad $v noend "interrupted in the packet header"
	recv_bad $v pos "past the largest image"
	recv_bad $v size "over the limit"
	recv_bad $v trailing "data after the ploop copy end packet"
	recv_bad $v bigendian "big-endian host"
done
recv_bad 7 type "unknown type 9"
recv_bad 7 cmd "command 77 .* is unknown"
recv_bad 7 mount "command MOUNT (4) .* not supported"
recv_bad 7 cmdsize "has size 8, expected 4"
recv_bad 7 device "DATA_DEVICE .* not supported"

# a 7.x sender on a socket reads a 4-byte reply to every packet but
# DATA_ASYNC, and a last one after the end; the 1.x sync gets "SUCCESS\n"
for v in 1 7; do
	python3 - "$ps" "$tmp/v$v.s" "$tmp/dst/sock$v.hdd" $v >"$tmp/replies" <<'PY'
import socket, subprocess, sys
ps, stream, image, v = sys.argv[1:5]
a, b = socket.socketpair()
p = subprocess.Popen([ps, "-q", "recv", image, "--from", str(b.fileno())], pass_fds=[b.fileno()])
b.close()
a.sendall(open(stream, "rb").read())
a.shutdown(socket.SHUT_WR)
got = b""
while True:
    d = a.recv(65536)
    if not d:
        break
    got += d
# the replies a 7.x sender waits for: one per packet but DATA_ASYNC and the end, then a last one
data, off, want = open(stream, "rb").read(), 0, 1
while v == "7" and off < len(data):
    typ, size = int.from_bytes(data[off + 4:off + 8], "little"), int.from_bytes(data[off + 8:off + 12], "little")
    want += typ != 2 and size > 0
    off += 24 + size
print(p.wait(), len(got), got.count(b"SUCCESS\n"), 4 * want)
PY
	read -r rc nbytes nsucc want <"$tmp/replies"
	cmp -s "$img" "$tmp/dst/sock$v.hdd" && [ "$rc" = 0 ]
	ok $? "$v.x over a socket: received, identical"
	if [ $v = 7 ]; then
		is "$nbytes" "$want" "7.x over a socket: one 4-byte reply per DATA/CMD packet and one at the end"
	else
		is "$nsucc $nbytes" "2 16" "1.x over a socket: SUCCESS after each of the 2 syncs"
	fi
done
done_testing
