// SPDX-License-Identifier: GPL-2.0-only
/* FIFOs: dump the entry and its path; restore with the queued data. */
#define LOG_PREFIX "fifo: "
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "ct_path.h"
#include "fifo.h"
#include "log.h"
#include "pipes.h"
#include "restore.h"
#include "xmalloc.h"

struct fifo_arg {
	unsigned int flags;
	const char *path;
	const struct stat *st;
	bool created;
};

static int make_fifo(struct file_desc *d, void *arg)
{
	struct fifo_arg *a = arg;
	FileEntry *fe = xmalloc(sizeof(*fe));
	FifoEntry *e = xmalloc(sizeof(*e));

	if (!fe || !e) {
		free(fe);
		free(e);
		return -ENOMEM;
	}
	file_entry__init(fe);
	fifo_entry__init(e);
	fe->type = FD_TYPES__FIFO;
	fe->id = e->id = d->id;
	fe->fifo = e;
	e->pipe_id = a->st->st_ino;
	d->fe = fe;
	a->created = true;
	return 0;
}

static int make_fifo_path(struct file_desc *d, void *arg)
{
	struct fifo_arg *a = arg;

	d->fe = reg_entry_new(d->id, a->path, a->flags, 0, a->st);
	return d->fe ? 0 : -ENOMEM;
}

int fifo_dump_file(struct file_table *t, int local_fd, unsigned int flags, const char *path,
		   const struct stat *st)
{
	struct fifo_arg a = { flags, path, st, false };
	struct file_desc *d;
	int id, rid;

	id = file_table_get(t, local_fd, make_fifo, &a);
	if (id < 0 || !a.created)
		return id;
	/* the path goes in a REG entry of its own, as CRIU's restore expects */
	rid = file_table_add(t, -1, make_fifo_path, &a);
	if (rid < 0)
		return rid;
	d = file_table_find(t, id);
	d->fe->fifo->has_regf_id = true;
	d->fe->fifo->regf_id = rid;
	return id;
}

bool fifo_is_path(struct rst_ctx *c, uint32_t id)
{
	int i;

	for (i = 0; i < c->nr_files; i++) {
		const FileEntry *fe = c->files[i].fe;

		if (fe->type == FD_TYPES__FIFO && fe->fifo->has_regf_id && fe->fifo->regf_id == id)
			return true;
	}
	return false;
}

/* Is there a holder of FIFO @pipe_id already? */
static bool fifo_held(struct rst_ctx *c, uint32_t pipe_id)
{
	int i;

	for (i = 0; i < c->nr_files; i++) {
		const struct rst_file *o = &c->files[i];

		if (o->fe->type == FD_TYPES__FIFO && o->fe->fifo->pipe_id == pipe_id && o->peer >= 0)
			return true;
	}
	return false;
}

/* The FIFO at @path opened read-write, with its data back; fd or -errno. */
static int fifo_hold(struct rst_ctx *c, const char *path, uint32_t pipe_id)
{
	char buf[PATH_MAX];
	struct stat st;
	int fd, err;

	fd = open(rst_path(c, path, buf, sizeof(buf)), O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open FIFO '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return log_err(-ENOTTY, "Failed to open FIFO '%s': not a FIFO any more", path);
	}
	err = pipe_refill(c->dfd, IMG_FIFO_DATA, pipe_id, fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int fifo_open(struct rst_ctx *c, struct rst_file *f, int *ret_fd, int *ret_hold)
{
	const FifoEntry *e = f->fe->fifo;
	struct rst_file *rf = e->has_regf_id ? rst_file_get(c, e->regf_id) : NULL;
	const RegFileEntry *r;
	char buf[PATH_MAX];
	int fd, hold = -1;

	if (!rf || rf->fe->type != FD_TYPES__REG || !rf->fe->reg)
		return log_err(-EINVAL, "Failed to restore FIFO %u: no path entry", e->id);
	r = rf->fe->reg;
	if (!fifo_held(c, e->pipe_id)) {
		hold = fifo_hold(c, r->name, e->pipe_id);
		if (hold < 0)
			return hold;
	}
	/* non-blocking: a held FIFO has a reader and a writer, and no open waits */
	fd = open(rst_path(c, r->name, buf, sizeof(buf)),
		  (r->flags & (O_ACCMODE | O_APPEND)) | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fcntl(fd, F_SETFL, r->flags & ~O_ACCMODE) < 0) {
		int err = log_perr(-errno, "Failed to open FIFO '%s' (file %u)", r->name, e->id);

		if (fd >= 0)
			close(fd);
		if (hold >= 0)
			close(hold);
		return err;
	}
	*ret_fd = fd;
	*ret_hold = hold;
	return 0;
}
