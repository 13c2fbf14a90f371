#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The CT's mount list through ovz2img into mountpoints-1.img, rebuilt by the
# engine's own ns library (tests/ns/nstool restore) in a fresh mount
# namespace (unshare) on a root of our own: mkcpt's root, proc, a read-only
# sysfs, devpts, a tmpfs with a file in the dump's tar archive, and a bind
# mount of /srv/data; RHEL6 records (parent and bind references) and 2.6.18
# ones (24-byte records: parents found by path). Refusals: refuse.t.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
conv_tmpdir 'umount -R "$tmp/tgt" 2>/dev/null'
nstool=$PWD/tests/ns/nstool

unshare -m -n -i -u -p -f --propagation private true 2>/dev/null ||
	skip_all "unshare fails: no new mount/net/pid namespaces here"
command -v gzip >/dev/null || skip_all "gzip missing: the tmpfs archive cannot be written"

for gen in rhel6 rhel5; do
	$mk "$gen" "$tmp/$gen.cpt"
	run_ok "$gen: ovz2img translates" $ovz "$tmp/$gen.cpt" "$tmp/$gen" || continue
	vzcr/vzcr image show --json "$tmp/$gen/mountpoints-1.img" >"$tmp/$gen.json"
	is "$(python3 -c 'import json, sys
for e in json.load(open(sys.argv[1]))["entries"]:
    print(e["mnt_id"], e["parent_mnt_id"], e["fstype"], e["root"], e["mountpoint"], e["fsname"], end="; ")' \
		"$tmp/$gen.json")" \
		"1 0 7 / / simfs; 2 1 1 / /proc proc; 3 1 2 / /sys sysfs; 4 1 6 / /dev/pts devpts; 5 1 5 / /tmp tmpfs; 6 1 7 /srv/data /mnt/data simfs; " \
		"$gen: mounts, parents, types, the bind's root"
	zcat "$tmp/$gen/tmpfs-dev-1004.tar.gz.img" | tar tf - >"$tmp/list" 2>&1
	is "$(cat "$tmp/list")" "hello.txt" "$gen: the tmpfs archive, gzipped"
	rm -rf "$tmp/root" && mkdir -p "$tmp/root/srv/data" "$tmp/tgt" &&
		echo "bound file" >"$tmp/root/srv/data/file"
	(cd "$tmp" && timeout 60 unshare -m -n -i -u -p -f --propagation private "$nstool" restore \
		"$tmp/$gen" -k mnt -r root tgt -- sh -c 'cat tgt/tmp/hello.txt tgt/mnt/data/file
		grep " $PWD/tgt/" /proc/self/mountinfo | cut -d" " -f4,5,6,8-
		touch tgt/sys/x 2>/dev/null || echo SYS-RO') >"$tmp/out" 2>&1
	ok $? "$gen: the engine restores the mounts into a fresh namespace" ||
		sed 's/^/#   /' "$tmp/out"
	cat >"$tmp/want" <<W
tmpfs data
bound file
/ $tmp/tgt/proc rw,nosuid,nodev,noexec,relatime proc proc rw
/ $tmp/tgt/sys ro,nosuid,nodev,noexec,relatime sysfs sysfs ro
/ $tmp/tgt/dev/pts rw,nosuid,noexec,relatime devpts devpts rw,gid=5,mode=620,ptmxmode=666
/ $tmp/tgt/tmp rw,nosuid,nodev,relatime tmpfs tmpfs rw
$tmp/root/srv/data $tmp/tgt/mnt/data rw,relatime $(findmnt -n -o FSTYPE --target "$tmp") $(findmnt -n -o SOURCE --target "$tmp") $(findmnt -n -o FS-OPTIONS --target "$tmp")
SYS-RO
W
	diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"
	ok $? "$gen: the tmpfs file, the bind, the flags of each mount as in the dump" ||
		sed 's/^/#   /' "$tmp/diff"
done
done_testing
