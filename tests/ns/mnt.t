#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The mount namespace (engine/ns_mnt*.c, ns_tmpfs.c): a CT-like set built
# by mnt-ct.sh is dumped, destroyed and restored into a fresh mount
# namespace on the same root directory; from inside (chroot), mountinfo
# (types, sources, roots, options, flags, propagation; ids normalized), the
# files of the tmpfs mounts (modes, owners, links, device nodes, contents)
# and the behaviour (read-only bind, shared/peer/slave propagation) must
# match the original. Refusal: a mount of an unsupported type, named.
set -u
. tests/lib/tap.sh
. tests/ns/lib.sh
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v tar >/dev/null || skip_all "no tar"

tmp=$(mktemp -d /tmp/vzcr-ns-mnt.XXXXXX)
trap ns_cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$tmp/root/bin" "$tmp/mnt"
cp /bin/busybox "$tmp/root/bin/"

# mountinfo without ids and devices, peer groups numbered by first use;
# then every file of the tmpfs mounts with its attributes and a checksum
show_mnt() {
	/bin/busybox awk '{
		n = 0; tags = ""
		for (i = 7; $i != "-"; i++) {
			split($i, kv, ":")
			if (!(kv[2] in g)) g[kv[2]] = ++ng
			tags = tags " " kv[1] ":G" g[kv[2]]
		}
		print $5, $4, $6, tags, "-", $(i+1), $(i+2), $(i+3)
	}' /proc/self/mountinfo
	cd / && /bin/busybox find tmp dev mnt -xdev | /bin/busybox sort | while read -r f; do
		# mtimes of files only: a fresh devpts or mqueue root has its own
		if [ -f "$f" ]; then
			/bin/busybox stat -c '%n %A %u:%g %s %h %Y' "$f"
		else
			/bin/busybox stat -c '%n %A %u:%g %s %h %t,%T' "$f"
		fi
		[ -L "$f" ] && /bin/busybox readlink "$f"
		[ -f "$f" ] && ! [ -p "$f" ] && /bin/busybox md5sum <"$f"
	done
	return 0
}

ns_start -m -n -i -u --propagation private -- bash tests/ns/mnt-ct.sh "$tmp/root"
# mnt-ct.sh has made every mount, pivoted and dropped the old root once it
# runs busybox sleep: dumping earlier races with its last mounts
mounts_done() {
	tr '\0' ' ' </proc/"$nspid"/cmdline 2>/dev/null | grep -q '^/bin/busybox sleep '
}
wait_for 10 mounts_done
ok $? "the CT-like mount tree is built"
nsenter -t "$nspid" -m -p -r -w /bin/busybox sh -c "$(declare -f show_mnt); show_mnt" \
	>"$tmp/before" 2>&1
grep -q ' - tmpfs tmpfs ' "$tmp/before" && grep -q 'tmp/dir/file -rw-r----- 1234:5678' "$tmp/before"
ok $? "the original shows its mounts and files" || sed 's/^/#   /' "$tmp/before" | head -20

run_ok "dump mnt" "$nstool" dump "$nspid" "$tmp/img" mnt
ls "$tmp"/img/mountpoints-*.img >/dev/null 2>&1
ok $? "mountpoints-ID.img written"
is "$(ls "$tmp"/img/tmpfs-dev-*.tar.gz.img | wc -l)" 3 "three tmpfs archives (/dev, /tmp, /mnt/shared)"
if command -v crit >/dev/null; then
	crit show "$tmp"/img/mountpoints-*.img 2>/dev/null | grep -q '"mountpoint": "/dev/pts"'
	ok $? "crit decodes mountpoints"
fi
nsenter -t "$nspid" -m -p -r -w /bin/busybox sh -c "$(declare -f show_mnt); show_mnt" \
	>"$tmp/after-dump" 2>&1
is "$(cat "$tmp/after-dump")" "$(cat "$tmp/before")" "the dump changes nothing"
ns_stop

