// SPDX-License-Identifier: GPL-2.0-only
/* Which loop device holds an image: LOOP_GET_STATUS64 on each bound one. */
#define LOG_PREFIX "ploopsync: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "loopdev.h"

/* 1 when @dev is a loop device backed by @img, 0 when not, -errno when it cannot tell. */
static int loop_backs(const char *dev, const struct stat *img, struct ps_loop *ret)
{
	_cleanup_close_ int fd = open(dev, O_RDONLY | O_CLOEXEC);
	struct loop_info64 li;
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	if (ioctl(fd, LOOP_GET_STATUS64, &li))
		return errno == ENXIO ? 0 : -errno;	/* ENXIO: not bound to a file */
	if (li.lo_device != (uint64_t)img->st_dev || li.lo_inode != (uint64_t)img->st_ino)
		return 0;
	snprintf(ret->path, sizeof(ret->path), "%s", dev);
	ret->rdev = st.st_rdev;
	ret->offset = li.lo_offset;
	ret->sizelimit = li.lo_sizelimit;
	return 1;
}

static int loop_named(const char *image, const char *want, const struct stat *img,
		      struct ps_loop *ret)
{
	int r = loop_backs(want, img, ret);

	if (r < 0)
		return log_perr(r, "Failed to query loop device '%s'", want);
	if (!r)
		return log_err(-ENODEV, "Loop device '%s' is not backed by '%s'", want, image);
	return 0;
}

int ps_loop_find(const char *image, int image_fd, const char *want, bool verbose,
		 struct ps_loop *ret)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct ps_loop found, cur;
	struct dirent *de;
	struct stat img;
	char dev[300];
	int n = 0;

	if (fstat(image_fd, &img))
		return log_perr(-errno, "Failed to stat '%s'", image);
	if (want)
		return loop_named(image, want, &img, ret);
	d = opendir("/sys/block");
	if (!d)
		return log_perr(-errno, "Failed to list '/sys/block'");
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "loop", 4))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		if (loop_backs(dev, &img, &cur) <= 0)
			continue;
		if (n++)
			return log_err(-EBUSY, "Image '%s' is attached to %s and %s: name one with --loop-dev",
				       image, found.path, cur.path);
		found = cur;
	}
	if (!n)
		return verbose ? log_err(-ENODEV, "Image '%s' is not attached to a loop device (the tracepoint tracker watches one)",
					 image) : -ENODEV;
	*ret = found;
	return 0;
}
