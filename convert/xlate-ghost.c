// SPDX-License-Identifier: GPL-2.0-only
/*
 * Deleted files that tasks hold open (note section 6.3). An INODE with no
 * link left carries the file's contents as PAGES blocks at file offsets
 * (zero pages left out): it becomes a ghost-file-ID.img (owner, mode,
 * size, times, the blocks as chunks) and a remap-fpath.img entry, which
 * vzcr restore rebuilds at the old path, opens and unlinks again. An INODE
 * that names a path still linked gives that path instead.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ghost-file.pb-c.h"
#include "log.h"
#include "remap-file-path.pb-c.h"
#include "xlate.h"

#define INODE_REC_LEN	120
#define GHOST_MAX	(1ULL << 34)	/* 16 GiB: the engine's own bound is lower */
#define CHUNK		(1U << 20)

struct ghost_out {
	struct img *img;
	uint64_t size, last_end;
	char *alt;		/* a linked path, if the INODE names one */
	size_t altsz;
};

static int copy_chunk(struct xlate *x, struct img *img, uint64_t from, uint64_t len)
{
	static char buf[CHUNK];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		int r = cpt_pread(x->f, from, buf, n, "deleted file data") ?:
			img_write_raw(img, buf, n);

		if (r)
			return r;
		from += n;
		len -= n;
	}
	return 0;
}

static int ghost_child(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct ghost_out *o = arg;
	GhostChunkEntry ce = GHOST_CHUNK_ENTRY__INIT;
	uint8_t rec[32];
	int r;

	if (h->type == CPT_OBJ_NAME)
		return xl_read_name(x, pos, pos + h->next, o->alt, o->altsz);
	if (h->type != CPT_OBJ_PAGES || h->content != CPT_CONTENT_DATA)
		return log_err(-EOPNOTSUPP, "deleted file: a %s at offset %#" PRIx64 ": its data is not in the dump",
			       cpt_obj_name(h->type), pos);
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_PAGES, "deleted file PAGES", rec,
			 sizeof(rec), NULL);
	if (r < 0)
		return r;
	ce.off = get64(rec, 16);
	ce.len = get64(rec, 24) - ce.off;
	if (get64(rec, 24) <= ce.off || ce.off < o->last_end || ce.len != h->next - h->hdrlen)
		return log_err(-EPROTO, "deleted file PAGES at offset %#" PRIx64 ": offsets %#" PRIx64 "-%#" PRIx64 " not rising, or %" PRIu64 " bytes of data",
			       pos, ce.off, get64(rec, 24), h->next - h->hdrlen);
	o->last_end = get64(rec, 24);
	if (!o->img)
		return 0;	/* a linked path was named: no data wanted */
	return img_write(o->img, &ce) ?: copy_chunk(x, o->img, pos + h->hdrlen, ce.len);
}

static void tv(Timeval *t, uint64_t packed)
{
	timeval__init(t);
	t->tv_sec = packed >> 32;
	t->tv_usec = (uint32_t)packed / 1000;
}

static int remap(struct xlate *x, uint32_t file_id, uint32_t ghost_id)
{
	RemapFilePathEntry re = REMAP_FILE_PATH_ENTRY__INIT;

	if (!x->remap_img) {
		x->remap_img = img_open(x->dfd, IMG_REMAP_FPATH, O_WRONLY, 0);
		if (!x->remap_img)
			return -errno;
	}
	re.orig_id = file_id;
	re.remap_id = ghost_id;
	re.has_remap_type = true;
	re.remap_type = REMAP_TYPE__GHOST;
	return img_write(x->remap_img, &re);
}

/* ghost-file-@id.img from the INODE at @ino (record @irec, header @h). */
static int write_ghost(struct xlate *x, uint64_t ino, const uint8_t *irec,
		       const struct cpt_obj_hdr *h, uint32_t id, struct ghost_out *o)
{
	GhostFileEntry g = GHOST_FILE_ENTRY__INIT;
	Timeval at, mt;
	int r;

	g.uid = get32(irec, 40);
	g.gid = get32(irec, 44);
	g.mode = get32(irec, 32);
	g.has_ino = g.has_chunks = g.has_size = true;
	g.ino = get64(irec, 24);
	g.chunks = true;
	g.size = get64(irec, 56);
	tv(&at, get64(irec, 72));
	tv(&mt, get64(irec, 80));
	g.atim = &at;
	g.mtim = &mt;
	if (!S_ISREG(g.mode) || g.size > GHOST_MAX)
		return log_err(-EOPNOTSUPP, "INODE at offset %#" PRIx64 ": a deleted file of mode %o and %" PRIu64 " bytes: only regular files up to %llu bytes",
			       ino, g.mode, g.size, GHOST_MAX);
	o->img = img_open(x->dfd, IMG_GHOST_FILE, O_WRONLY, id);
	if (!o->img)
		return -errno;
	r = img_write(o->img, &g) ?: xl_children(x, ino, h, ghost_child, o);
	if (!r && o->last_end > g.size + XL_PAGE)
		r = log_err(-EPROTO, "INODE at offset %#" PRIx64 ": data up to %#" PRIx64 " in a file of %" PRIu64 " bytes",
			    ino, o->last_end, g.size);
	if (r) {
		img_abort(o->img);
		return r;
	}
	return img_close(o->img);
}

int xl_ghost(struct xlate *x, uint64_t file, uint64_t ino, uint32_t file_id, char *alt,
	     size_t altsz)
{
	uint8_t irec[INODE_REC_LEN];
	struct ghost_out o = { .alt = alt, .altsz = altsz };
	struct cpt_obj_hdr h;
	uint64_t *n;
	int r;

	r = cpt_resolve(x->f, ino, CPT_OBJ_INODE, file, "cpt_inode of a deleted file");
	if (r <= 0)
		return r;	/* no INODE: nothing to rebuild it from */
	r = cpt_read_obj(x->f, ino, x->f->size, CPT_OBJ_INODE, "INODE", irec, sizeof(irec), &h);
	if (r < 0)
		return r;
	alt[0] = '\0';
	if (get32(irec, 36)) {	/* still linked: the INODE names where */
		r = xl_children(x, ino, &h, ghost_child, &o);
		return r < 0 ? r : alt[0] == '/' ? 2 : 0;
	}
	for (size_t i = 0; i < x->nghosts; i++)	/* another description of it */
		if (x->ghosts[i] == ino)
			return remap(x, file_id, (uint32_t)i + 1) ?: 1;
	n = realloc(x->ghosts, (x->nghosts + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->ghosts = n;
	x->ghosts[x->nghosts++] = ino;
	r = write_ghost(x, ino, irec, &h, (uint32_t)x->nghosts, &o) ?:
	    remap(x, file_id, (uint32_t)x->nghosts);
	return r < 0 ? r : 1;
}
