#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A container whose root is an ext4 filesystem in a raw image (create --disk):
# the image is sparse and fsck-clean, start attaches it to an autoclear loop
# device mounted on VE_ROOT, files written inside survive stop and start, stop
# leaves no mount and no loop device and a clean filesystem, leftovers of a
# crash (a killed init, a loop device bound by hand) are cleaned by the next
# stop or start, destroy removes everything, and bad sizes are refused naming
# --disk. Needs root, loop devices and e2fsprogs. Every CT, mount and loop
# device is removed on every exit path.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
[ -e /dev/loop-control ] || skip_all "no /dev/loop-control (loop driver)"
[ -x /sbin/mke2fs ] && [ -x /sbin/e2fsck ] || skip_all "no e2fsprogs"
tmp=$(mktemp -d /tmp/vzcr-ct-disk.XXXXXX)
export VZCR_ROOT=$tmp/r
img=$VZCR_ROOT/vz/private/701/root.hdd
root=$VZCR_ROOT/vz/root/701

# loop devices bound to the image, one per line
loops() {
	[ -e "$img" ] && losetup -n -O NAME -j "$img"
}
mounted() {
	mountpoint -q "$root"
}
cleanup() {
	local s pid l
	s=$VZCR_ROOT/var/run/vzcr/701.state
	if [ -e "$s" ]; then
		"$vzcr" -q stop -t 3 701 >/dev/null 2>&1
		pid=$(sed -n 's/^INIT_PID=//p' "$s" 2>/dev/null)
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
		"$vzcr" -q stop 701 >/dev/null 2>&1	# removes state, cgroup, mount
	fi
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	for i in 1 2 3; do mounted && umount -l "$root"; done
	for l in $(loops); do losetup -d "$l"; done
	rm -rf "$tmp"
}
holder=
trap cleanup EXIT
trap 'exit 1' INT TERM

