// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reflink tracker (XFS, btrfs): each pass clones the image (FICLONE)
 * into an unnamed O_TMPFILE beside it and compares the FIEMAP extents of
 * the new clone with those of the previous clone. Any write to the image
 * after a clone lands on a shared extent and is copied on write, so every
 * written range maps to new physical blocks: changed mappings are exactly
 * the written ranges. The pass's data is read from the new clone, a
 * consistent snapshot. Extents the kernel cannot describe exactly
 * (delalloc, inline, encoded, unknown) count as changed.
 */
#define LOG_PREFIX "ploopsync: "
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "tracker.h"
#include "xmalloc.h"

#define FIEMAP_BATCH	512
#define EXT_INEXACT	(FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_ENCODED | \
			 FIEMAP_EXTENT_DATA_ENCRYPTED | FIEMAP_EXTENT_NOT_ALIGNED | \
			 FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL)

struct extmap {
	struct fiemap_extent *ext;
	size_t nr;
};

struct reflink {
	int prev;		/* previous clone, -EBADF before the first pass */
	struct extmap prev_map;
};

/* An unnamed clone of the image in the image's directory. */
static int clone_image(struct ps_tracker *t, bool verbose)
{
	_cleanup_free_ char *copy = xstrdup(t->path);
	_cleanup_close_ int fd = -EBADF;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return verbose ? log_perr(-errno, "Failed to create a clone file beside '%s'", t->path) : -errno;
	if (ioctl(fd, FICLONE, t->fd))
		return verbose ? log_perr(-errno, "Failed to clone '%s' (FICLONE; reflink needs XFS with reflink=1 or btrfs)",
					  t->path) : -errno;
	return TAKE_FD(fd);
}

static int get_extents(int fd, const char *path, struct extmap *ret)
{
	_cleanup_free_ struct fiemap *fm = xzalloc(sizeof(*fm) + FIEMAP_BATCH * sizeof(struct fiemap_extent));
	struct extmap m = { NULL, 0 };
	struct fiemap_extent *e;
	uint64_t start = 0;
	bool last = false;

	if (!fm)
		return -ENOMEM;
	while (!last) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = start;
		fm->fm_length = FIEMAP_MAX_OFFSET - start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = FIEMAP_BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
			free(m.ext);
			return log_perr(-errno, "Failed to map the extents of a clone of '%s' (FIEMAP)", path);
		}
		if (!fm->fm_mapped_extents)
			break;
		e = xrealloc(m.ext, (m.nr + fm->fm_mapped_extents) * sizeof(*e));
		if (!e) {
			free(m.ext);
			return -ENOMEM;
		}
		m.ext = e;
		memcpy(m.ext + m.nr, fm->fm_extents, fm->fm_mapped_extents * sizeof(*e));
		m.nr += fm->fm_mapped_extents;
		e = &fm->fm_extents[fm->fm_mapped_extents - 1];
		last = e->fe_flags & FIEMAP_EXTENT_LAST;
		start = e->fe_logical + e->fe_length;
	}
	*ret = m;
	return 0;
}

/* Mapping at @pos: physical address (or UINT64_MAX for a hole) and where it ends. */
static uint64_t map_at(const struct extmap *m, size_t *i, uint64_t pos, uint64_t *end, bool *inexact)
{
	while (*i < m->nr && m->ext[*i].fe_logical + m->ext[*i].fe_length <= pos)
		(*i)++;
	if (*i < m->nr && m->ext[*i].fe_logical <= pos) {
		const struct fiemap_extent *e = &m->ext[*i];

		*end = e->fe_logical + e->fe_length;
		*inexact = e->fe_flags & EXT_INEXACT;
		/* unwritten extents read as zeros: tell them apart from written ones */
		return (e->fe_physical + (pos - e->fe_logical)) ^
		       ((e->fe_flags & FIEMAP_EXTENT_UNWRITTEN) ? (1ULL << 63) : 0);
	}
	*end = *i < m->nr ? m->ext[*i].fe_logical : UINT64_MAX;
	*inexact = false;
	return UINT64_MAX;
}

static void diff_maps(struct ps_tracker *t, const struct extmap *a, const struct extmap *b,
		      uint8_t *dirty)
{
	uint64_t pos = 0, end_a, end_b, end, blk;
	size_t i = 0, j = 0;
	bool inex_a, inex_b;
	uint64_t pa, pb;

	while (pos < t->size) {
		pa = map_at(a, &i, pos, &end_a, &inex_a);
		pb = map_at(b, &j, pos, &end_b, &inex_b);
		end = end_a < end_b ? end_a : end_b;
		if (end > t->size)
			end = t->size;
		if (pa != pb || inex_a || inex_b)
			for (blk = pos / t->block_size; blk <= (end - 1) / t->block_size; blk++)
				dirty[blk] = 1;
		pos = end;
	}
}

static int reflink_probe(struct ps_tracker *t, bool verbose)
{
	int fd = clone_image(t, verbose);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int reflink_start(struct ps_tracker *t)
{
	struct reflink *r = xzalloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->prev = -EBADF;
	t->priv = r;
	return 0;
}

static int reflink_pass(struct ps_tracker *t, uint8_t *dirty, int *ret_data_fd)
{
	struct reflink *r = t->priv;
	struct extmap map;
	int fd, ret;
	uint64_t b;

	fd = clone_image(t, true);
	if (fd < 0)
		return fd;
	ret = get_extents(fd, t->path, &map);
	if (ret) {
		close(fd);
		return ret;
	}
	if (r->prev < 0)
		for (b = 0; b < t->nr_blocks; b++)
			dirty[b] = 1;
	else
		diff_maps(t, &r->prev_map, &map, dirty);
	if (r->prev >= 0)
		close(r->prev);
	free(r->prev_map.ext);
	r->prev = fd;
	r->prev_map = map;
	*ret_data_fd = fd;
	return 0;
}

static void reflink_stop(struct ps_tracker *t)
{
	struct reflink *r = t->priv;

	if (!r)
		return;
	if (r->prev >= 0)
		close(r->prev);
	free(r->prev_map.ext);
	free(r);
	t->priv = NULL;
}

const struct ps_tracker_ops ps_tracker_reflink = {
	.name = "reflink",
	.sync_image_fs = true,
	.probe = reflink_probe,
	.start = reflink_start,
	.pass = reflink_pass,
	.stop = reflink_stop,
};
