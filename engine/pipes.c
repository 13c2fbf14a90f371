// SPDX-License-Identifier: GPL-2.0-only
/* Dump pipes and the data queued in them. */
#define LOG_PREFIX "pipes: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "pipe-data.pb-c.h"
#include "pipes.h"
#include "xmalloc.h"

struct pipe_arg {
	unsigned int flags;
	ino_t ino;
};

static int make_pipe(struct file_desc *d, void *arg)
{
	struct pipe_arg *a = arg;
	FileEntry *fe = xmalloc(sizeof(*fe));
	PipeEntry *p = xmalloc(sizeof(*p));
	FownEntry *o = xmalloc(sizeof(*o));

	if (!fe || !p || !o) {
		free(fe);
		free(p);
		free(o);
		return -ENOMEM;
	}
	file_entry__init(fe);
	pipe_entry__init(p);
	fown_entry__init(o);
	fe->type = FD_TYPES__PIPE;
	fe->id = d->id;
	fe->pipe = p;
	p->id = d->id;
	p->pipe_id = a->ino;
	p->flags = a->flags & ~O_CLOEXEC;
	p->fown = o;
	d->fe = fe;
	return 0;
}

int pipe_dump_file(struct file_table *t, int local_fd, unsigned int flags, ino_t ino)
{
	struct pipe_arg a = { flags, ino };

	return file_table_get(t, local_fd, make_pipe, &a);
}

/*
 * Copy what is queued in the pipe behind @fd (any end) without consuming it:
 * tee from a read end into a pipe of ours. Returns bytes (>= 0) or -errno.
 */
static ssize_t peek_pipe(int fd, char **ret_buf, int *ret_size)
{
	_cleanup_close_ int rd = -EBADF, tmp_r = -EBADF, tmp_w = -EBADF;
	int tmp[2];
	_cleanup_free_ char *buf = NULL;
	char path[64];
	ssize_t n;
	int size;

	/* a new read end of the same pipe, whichever end the task holds */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rd < 0)
		return log_perr(-errno, "Failed to open a read end of a pipe");
	size = fcntl(rd, F_GETPIPE_SZ);
	if (size < 0 || pipe2(tmp, O_CLOEXEC | O_NONBLOCK) < 0)
		return log_perr(-errno, "Failed to set up a pipe copy");
	tmp_r = tmp[0];
	tmp_w = tmp[1];
	if (fcntl(tmp_w, F_SETPIPE_SZ, size) < size)
		return log_perr(-errno, "Failed to grow a pipe to %d bytes", size);
	n = tee(rd, tmp_w, size, SPLICE_F_NONBLOCK);
	if (n < 0 && errno != EAGAIN)
		return log_perr(-errno, "Failed to tee a pipe");
	*ret_size = size;
	if (n <= 0)
		return 0;
	buf = xmalloc(n);
	if (!buf)
		return -ENOMEM;
	if (read_full(tmp_r, buf, n) != n)
		return log_err(-EIO, "Failed to read back %zd bytes of a pipe", n);
	*ret_buf = TAKE_PTR(buf);
	return n;
}

static int dump_one(struct img *img, const struct file_desc *d)
{
	PipeDataEntry pde = PIPE_DATA_ENTRY__INIT;
	_cleanup_free_ char *buf = NULL;
	int size = 0, err;
	ssize_t n;

	n = peek_pipe(d->local_fd, &buf, &size);
	if (n < 0)
		return n;
	pde.pipe_id = d->fe->pipe->pipe_id;
	pde.bytes = n;
	pde.has_size = true;
	pde.size = size;
	err = img_write(img, &pde);
	if (!err && n)
		err = img_write_raw(img, buf, n);
	return err;
}

int pipe_dump_data(struct file_table *t, int dfd)
{
	struct img *img = img_open(dfd, IMG_PIPES_DATA, O_WRONLY, 0);
	size_t i, j;
	int err;

	if (!img)
		return -errno;
	for (i = 0; i < t->n; i++) {
		const struct file_desc *d = &t->v[i];

		if (d->fe->type != FD_TYPES__PIPE)
			continue;
		/* once per pipe, not per end */
		for (j = 0; j < i; j++)
			if (t->v[j].fe->type == FD_TYPES__PIPE &&
			    t->v[j].fe->pipe->pipe_id == d->fe->pipe->pipe_id)
				break;
		if (j < i)
			continue;
		err = dump_one(img, d);
		if (err) {
			img_abort(img);
			return err;
		}
	}
	return img_close(img);
}
