/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Write trackers behind one ops table, one file per backend. A pass marks
 * in @dirty (one byte per block) every block that may differ from what the
 * receiver holds, and hands back the fd to read this pass's data from (the
 * image itself, or a consistent snapshot of it).
 */
#ifndef PLOOPSYNC_TRACKER_H
#define PLOOPSYNC_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

struct ps_ploop_ops;

struct ps_tracker {
	const struct ps_tracker_ops *ops;
	const char *path;		/* the image */
	int fd;				/* the image, read-only */
	uint64_t size;
	uint32_t block_size;
	uint64_t nr_blocks;
	const uint64_t *sent;		/* hash of what the receiver holds, per block */
	unsigned int pass;		/* passes done */
	const char *loop_dev;		/* tracepoint: the image's loop device, NULL: find it */
	unsigned int trace_kb;		/* tracepoint: per-CPU trace buffer, 0: default */
	bool full;			/* set by a pass that lost track and marked every block */
	const struct ps_ploop_ops *ploop_ops;	/* ploop: device access, NULL: the kernel's */
	void *priv;
};

struct ps_tracker_ops {
	const char *name;
	/*
	 * The sender syncs the image's own (host) filesystem before each pass
	 * only for backends that read the image's extents on disk; the others
	 * see every write at its completion or read through the page cache, and
	 * need only the container's filesystem (--sync-fs) synced.
	 */
	bool sync_image_fs;
	/* 0 when the backend can track @t's image, else -errno (logged if @verbose) */
	int (*probe)(struct ps_tracker *t, bool verbose);
	int (*start)(struct ps_tracker *t);
	int (*pass)(struct ps_tracker *t, uint8_t *dirty, int *ret_data_fd);
	void (*stop)(struct ps_tracker *t);
};

extern const struct ps_tracker_ops ps_tracker_scan;
extern const struct ps_tracker_ops ps_tracker_reflink;
extern const struct ps_tracker_ops ps_tracker_ploop;
extern const struct ps_tracker_ops ps_tracker_tracepoint;

/* Pick the backend named @name ("auto" probes reflink, tracepoint, then scan) and start it. */
int ps_tracker_open(struct ps_tracker *t, const char *name);
void ps_tracker_close(struct ps_tracker *t);

#endif /* PLOOPSYNC_TRACKER_H */
