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

static uint32_t fifo_or_pipe_id(const FileEntry *fe)
{
	return fe->type == FD_TYPES__PIPE ? fe->pipe->pipe_id : fe->fifo->pipe_id;
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
	pde.pipe_id = fifo_or_pipe_id(d->fe);
	pde.bytes = n;
	pde.has_size = true;
	pde.size = size;
	err = img_write(img, &pde);
	if (!err && n)
		err = img_write_raw(img, buf, n);
	return err;
}

/* pipes-data.img or fifo-data.img: the bytes of each pipe of @type once. */
static int dump_data(struct file_table *t, int dfd, enum img_type it, FdTypes type)
{
	struct img *img = img_open(dfd, it, O_WRONLY, 0);
	size_t i, j;
	int err;

	if (!img)
		return -errno;
	for (i = 0; i < t->n; i++) {
		const struct file_desc *d = &t->v[i];

		if (d->fe->type != type)
			continue;
		/* once per pipe, not per end */
		for (j = 0; j < i; j++)
			if (t->v[j].fe->type == type &&
			    fifo_or_pipe_id(t->v[j].fe) == fifo_or_pipe_id(d->fe))
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

int pipe_dump_data(struct file_table *t, int dfd)
{
	return dump_data(t, dfd, IMG_PIPES_DATA, FD_TYPES__PIPE) ?:
	       dump_data(t, dfd, IMG_FIFO_DATA, FD_TYPES__FIFO);
}

/* The entry of @pipe_id in @img with its bytes, or 0 bytes if none. */
static int find_data(struct img *img, uint32_t pipe_id, PipeDataEntry **ret_pd, char **ret_buf)
{
	PipeDataEntry *pd;
	size_t skip;
	int ret;

	while ((ret = img_read(img, (void **)&pd)) > 0) {
		if (pd->pipe_id == pipe_id)
			break;
		ret = img_skip_payload(img, pd, &skip);
		img_free_entry(pd);
		if (ret < 0)
			return ret;
	}
	if (ret <= 0)
		return ret;
	*ret_buf = pd->bytes ? xmalloc(pd->bytes) : NULL;
	ret = pd->bytes && !*ret_buf ? -ENOMEM : 0;
	if (!ret && pd->bytes)
		ret = img_read_raw(img, *ret_buf, pd->bytes);
	if (ret < 0) {
		free(*ret_buf);
		img_free_entry(pd);
		return ret;
	}
	*ret_pd = pd;
	return 1;
}

int pipe_refill(int dfd, enum img_type type, uint32_t pipe_id, int wfd)
{
	struct img *img;
	PipeDataEntry *pd = NULL;
	_cleanup_free_ char *buf = NULL;
	int ret;

	if (type == IMG_FIFO_DATA && !img_exists(dfd, type, 0))
		return 0;	/* a set from before FIFOs */
	img = img_open(dfd, type, O_RDONLY, 0);
	if (!img)
		return -errno;
	ret = find_data(img, pipe_id, &pd, &buf);
	img_close(img);
	if (ret <= 0)
		return ret;
	if (pd->has_size && pd->size != (uint32_t)fcntl(wfd, F_GETPIPE_SZ) &&
	    fcntl(wfd, F_SETPIPE_SZ, pd->size) < 0)
		pr_warn("Failed to size pipe %#x to %u bytes: %m, ignoring", pipe_id, pd->size);
	if (pd->bytes && (ret = write_full(wfd, buf, pd->bytes)) < 0)
		ret = log_perr(ret, "Failed to refill pipe %#x with %u bytes", pipe_id, pd->bytes);
	img_free_entry(pd);
	return ret < 0 ? ret : 0;
}
