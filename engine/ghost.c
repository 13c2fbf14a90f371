// SPDX-License-Identifier: GPL-2.0-only
/* Ghost files: unlinked inodes that tasks hold open, dumped and rebuilt. */
#define LOG_PREFIX "ghost: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "ghost-file.pb-c.h"
#include "ghost.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "remap-file-path.pb-c.h"
#include "restore.h"
#include "xmalloc.h"

#define COPY_BUF	(1U << 20)
/* CRIU's remap_id flag of images made before remap_type existed */
#define REMAP_GHOST_OLD	(1U << 31)

struct rst_ghost {
	uint32_t file_id;
	uint32_t ghost_id;
	char *path;			/* where the inode is linked until cleanup */
	bool owner;			/* this entry made the path (and unlinks it) */
};

/* Copy bytes [@off, @off + @len) of @fd into @img as one chunk. */
static int dump_chunk(struct img *img, int fd, char *buf, off_t off, off_t len)
{
	GhostChunkEntry ce = GHOST_CHUNK_ENTRY__INIT;
	ssize_t n;
	int err;

	ce.off = off;
	ce.len = len;
	err = img_write(img, &ce);
	while (!err && len > 0) {
		n = pread(fd, buf, len < COPY_BUF ? len : COPY_BUF, off);
		if (n <= 0)
			return log_perr(n < 0 ? -errno : -EIO,
					"Failed to read an unlinked file at %lld", (long long)off);
		err = img_write_raw(img, buf, n);
		off += n;
		len -= n;
	}
	return err;
}

