/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the mount namespace code (ns_mnt*.c, ns_tmpfs.c): the kernel's
 * dev_t encoding of mnt_entry.root_dev, and tmpfs contents as tar archives.
 */
#ifndef VZCR_NS_MNT_H
#define VZCR_NS_MNT_H

#include <stdint.h>

/* MKDEV of the kernel: what CRIU writes in mnt_entry.root_dev */
#define NS_KDEV(maj, min)	(((uint32_t)(maj) << 20) | ((uint32_t)(min) & 0xfffff))

/*
 * tmpfs-dev-@dev.tar.gz.img: the files of the tmpfs whose root directory
 * is @dirfd, as a gzipped tar made by GNU tar (fork/exec; one file system
 * only, numeric owners, sparse files, device nodes). 0 or -errno.
 */
int ns_tmpfs_dump(int dfd, uint32_t dev, int dirfd, const char *mountpoint);
/* Extract that archive into the directory @dirfd (a fresh tmpfs). */
int ns_tmpfs_restore(int dfd, uint32_t dev, int dirfd, const char *mountpoint);

#endif /* VZCR_NS_MNT_H */
