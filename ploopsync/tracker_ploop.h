/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The OpenVZ ploop write tracker's kernel interface (ioctl type 'P' on
 * /dev/ploopN), written from the facts in shared/notes/ploop-copy.md so
 * that no libploop header is needed, and the device access the backend
 * goes through: the real one, or a fake kernel in a unit test.
 */
#ifndef PLOOPSYNC_TRACKER_PLOOP_H
#define PLOOPSYNC_TRACKER_PLOOP_H

#include <stdint.h>
#include <sys/ioctl.h>

/* A dirty byte range [start, end) of the top delta's image file. */
struct ps_ploop_extent {
	uint64_t start;
	uint64_t end;
};

#define PS_PLOOP_TRACK_INIT	_IOR('P', 6, struct ps_ploop_extent)	/* -> {0, image end} */
#define PS_PLOOP_TRACK_STOP	_IO('P', 7)
#define PS_PLOOP_TRACK_ABORT	_IO('P', 8)
#define PS_PLOOP_TRACK_SETPOS	_IOW('P', 9, uint64_t)		/* writes at or above are not kept */
#define PS_PLOOP_TRACK_READ	_IOR('P', 10, struct ps_ploop_extent)	/* pop one; EAGAIN: none */
#define PS_PLOOP_SYNC		_IO('P', 11)

/*
 * How the backend reaches the driver. @root prefixes every path it looks
 * at ("" on a real host: /sys/module/ploop, /sys/block/ploopN/..., /dev/ploopN),
 * so a test can lay out a fake sysfs in a directory. The calls return
 * what the syscalls return (-1 with errno on failure).
 */
struct ps_ploop_ops {
	const char *root;
	int (*open)(const char *path, int flags);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	int (*close)(int fd);
};

/* The real driver, with root "". */
extern const struct ps_ploop_ops ps_ploop_kernel_ops;

#endif /* PLOOPSYNC_TRACKER_PLOOP_H */
