#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The real layout: a container's ext4 image on XFS, mounted through a loop
# device, a writer writing into a file inside it. --sync-fs flushes the
# mounted filesystem before each pass; after the freeze the image must be
# byte-identical.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
ps_need_root

ps_mkfs xfs 600 "$tmp/xfs" || bail_out "cannot make an XFS filesystem on a loop file"
img="$tmp/xfs/root.hdd"
truncate -s 256M "$img"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$img" >/dev/null 2>&1
ok $? "an ext4 image on XFS"
loop=$(losetup -f --show "$img") || bail_out "losetup failed"
ps_loops="$loop $ps_loops"
mkdir -p "$tmp/ct"
mount "$loop" "$tmp/ct" || bail_out "mount of the image failed"
ps_mounts="$tmp/ct $ps_mounts"
head -c 20M /dev/urandom >"$tmp/ct/data"

ps_start_writer "$tmp/ct/data"
"$ps" send "$img" --sync-fs "$tmp/ct" --json --freeze-cmd "$(ps_freeze_cmd)" \
	--to-cmd "$ps -q recv '$tmp/dst.hdd'" >"$tmp/progress" 2>"$tmp/send.err"
ok $? "send of the mounted image with --sync-fs while a writer writes inside"
wait "$ps_wpid"
ps_wpid=""
sed 's/^/# /' "$tmp/progress"
cmp -s "$img" "$tmp/dst.hdd"
ok $? "the received image is byte-identical after the freeze"
done_testing
