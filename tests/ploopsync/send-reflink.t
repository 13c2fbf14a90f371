#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The reflink tracker on XFS (reflink=1) and btrfs made on loop files: a
# writer keeps writing random ranges during the passes; after the freeze
# the received image must be byte-identical. auto must pick reflink there.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
ps_need_root

for fs in xfs btrfs; do
	# this machine has every one of these: a filesystem that cannot be made fails
	if ! ps_mkfs $fs 400 "$tmp/$fs"; then
		ok 1 "$fs: make a filesystem on a loop file"
		continue
	fi
	img="$tmp/$fs/root.hdd"
	ps_image "$img" $((48 * 1048576 + 12345))
	ps_live_copy reflink "$img" "$tmp/$fs-dst.hdd" --block-size 4096 --freeze-ms 1
	ok $? "$fs: send --tracker reflink with a writer running"
	ps_check_copy "$fs" "$img" "$tmp/$fs-dst.hdd"
	grep -q '"tracker":"reflink"' "$tmp/progress"
	ok $? "$fs: progress names the reflink tracker"

	"$ps" send "$img" --to-cmd "$ps -q recv '$tmp/$fs-auto.hdd'" 2>"$tmp/auto.err"
	ok $? "$fs: send with the auto tracker"
	grep -q 'auto picked reflink' "$tmp/auto.err"
	ok $? "$fs: auto says it picked reflink"
	cmp -s "$img" "$tmp/$fs-auto.hdd"
	ok $? "$fs: auto copy is identical"
	is "$(ls -A "$tmp/$fs" | tr '\n' ' ')" "root.hdd " "$fs: no clone left beside the image"
done
done_testing
