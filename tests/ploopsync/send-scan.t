#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The scan tracker on ext4 (a loop file) and tmpfs with a writer running;
# sparse and odd-sized images; a freeze command that does not stop the
# writer must make the sender fail and leave the destination untouched;
# the ploop tracker says its driver is absent.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
ps_need_root

for fs in ext4 tmpfs; do
	# this machine has every one of these: a filesystem that cannot be made fails
	if ! ps_mkfs $fs 200 "$tmp/$fs"; then
		ok 1 "$fs: make a filesystem on a loop file"
		continue
	fi
	img="$tmp/$fs/root.hdd"
	ps_image "$img" $((24 * 1048576 + 777))
	ps_live_copy scan "$img" "$tmp/$fs-dst.hdd" --block-size 16384
	ok $? "$fs: send --tracker scan with a writer running"
	ps_check_copy "$fs" "$img" "$tmp/$fs-dst.hdd"
done

# sparse: a 1 GiB image with 2 MiB of data stays sparse at the receiver
img="$tmp/sparse.hdd"
truncate -s 1G "$img"
dd if=/dev/urandom of="$img" bs=1M count=2 seek=500 conv=notrunc status=none
"$ps" -q send "$img" --tracker scan --to-cmd "$ps -q recv '$tmp/sparse-dst.hdd'"
ok $? "sparse: send a 1 GiB image holding 2 MiB"
cmp -s "$img" "$tmp/sparse-dst.hdd"
ok $? "sparse: identical"
used=$(du -k "$tmp/sparse-dst.hdd" | cut -f1)
[ "$used" -lt 8192 ]
ok $? "sparse: the received image stays sparse (${used} KiB allocated)"

# odd sizes, smaller than one block and one byte over a block
for size in 1 4097 65535 65537; do
	head -c $size /dev/urandom >"$tmp/odd"
	"$ps" -q send "$tmp/odd" --to-file "$tmp/odd.s" && "$ps" -q recv "$tmp/odd.dst" --from-file "$tmp/odd.s" &&
		cmp -s "$tmp/odd" "$tmp/odd.dst"
	ok $? "odd size $size: identical"
done

# a freeze command that leaves the writer running: the proof pass fails
img="$tmp/busy.hdd"
ps_image "$img" $((8 * 1048576))
echo "OLD" >"$tmp/busy-dst.hdd"
# The writer sleeps 1 ms between writes and the last pass and the check pass of
# 8 MiB take a few ms: on a loaded machine one try may see no write in between.
for try in 1 2 3; do
	ps_start_writer "$img"
	"$ps" send "$img" --tracker scan --freeze-cmd true --to-cmd "$ps -q recv '$tmp/busy-dst.hdd'" \
		>/dev/null 2>"$tmp/busy.err"
	rc=$?
	kill "$ps_wpid"; wait "$ps_wpid"; ps_wpid=""
	[ $rc -ne 0 ] && break
done
[ $rc -ne 0 ] && grep -q 'still changes after the freeze' "$tmp/busy.err"
ok $? "a writer still running after the freeze fails the send, named"
is "$(cat "$tmp/busy-dst.hdd")" "OLD" "the destination is left untouched"

head -c 1000000 /dev/urandom >"$tmp/grow"
"$ps" send "$tmp/grow" --tracker scan --freeze-cmd "echo more >>'$tmp/grow'" --to-file "$tmp/g.s" 2>"$tmp/grow.err"
[ $? -eq 1 ] && grep -q 'changed size during the copy' "$tmp/grow.err"
ok $? "an image that changes size during the copy fails the send, named"

"$ps" send "$img" --tracker ploop --to-file "$tmp/p.s" 2>"$tmp/ploop.err"
[ $? -eq 1 ] && grep -q 'ploop kernel driver is absent' "$tmp/ploop.err"
ok $? "--tracker ploop says the driver is absent"
"$ps" send "$img" --tracker bogus --to-file "$tmp/p.s" 2>/dev/null
is $? 1 "an unknown tracker is refused"
"$ps" send "$img" 2>/dev/null
is $? 2 "send without a destination is a usage error"
done_testing
