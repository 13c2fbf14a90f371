/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loop device an image file is attached to: found by the backing
 * file's identity (device and inode from LOOP_GET_STATUS64), never by its
 * path name, which may be stale or relative.
 */
#ifndef PLOOPSYNC_LOOPDEV_H
#define PLOOPSYNC_LOOPDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ps_loop {
	char path[32];		/* /dev/loopN */
	dev_t rdev;		/* its device number */
	uint64_t offset;	/* where sector 0 of the device is in the image */
	uint64_t sizelimit;	/* 0: up to the end of the image */
};

/*
 * Find the loop device backed by the file open as @image_fd (@image names
 * it in messages). @want ("/dev/loopN" or NULL to search) must be backed
 * by it. -ENODEV when no loop device is (logged only if @verbose), -EBUSY
 * when several are and none was named.
 */
int ps_loop_find(const char *image, int image_fd, const char *want, bool verbose,
		 struct ps_loop *ret);

#endif /* PLOOPSYNC_LOOPDEV_H */
