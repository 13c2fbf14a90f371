// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OpenVZ ploop kernel write tracker (PLOOP_IOC_TRACK_*), for an image
 * that is the top delta of a running /dev/ploopN. The driver records the
 * byte ranges of the delta file written below a "copy position"; each pass
 * pops them (TRACK_READ) until none is left or a new round begins.
 *
 * The device is found in sysfs as libploop does: /sys/block/ploopN/pstate/top
 * names the top delta's level, /sys/block/ploopN/pdelta/LEVEL/image its file,
 * which must be our image (same inode). All device access goes through
 * struct ps_ploop_ops, so tests/ploopsync/test-tracker-ploop.c can play the
 * kernel's side on a host without the driver (every mainline kernel).
 *
 * A tracker the driver aborted (ECONNABORTED: it could not keep a record)
 * is restarted and that pass copies every block: never a silent miss.
 */
#define LOG_PREFIX "ploopsync: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "log.h"
#include "tracker.h"
#include "tracker_ploop.h"
#include "xmalloc.h"

/* the values libploop's ploop_if.h gives (checked in ploop-copy.md on x86_64) */
_Static_assert(PS_PLOOP_TRACK_INIT == 0x80105006, "PLOOP_IOC_TRACK_INIT");
_Static_assert(PS_PLOOP_TRACK_SETPOS == 0x40085009, "PLOOP_IOC_TRACK_SETPOS");
_Static_assert(PS_PLOOP_TRACK_READ == 0x8010500a, "PLOOP_IOC_TRACK_READ");
_Static_assert(PS_PLOOP_TRACK_STOP == 0x5007 && PS_PLOOP_TRACK_ABORT == 0x5008 &&
	       PS_PLOOP_SYNC == 0x500b, "PLOOP_IOC_TRACK_STOP/ABORT, PLOOP_IOC_SYNC");

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static int sys_open(const char *path, int flags)
{
	return open(path, flags);
}

const struct ps_ploop_ops ps_ploop_kernel_ops = {
	.root = "",
	.open = sys_open,
	.ioctl = sys_ioctl,
	.close = close,
};

struct pl {
	const struct ps_ploop_ops *ops;
	char dev[PATH_MAX];	/* /dev/ploopN */
	int fd;
	uint64_t pos;		/* the copy position: writes below it are tracked */
	bool failed;		/* stop aborts instead of stopping */
};

static const struct ps_ploop_ops *ops_of(const struct ps_tracker *t)
{
	return t->ploop_ops ? t->ploop_ops : &ps_ploop_kernel_ops;
}

/* A small sysfs file ROOT/sys/block/NAME/REL, without its trailing newline. */
static int sys_attr(const char *root, const char *name, const char *rel, char **ret)
{
	_cleanup_free_ char *path = xsprintf("%s/sys/block/%s/%s", root, name, rel);
	ssize_t n;

	if (!path)
		return -ENOMEM;
	n = read_file_at(AT_FDCWD, path, PATH_MAX, ret);
	if (n < 0)
		return (int)n;
	while (n > 0 && (*ret)[n - 1] == '\n')
		(*ret)[--n] = '\0';
	return 0;
}

/* 1 when ploop device @name has @st (the image) as its top delta, 0 if not. */
static int is_top_delta(const char *root, const char *name, const struct stat *st)
{
	_cleanup_free_ char *top = NULL, *rel = NULL, *image = NULL;
	struct stat ist;
	char *end;
	long level;

	if (sys_attr(root, name, "pstate/top", &top))
		return 0;	/* not started: no deltas */
	level = strtol(top, &end, 10);
	if (end == top || *end || level < 0 || level > 1000)
		return log_err(-EPROTO, "Bad top delta level '%s' in %s/sys/block/%s/pstate/top",
			       top, root, name);
	rel = xsprintf("pdelta/%ld/image", level);
	if (!rel)
		return -ENOMEM;
	if (sys_attr(root, name, rel, &image) || stat(image, &ist))
		return 0;
	return ist.st_dev == st->st_dev && ist.st_ino == st->st_ino;
}