inct() {
	"$vzcr" exec 701 "$@" 2>&1
}
fsck_clean() {
	e2fsck -fn "$img" >"$tmp/fsck" 2>&1
	ok $? "$1"
	[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/fsck"
}

# bad sizes: refused, naming the argument, and nothing is created
for bad in 1M 63M 12X abc 5M5 99999T ""; do
	is "$(st $vzcr create 701 --disk "$bad")" 1 "create --disk '$bad' is refused"
	errhas "--disk: '$bad'" "... naming --disk and the value"
done
[ ! -e "$VZCR_ROOT/etc/vzcr/conf/701.conf" ] && [ ! -e "$VZCR_ROOT/vz/private/701" ]
ok $? "... and creates nothing"

is "$(st $vzcr create 701 --disk 128M)" 0 "create 701 --disk 128M"
[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/err"
grep -qx 'DISK="128M"' "$VZCR_ROOT/etc/vzcr/conf/701.conf"
ok $? "the config says DISK=\"128M\""
is "$(stat -c %s "$img")" $((128 << 20)) "the image has 128 MiB"
[ $(($(stat -c %b "$img") * 512)) -lt $((64 << 20)) ]
ok $? "and is sparse ($(($(stat -c %b "$img") / 2)) KiB allocated)"
[ "$(ls "$VZCR_ROOT/vz/private/701")" = root.hdd ]
ok $? "the private area holds the image only"
fsck_clean "e2fsck -fn: the new image is clean"
is "$(blkid -o value -s TYPE "$img")" ext4 "it holds an ext4 filesystem"

is "$(st $vzcr start 701)" 0 "start 701"
[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/err"
dev=$(loops)
[ -n "$dev" ] && [ "$(echo "$dev" | wc -l)" -eq 1 ]
ok $? "one loop device is bound to the image ($dev)"
is "$(cat /sys/block/${dev#/dev/}/loop/autoclear 2>/dev/null)" 1 "with autoclear"
is "$(findmnt -n -o SOURCE,FSTYPE "$root")" "$dev ext4" "it is mounted on VE_ROOT"
is "$(inct awk '$2 == "/" { print $3 }' /proc/mounts)" ext4 "the CT's / is ext4"
inct sh -c 'echo kept > /root/note && dd if=/dev/urandom of=/root/blob bs=64k count=64 2>/dev/null && md5sum /root/blob > /root/blob.md5 && sync'
ok $? "write files inside the CT"
sum=$(inct md5sum /root/blob)

is "$(st $vzcr stop 701)" 0 "stop 701"
mounted
ok $((!$?)) "VE_ROOT is no longer mounted"
is "$(loops)" "" "no loop device is bound to the image"
[ ! -e "/sys/block/${dev#/dev/}/loop/backing_file" ] || [ "$(cat /sys/block/${dev#/dev/}/loop/backing_file)" != "$img" ]
ok $? "$dev is detached"
fsck_clean "e2fsck -fn: clean after stop"

is "$(st $vzcr start 701)" 0 "start again"
is "$(inct cat /root/note)" kept "a file written before is there"
is "$(inct md5sum /root/blob)" "$sum" "with the same content (64 x 64 KiB of random data)"
inct md5sum -c -s /root/blob.md5
ok $? "md5sum -c inside agrees"

# a crash: init killed behind vzcr's back leaves the mount; stop cleans it
pid=$(sed -n 's/^INIT_PID=//p' "$VZCR_ROOT/var/run/vzcr/701.state")
kill -9 "$pid"
for i in $(seq 50); do [ -e /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null || break; sleep 0.1; done
mounted
ok $? "after init was killed, VE_ROOT is still mounted (the crash case)"
is "$(st $vzcr stop 701)" 1 "stop of the dead CT exits 1"
errhas "CT 701 is not running" "... saying it does not run"
! mounted && [ -z "$(loops)" ]
ok $? "... and removes the leftover mount and loop device"
fsck_clean "e2fsck -fn: clean after the crash (the mount was unmounted cleanly)"

# the same crash, then start: the leftover mount goes first
is "$(st $vzcr start 701)" 0 "start after the cleanup"
pid=$(sed -n 's/^INIT_PID=//p' "$VZCR_ROOT/var/run/vzcr/701.state")
kill -9 "$pid"
for i in $(seq 50); do [ -e /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null || break; sleep 0.1; done
mounted
ok $? "init killed again, VE_ROOT still mounted"
is "$(st $vzcr start 701)" 0 "start over the leftover mount"
[ "$(loops | wc -l)" -eq 1 ] && [ "$(awk -v r="$root" '$5 == r' /proc/self/mountinfo | wc -l)" -eq 1 ]
ok $? "... which was replaced: one loop device, one mount"
is "$(inct cat /root/note)" kept "... and the CT sees its files"
is "$(st $vzcr stop 701)" 0 "stop"

# a loop device bound by hand (no autoclear): start detaches it first
left=$(losetup -f --show "$img")
ok $? "bind $left to the image by hand"
is "$(st $vzcr start 701)" 0 "start with the leftover loop device"
[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/err"
[ "$(loops | wc -l)" -eq 1 ] && [ "$(cat /sys/block/$(basename "$(loops)")/loop/autoclear)" = 1 ]
ok $? "one loop device, with autoclear: the leftover was detached"
is "$(inct cat /root/note)" kept "the CT sees its files"

# another mount namespace made while the CT runs keeps a copy of the mount:
# stop still stops the CT, warns, and the device goes with that namespace
unshare -m sleep 60 &
holder=$!
for i in $(seq 50); do [ "$(readlink /proc/$holder/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break; sleep 0.1; done
is "$(st $vzcr stop 701)" 0 "stop while another mount namespace holds the filesystem"
errhas "is mounted elsewhere (e.g. by pid $holder)" "... warns naming the holder"
! mounted && [ ! -e "$VZCR_ROOT/var/run/vzcr/701.state" ]
ok $? "... VE_ROOT is unmounted and the CT is stopped"
is "$(st $vzcr start 701)" 1 "start refuses to mount the image a second time"
errhas "is still mounted elsewhere" "... saying so"
kill $holder; wait $holder 2>/dev/null; holder=
for i in $(seq 50); do [ -z "$(loops)" ] && break; sleep 0.1; done
is "$(loops)" "" "the loop device detaches itself when that namespace is gone"
is "$(st $vzcr start 701)" 0 "start again"
[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/err"

is "$(st $vzcr destroy 701)" 1 "destroy of a running CT is refused"
[ -e "$img" ] && mounted
ok $? "... and changes nothing"
is "$(st $vzcr stop 701)" 0 "stop"
fsck_clean "e2fsck -fn: clean"
# a leftover mount at destroy time is removed too
mount -o loop "$img" "$root"
ok $? "mount the image by hand (a leftover)"
is "$(st $vzcr destroy 701)" 0 "destroy 701"
[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/err"
! mounted && [ ! -e "$VZCR_ROOT/vz/private/701" ] && [ ! -e "$root" ] &&
	[ ! -e "$VZCR_ROOT/etc/vzcr/conf/701.conf" ]
ok $? "no mount, no image, no root, no config left"
losetup -a | grep -qF "$tmp"
ok $((!$?)) "no loop device refers to the test's files"

# the directory layout stays what it was
is "$(st $vzcr create 702)" 0 "create 702 without --disk"
[ -x "$VZCR_ROOT/vz/private/702/bin/busybox" ] && ! grep -q '^DISK=' "$VZCR_ROOT/etc/vzcr/conf/702.conf"
ok $? "its root is a directory and its config has no DISK"
is "$(st $vzcr destroy 702)" 0 "destroy 702"
done_testing