/* Every data extent of @fd (holes left out) up to @size, as chunks. */
static int dump_chunks(struct img *img, int fd, off_t size)
{
	_cleanup_free_ char *buf = xmalloc(COPY_BUF);
	off_t data = 0, hole;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (!err && data < size) {
		data = lseek(fd, data, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break;		/* only a hole up to the end */
		if (data < 0 && errno != EINVAL)
			return log_perr(-errno, "Failed to find data in an unlinked file");
		hole = data < 0 ? size : lseek(fd, data, SEEK_HOLE);
		if (data < 0)
			data = 0;	/* no SEEK_DATA here: all of it */
		if (hole < 0 || hole > size)
			hole = size;
		err = dump_chunk(img, fd, buf, data, hole - data);
		data = hole;
	}
	return err;
}

static Timeval *new_tv(const struct timespec *ts)
{
	Timeval *tv = xmalloc(sizeof(*tv));

	if (tv) {
		timeval__init(tv);
		tv->tv_sec = ts->tv_sec;
		tv->tv_usec = ts->tv_nsec / 1000;
	}
	return tv;
}

static int write_ghost(int dfd, uint32_t id, int fd, const struct stat *st)
{
	GhostFileEntry g = GHOST_FILE_ENTRY__INIT;
	_cleanup_free_ Timeval *atim = new_tv(&st->st_atim);
	_cleanup_free_ Timeval *mtim = new_tv(&st->st_mtim);
	struct img *img;
	int err;

	if (!atim || !mtim)
		return -ENOMEM;
	g.uid = st->st_uid;
	g.gid = st->st_gid;
	g.mode = st->st_mode;
	g.has_dev = g.has_ino = g.has_chunks = g.has_size = true;
	g.dev = major(st->st_dev) << 20 | minor(st->st_dev);	/* CRIU's old encoding */
	g.ino = st->st_ino;
	g.atim = atim;
	g.mtim = mtim;
	g.chunks = true;
	g.size = st->st_size;
	img = img_open(dfd, IMG_GHOST_FILE, O_WRONLY, id);
	if (!img)
		return -errno;
	err = img_write(img, &g) ?: dump_chunks(img, fd, st->st_size);
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
}

int ghost_dump(struct file_table *t, int dfd, int local_fd, const struct stat *st)
{
	struct ghost_ref *nv;
	_cleanup_close_ int fd = -EBADF;
	char path[64];
	uint32_t id;
	size_t i;
	int err;

	for (i = 0; i < t->nr_ghosts; i++)
		if (t->ghosts[i].dev == st->st_dev && t->ghosts[i].ino == st->st_ino)
			return t->ghosts[i].id;
	if ((unsigned long long)st->st_size > GHOST_MAX_SIZE)
		return log_err(-EFBIG, "Failed to copy an unlinked file of %lld bytes: over the limit of %llu",
			       (long long)st->st_size, GHOST_MAX_SIZE);
	/* a reader of our own: the task's file may be write-only or O_PATH */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", local_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to reopen an unlinked file (inode %lu)",
				(unsigned long)st->st_ino);
	id = t->nr_ghosts + 1;
	err = write_ghost(dfd, id, fd, st);
	if (err)
		return err;
	nv = xrealloc(t->ghosts, (t->nr_ghosts + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	t->ghosts = nv;
	t->ghosts[t->nr_ghosts++] = (struct ghost_ref){ st->st_dev, st->st_ino, id };
	return id;
}

static int pwrite_full(int fd, const char *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= n;
		off += n;
	}
	return 0;
}

/* Restore: the ghost's data into @fd, chunk by chunk (or all of it). */
static int fill_ghost(struct img *img, const GhostFileEntry *g, int fd)
{
	_cleanup_free_ char *buf = xmalloc(COPY_BUF);
	GhostChunkEntry *ce = NULL;
	uint64_t off = 0, len = g->size, n;
	int ret = 1;

	if (!buf)
		return -ENOMEM;
	while (ret > 0) {
		if (g->chunks) {
			ret = img_read(img, (void **)&ce);
			if (ret <= 0)
				break;
			off = ce->off;
			len = ce->len;
			img_free_entry(ce);
		}
		for (; len > 0 && ret > 0; len -= n, off += n) {
			n = len < COPY_BUF ? len : COPY_BUF;
			ret = img_read_raw(img, buf, n);
			if (!ret && (ret = pwrite_full(fd, buf, n, off)) < 0)
				ret = log_perr(ret, "Failed to write %llu bytes of a ghost at %llu",
					       (unsigned long long)n, (unsigned long long)off);
			ret = ret < 0 ? ret : 1;
		}
		if (!g->chunks)
			break;
	}
	return ret < 0 ? ret : 0;
}

/* The ghost's inode as it was: size, owner, mode, times. */
static int finish_ghost(const GhostFileEntry *g, int fd, const char *path)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };

	if (g->has_size && ftruncate(fd, g->size) < 0)
		return log_perr(-errno, "Failed to size ghost '%s'", path);
	if (fchown(fd, g->uid, g->gid) < 0)
		return log_perr(-errno, "Failed to chown ghost '%s'", path);
	if (fchmod(fd, g->mode & 07777) < 0)
		return log_perr(-errno, "Failed to chmod ghost '%s'", path);
	if (g->atim)
		ts[0] = (struct timespec){ g->atim->tv_sec, g->atim->tv_usec * 1000 };
	if (g->mtim)
		ts[1] = (struct timespec){ g->mtim->tv_sec, g->mtim->tv_usec * 1000 };
	if (futimens(fd, ts) < 0)
		return log_perr(-errno, "Failed to set the times of ghost '%s'", path);
	return 0;
}

/* A new file at @name, or next to it when @name is taken; fd or -errno. */
static int create_at(const char *name, uint32_t id, char **ret_path)
{
	char *path = xstrdup(name);
	int fd;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		pr_warn("Ghost %#x: '%s' exists again, making it aside, ignoring", id, name);
		free(path);
		path = xsprintf("%s.vzcr-ghost-%x", name, id);
		if (!path)
			return -ENOMEM;
		fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		fd = log_perr(-errno, "Failed to create ghost '%s'", path);
		free(path);
		return fd;
	}
	*ret_path = path;
	return fd;
}