/* The /dev/ploopN whose top delta is @t's image, in @ret (PATH_MAX bytes). */
static int find_device(struct ps_tracker *t, const struct ps_ploop_ops *ops, bool verbose, char *ret)
{
	_cleanup_free_ char *sys = xsprintf("%s/sys/block", ops->root);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	int r;

	if (!sys)
		return -ENOMEM;
	if (fstat(t->fd, &st))
		return log_perr(-errno, "Failed to stat '%s'", t->path);
	d = opendir(sys);
	if (!d)
		return verbose ? log_perr(-errno, "Failed to list '%s'", sys) : -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "ploop", 5))
			continue;
		r = is_top_delta(ops->root, de->d_name, &st);
		if (r < 0)
			return r;
		if (r) {
			snprintf(ret, PATH_MAX, "%s/dev/%s", ops->root, de->d_name);
			return 0;
		}
	}
	return verbose ? log_err(-ENODEV, "Tracker ploop: '%s' is not the top delta of any running ploop device (%s/ploop*/pdelta)",
				 t->path, sys) : -ENODEV;
}

static bool driver_present(const struct ps_ploop_ops *ops)
{
	char mod[PATH_MAX], dev[PATH_MAX];

	snprintf(mod, sizeof(mod), "%s/sys/module/ploop", ops->root);
	snprintf(dev, sizeof(dev), "%s/dev/ploop0", ops->root);
	return !access(mod, F_OK) || !access(dev, F_OK);
}

static int ploop_probe(struct ps_tracker *t, bool verbose)
{
	const struct ps_ploop_ops *ops = ops_of(t);
	char dev[PATH_MAX];

	if (!driver_present(ops)) {
		if (verbose)
			pr_err("Tracker ploop: the OpenVZ ploop kernel driver is absent on this host (no /sys/module/ploop, no /dev/ploop0); use --tracker reflink, tracepoint or scan");
		return -ENODEV;
	}
	return find_device(t, ops, verbose, dev);
}

/* One ioctl on the device: 0 or -errno (the caller logs, naming the call). */
static int track_ioctl(struct pl *pl, unsigned long req, void *arg)
{
	return pl->ops->ioctl(pl->fd, req, arg) < 0 ? -errno : 0;
}

/* TRACK_INIT: the driver's image end must fit in the image we copy. */
static int track_init(struct ps_tracker *t, struct pl *pl)
{
	struct ps_ploop_extent e = { 0, 0 };
	int ret = track_ioctl(pl, PS_PLOOP_TRACK_INIT, &e);

	if (ret)
		return log_perr(ret, "Failed to start tracking %s (PLOOP_IOC_TRACK_INIT)", pl->dev);
	if (e.start || e.end > t->size) {
		pl->ops->ioctl(pl->fd, PS_PLOOP_TRACK_ABORT, NULL);	/* it did start */
		return log_err(-EXDEV, "Tracker ploop: %s reports the top delta as [%" PRIu64 ", %" PRIu64 "), past the %" PRIu64 " bytes of '%s'",
			       pl->dev, (uint64_t)e.start, (uint64_t)e.end, t->size, t->path);
	}
	pl->pos = 0;	/* INIT resets the copy position */
	return 0;
}

/* Raise the copy position to @pos: writes below it are recorded from now on. */
static int set_pos(struct pl *pl, uint64_t pos)
{
	int ret;

	if (pos <= pl->pos)
		return 0;
	ret = track_ioctl(pl, PS_PLOOP_TRACK_SETPOS, &pos);
	if (ret)
		return log_perr(ret, "Failed to set the copy position of %s to %" PRIu64 " (PLOOP_IOC_TRACK_SETPOS)",
				pl->dev, pos);
	pl->pos = pos;
	return 0;
}

static void mark(struct ps_tracker *t, uint8_t *dirty, uint64_t start, uint64_t end)
{
	uint64_t b;

	for (b = start / t->block_size; b <= (end - 1) / t->block_size; b++)
		dirty[b] = 1;
}

/* The tracker lost its records: start it again and copy every block this pass. */
static int restart(struct ps_tracker *t, struct pl *pl, uint8_t *dirty, const char *why)
{
	int ret;

	pr_warn("Tracker ploop: %s on %s: this pass copies every block", why, pl->dev);
	/* the records are gone either way: ABORT only clears the aborted state */
	pl->ops->ioctl(pl->fd, PS_PLOOP_TRACK_ABORT, NULL);
	ret = track_init(t, pl);
	if (!ret)
		ret = set_pos(pl, t->size);
	memset(dirty, 1, t->nr_blocks);
	t->full = true;
	return ret;
}

