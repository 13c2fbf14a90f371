#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The first task of mnt.t's namespace sets: build a CT-like mount tree on
# ROOT (which holds /bin/busybox), pivot into it and sleep. Mounts: the
# root (a bind of ROOT), proc, read-only sysfs, a tmpfs /dev with nodes,
# devpts and mqueue, a tmpfs /tmp with files of every kind, a bind and a
# read-only bind of /data, a bind of a file, a shared tmpfs with a peer and
# a slave; with a second argument "ramfs", also a ramfs on /mnt/ramfs
# (which the dump refuses).
set -eu
r=$1
mount --make-rprivate /
mount --bind "$r" "$r"
mkdir -p "$r"/{proc,sys,dev,tmp,data,oldroot} "$r"/mnt/{bind,ro,shared,slave,peer}
echo "data file" >"$r/data/file"
mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys"
mount -t tmpfs -o mode=755,size=1m,nosuid tmpfs "$r/dev"
mknod -m 666 "$r/dev/null" c 1 3
mknod -m 666 "$r/dev/zero" c 1 5
mkdir "$r/dev/pts" "$r/dev/mqueue"
ln -s pts/ptmx "$r/dev/ptmx"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$r/dev/pts"
mount -t mqueue -o nosuid,nodev,noexec mqueue "$r/dev/mqueue"
mount -t tmpfs -o mode=1777,size=2m,uid=1000,gid=1000 tmpfs "$r/tmp"
# files of every kind, modes and owners
t=$r/tmp
mkdir -m 0750 "$t/dir"
printf 'hello from tmpfs\n' >"$t/dir/file"
chmod 0640 "$t/dir/file"
chown 1234:5678 "$t/dir/file"
ln "$t/dir/file" "$t/hardlink"
ln -s dir/file "$t/symlink"
ln -s /nowhere "$t/dangling"
mkfifo -m 0600 "$t/fifo"
dd if=/dev/urandom of="$t/sparse" bs=4096 count=1 seek=100 status=none
chmod 4755 "$t/sparse"
TZ=UTC0 touch -d '2001-02-03 04:05:06' "$t/dir/file"
mount --bind "$r/data" "$r/mnt/bind"
touch "$r/mnt/filebind"
mount --bind "$r/data/file" "$r/mnt/filebind"
mount --bind "$r/data" "$r/mnt/ro"
mount -o remount,bind,ro,nosuid "$r/mnt/ro"
mount -t tmpfs -o size=1m shr "$r/mnt/shared"
echo "shared tmpfs" >"$r/mnt/shared/f"
mount --make-shared "$r/mnt/shared"
mount --bind "$r/mnt/shared" "$r/mnt/peer"
mount --bind "$r/mnt/shared" "$r/mnt/slave"
mount --make-slave "$r/mnt/slave"
if [ "${2-}" = ramfs ]; then
	mkdir -p "$r/mnt/ramfs"
	mount -t ramfs ramfs "$r/mnt/ramfs"
fi
cd "$r"
pivot_root . oldroot
/bin/busybox umount -l /oldroot
/bin/busybox rmdir /oldroot
exec /bin/busybox sleep 1000