static int make_ghost(struct rst_ctx *c, uint32_t id, const char *name, char **ret_path)
{
	struct img *img = img_open(c->dfd, IMG_GHOST_FILE, O_RDONLY, id);
	GhostFileEntry *g = NULL;
	_cleanup_close_ int fd = -EBADF;
	char *path = NULL;
	int ret;

	if (!img)
		return -errno;
	ret = img_read(img, (void **)&g);
	if (ret == 0)
		ret = log_err(-ENODATA, "Failed to read ghost %#x: empty image", id);
	else if (ret > 0 && !S_ISREG(g->mode))
		ret = log_err(-EOPNOTSUPP, "Failed to restore ghost %#x of '%s': mode %o, not a regular file",
			      id, name, g->mode);
	if (ret > 0) {
		fd = create_at(name, id, &path);
		ret = fd < 0 ? fd : fill_ghost(img, g, fd) ?: finish_ghost(g, fd, path);
	}
	if (ret < 0 && path) {
		unlink(path);
		free(path);
	} else if (ret >= 0) {
		*ret_path = path;
	}
	img_free_entry(g);
	img_close(img);
	return ret < 0 ? ret : 0;
}

static int add_remap(struct rst_ctx *c, struct ghost_set *gs, const RemapFilePathEntry *re)
{
	uint32_t gid = re->remap_id & ~REMAP_GHOST_OLD;
	struct rst_file *f = rst_file_get(c, re->orig_id);
	struct rst_ghost *nv, *g;
	int i;

	if (!f)
		return -ENOENT;
	if ((re->has_remap_type && re->remap_type != REMAP_TYPE__GHOST) ||
	    (!re->has_remap_type && !(re->remap_id & REMAP_GHOST_OLD)))
		return log_err(-EOPNOTSUPP, "Failed to restore file %u: remap-fpath.img: remap type %d not supported",
			       re->orig_id, re->has_remap_type ? (int)re->remap_type : 0);
	if (f->fe->type != FD_TYPES__REG)
		return log_err(-EINVAL, "Failed to restore file %u: remap-fpath.img: a ghost of a non-regular file",
			       re->orig_id);
	nv = xrealloc(gs->v, (gs->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	gs->v = nv;
	g = &gs->v[gs->n];
	*g = (struct rst_ghost){ .file_id = re->orig_id, .ghost_id = gid };
	for (i = 0; i < gs->n; i++)
		if (gs->v[i].ghost_id == gid && gs->v[i].path) {
			g->path = xstrdup(gs->v[i].path);
			gs->n++;
			return g->path ? 0 : -ENOMEM;
		}
	gs->n++;
	g->owner = true;
	return make_ghost(c, gid, f->fe->reg->name, &g->path);
}

int ghost_prepare(struct rst_ctx *c, struct ghost_set *gs)
{
	struct img *img;
	RemapFilePathEntry *re;
	int ret;

	if (!img_exists(c->dfd, IMG_REMAP_FPATH, 0))
		return 0;
	img = img_open(c->dfd, IMG_REMAP_FPATH, O_RDONLY, 0);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&re)) > 0) {
		ret = add_remap(c, gs, re);
		img_free_entry(re);
		if (ret < 0)
			break;
	}
	img_close(img);
	if (ret < 0)
		ghost_cleanup(gs);
	return ret;
}

const char *ghost_path(const struct ghost_set *gs, uint32_t file_id)
{
	int i;

	for (i = 0; i < gs->n; i++)
		if (gs->v[i].file_id == file_id)
			return gs->v[i].path;
	return NULL;
}

void ghost_cleanup(struct ghost_set *gs)
{
	int i;

	for (i = 0; i < gs->n; i++) {
		if (gs->v[i].owner && gs->v[i].path && unlink(gs->v[i].path) < 0)
			pr_warn("Failed to unlink ghost '%s': %m, ignoring", gs->v[i].path);
		free(gs->v[i].path);
	}
	free(gs->v);
	gs->v = NULL;
	gs->n = 0;
}