# restore on the same root directory; check from inside, then behaviour
check="$(declare -f show_mnt); show_mnt
echo ---
touch /mnt/ro/x 2>/dev/null && echo RO-WRITABLE || echo RO-OK
touch /mnt/bind/x && [ -e /data/x ] && rm /data/x && echo BIND-OK
[ \"\$(cat /mnt/filebind)\" = 'data file' ] && echo FILEBIND-OK
mkdir -p /mnt/shared/sub && mount -t tmpfs t /mnt/shared/sub && echo hi >/mnt/shared/sub/h
[ -e /mnt/peer/sub/h ] && echo PEER-OK
[ -e /mnt/slave/sub/h ] && echo SLAVE-GETS-OK
mkdir -p /mnt/slave/sub2 && mount -t tmpfs t /mnt/slave/sub2
[ -e /mnt/shared/sub2 ] && ! mountpoint -q /mnt/shared/sub2 && echo SLAVE-ONLY-OK"
unshare -m -n -i -u -p -f --propagation private "$nstool" restore "$tmp/img" \
	-k mnt -r "$tmp/root" "$tmp/mnt" -- chroot "$tmp/mnt" /bin/busybox sh -c "$check" \
	>"$tmp/restored" 2>&1
ok $? "restore into a fresh mount namespace"
sed '/^---$/,$d' "$tmp/restored" >"$tmp/restored-state"
is "$(cat "$tmp/restored-state")" "$(cat "$tmp/before")" \
	"mountinfo and the tmpfs files are as in the original"
r=$(cat "$tmp/restored")
for want in RO-OK BIND-OK FILEBIND-OK PEER-OK SLAVE-GETS-OK SLAVE-ONLY-OK "/sys / ro,nosuid,nodev,noexec" \
	"devpts devpts rw,gid=5,mode=620,ptmxmode=666" "/mnt/slave / rw,relatime  master:G" \
	"tmp/dir/file -rw-r----- 1234:5678 17 2 981173106" "tmp/symlink lrwxrwxrwx" \
	"dev/null crw-rw-rw- 0:0 0 1 1,3" "tmp/fifo prw-------"; do
	case "$r" in
	*"$want"*) ok 0 "restored: $want" ;;
	*) ok 1 "restored: $want" ;;
	esac
done

# the root on a raw ext4 image: dumped as ext4, restored on a loop device
if command -v mkfs.ext4 >/dev/null && [ -e /dev/loop-control ]; then
	truncate -s 32M "$tmp/disk.img" && mkfs.ext4 -q -F "$tmp/disk.img" && mkdir -p "$tmp/lroot"
	ns_start -m --propagation private -- bash -c 'mount -o loop "$1" "$2" &&
		mkdir -p "$2/bin" && cp /bin/busybox "$2/bin/" && exec bash tests/ns/mnt-ct.sh "$2"' \
		sh "$tmp/disk.img" "$tmp/lroot"
	wait_for 10 mounts_done
	nsenter -t "$nspid" -m -p -r -w /bin/busybox sh -c "$(declare -f show_mnt); show_mnt" |
		sed 's|/dev/loop[0-9]*|/dev/loopN|' >"$tmp/disk-before" 2>&1
	run_ok "dump mnt with the root on a raw ext4 image" "$nstool" dump "$nspid" "$tmp/img-disk" mnt
	ns_stop
	unshare -m -n -i -u -p -f --propagation private "$nstool" restore "$tmp/img-disk" \
		-k mnt -r "$tmp/disk.img" "$tmp/mnt" -- chroot "$tmp/mnt" /bin/busybox sh -c \
		"$(declare -f show_mnt); show_mnt" 2>&1 | sed 's|/dev/loop[0-9]*|/dev/loopN|' \
		>"$tmp/disk-restored"
	grep -q '^/ / rw,relatime  - ext4 /dev/loopN rw' "$tmp/disk-restored"
	ok $? "the root is the image's ext4, on a loop device" || sed 's/^/#   /' "$tmp/disk-restored" | head
	is "$(cat "$tmp/disk-restored")" "$(cat "$tmp/disk-before")" \
		"mounts and files on the image root are as in the original"
else
	ok 0 "# SKIP no mkfs.ext4 or /dev/loop-control"
fi

# refusal: a file system type restore cannot rebuild, named
ns_start -m --propagation private -- bash tests/ns/mnt-ct.sh "$tmp/root" ramfs
wait_for 10 mounts_done
"$nstool" dump "$nspid" "$tmp/img-refused" mnt >"$tmp/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "mount '/mnt/ramfs' (ramfs from 'ramfs'.*ramfs is not supported" "$tmp/out"
ok $? "a ramfs mount is refused, named" || sed 's/^/#   /' "$tmp/out"
done_testing