/* One extent popped by TRACK_READ: check it, mark it, follow the image end. */
static int take_extent(struct ps_tracker *t, struct pl *pl, const struct ps_ploop_extent *e,
		       uint8_t *dirty)
{
	if (e->start >= e->end)
		return log_err(-EPROTO, "Tracker ploop: %s returned an empty or inverted extent [%" PRIu64 ", %" PRIu64 ")",
			       pl->dev, (uint64_t)e->start, (uint64_t)e->end);
	if (e->end > t->size)
		return log_err(-EXDEV, "Tracker ploop: %s reports writes up to %" PRIu64 ", past the %" PRIu64 " bytes of '%s' (the delta grew)",
			       pl->dev, (uint64_t)e->end, t->size, t->path);
	mark(t, dirty, e->start, e->end);
	/* the tail past the copy position (a grown delta) is ours now: track it */
	return set_pos(pl, e->end);
}

static int drain(struct ps_tracker *t, struct pl *pl, uint8_t *dirty)
{
	struct ps_ploop_extent e;
	uint64_t prev_end = 0, n;
	int ret;

	/* a writer faster than us never lets EAGAIN come: a pass is one round at most */
	for (n = 0; n <= 2 * t->nr_blocks + 16; n++) {
		ret = track_ioctl(pl, PS_PLOOP_TRACK_READ, &e);
		if (ret == -EAGAIN)
			return 0;
		if (ret == -ECONNABORTED)
			return restart(t, pl, dirty, "the driver aborted the tracker (ECONNABORTED)");
		if (ret == -ENOSPC)
			return restart(t, pl, dirty, "the driver could not keep a record (ENOSPC)");
		if (ret)
			return log_perr(ret, "Failed to read the dirty extents of %s (PLOOP_IOC_TRACK_READ)",
					pl->dev);
		ret = take_extent(t, pl, &e, dirty);
		if (ret)
			return ret;
		if (n && e.start < prev_end)
			return 0;	/* the read pointer wrapped: a new round began */
		prev_end = e.end;
	}
	return 0;
}

static int ploop_pass(struct ps_tracker *t, uint8_t *dirty, int *ret_data_fd)
{
	struct pl *pl = t->priv;
	int ret;

	*ret_data_fd = t->fd;
	/* the delta's cached state (its index) reaches the file before we read it */
	ret = track_ioctl(pl, PS_PLOOP_SYNC, NULL);
	if (ret) {
		pl->failed = true;
		return log_perr(ret, "Failed to sync %s (PLOOP_IOC_SYNC)", pl->dev);
	}
	if (!t->pass) {
		/*
		 * The full copy reads after this returns, so the position cannot
		 * follow the reader as in ploop copy: track the whole image from
		 * here; blocks written before the reader gets to them are sent again.
		 */
		memset(dirty, 1, t->nr_blocks);
		ret = set_pos(pl, t->size);
	} else {
		ret = drain(t, pl, dirty);
	}
	if (ret)
		pl->failed = true;
	return ret;
}

static void ploop_stop(struct ps_tracker *t)
{
	struct pl *pl = t->priv;

	if (!pl)
		return;
	if (pl->fd >= 0) {
		if (pl->failed || pl->ops->ioctl(pl->fd, PS_PLOOP_TRACK_STOP, NULL) < 0) {
			if (!pl->failed)
				pr_debug("Tracker ploop: TRACK_STOP on %s failed (%m), aborting it", pl->dev);
			if (pl->ops->ioctl(pl->fd, PS_PLOOP_TRACK_ABORT, NULL) < 0)
				pr_warn("Failed to abort the tracker of %s: %m, ignoring", pl->dev);
		}
		pl->ops->close(pl->fd);
	}
	free(pl);
	t->priv = NULL;
}

static int ploop_start(struct ps_tracker *t)
{
	struct pl *pl = xzalloc(sizeof(*pl));
	int ret;

	if (!pl)
		return -ENOMEM;
	pl->ops = ops_of(t);
	pl->fd = -EBADF;
	ret = find_device(t, pl->ops, true, pl->dev);
	if (ret)
		goto err;
	pl->fd = pl->ops->open(pl->dev, O_RDONLY | O_CLOEXEC);
	if (pl->fd < 0) {
		ret = log_perr(-errno, "Failed to open '%s'", pl->dev);
		goto err;
	}
	t->priv = pl;
	ret = track_init(t, pl);
	if (ret) {
		/* not tracking (INIT failed, or its answer was refused and aborted) */
		pl->ops->close(pl->fd);
		pl->fd = -EBADF;
		ploop_stop(t);
		return ret;
	}
	pr_info("tracker ploop: tracking writes to '%s' through %s", t->path, pl->dev);
	return 0;
err:
	free(pl);
	return ret;
}

const struct ps_tracker_ops ps_tracker_ploop = {
	.name = "ploop",
	.probe = ploop_probe,
	.start = ploop_start,
	.pass = ploop_pass,
	.stop = ploop_stop,
};
