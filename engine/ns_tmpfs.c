// SPDX-License-Identifier: GPL-2.0-only
/*
 * The contents of a tmpfs mount, as CRIU keeps them: a gzipped tar archive
 * in tmpfs-dev-DEV.tar.gz.img (raw, no magic). GNU tar runs by fork/exec on
 * /proc/self/fd/N, a directory fd that reaches the mount however its path
 * looks from the host: regular files (sparse kept), directories, symlinks,
 * hard links, device nodes, FIFOs, modes, numeric owners and times. Sockets
 * are left out (tar says so); mounts below it are not entered.
 */
#define LOG_PREFIX "ns-mnt: "
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "image.h"
#include "log.h"
#include "ns_mnt.h"
#include "ns_util.h"

/* Run tar on @dirfd (made inheritable for it) with @img as stdin or stdout. */
static int run_tar(int dirfd, struct img *img, bool create, const char *mountpoint)
{
	const char *tar = ns_prog("tar");
	char dir[64], prog[64];
	char *argv[] = { prog, create ? "--create" : "--extract", "--gzip", "--numeric-owner",
			 create ? "--one-file-system" : "--preserve-permissions",
			 create ? "--sparse" : "--same-owner", "--directory", dir,
			 create ? "." : NULL, NULL };
	char what[300];
	int fd, ret;

	if (!tar)
		return log_err(-ENOENT, "Failed to find 'tar' (GNU tar)");
	snprintf(prog, sizeof(prog), "%s", tar);
	fd = fcntl(dirfd, F_DUPFD, 3);
	if (fd < 0)
		return log_perr(-errno, "Failed to dup directory fd %d", dirfd);
	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", fd);
	snprintf(what, sizeof(what), "the tmpfs at '%s'", mountpoint);
	ret = create ? ns_spawn(argv, -1, img_fd(img), what) :
		       ns_spawn(argv, img_fd(img), -1, what);
	close(fd);
	return ret;
}

int ns_tmpfs_dump(int dfd, uint32_t dev, int dirfd, const char *mountpoint)
{
	struct img *img = img_open(dfd, IMG_TMPFS_DEV, O_WRONLY, dev);
	int ret;

	if (!img)
		return -errno;
	ret = run_tar(dirfd, img, true, mountpoint);
	if (ret < 0) {
		img_abort(img);
		return ret;
	}
	return img_close(img);
}

int ns_tmpfs_restore(int dfd, uint32_t dev, int dirfd, const char *mountpoint)
{
	struct img *img = img_open(dfd, IMG_TMPFS_DEV, O_RDONLY, dev);
	int ret;

	if (!img)
		return -errno;
	ret = run_tar(dirfd, img, false, mountpoint);
	img_close(img);
	return ret;
}
