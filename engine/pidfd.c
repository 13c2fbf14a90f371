// SPDX-License-Identifier: GPL-2.0-only
/*
 * pidfd: a file that names a process (or, with PIDFD_THREAD, a thread) of
 * the tree. Only a task can name a pid it sees, so the tool holds /dev/null
 * in its place and the first holding task opens it again (pidfd_open of the
 * restored pid, in the post-fds step, when every task of the tree exists);
 * the other holders take that file with pidfd_getfd. A pidfd of a process
 * outside the tree, or of one already reaped, is refused.
 */
#define LOG_PREFIX "pidfd: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "dump.h"
#include "fdkinds.h"
#include "infect.h"
#include "log.h"
#include "restore.h"
#include "xmalloc.h"

#define PIDFD_OPEN_FLAGS	(O_NONBLOCK | O_EXCL)	/* PIDFD_NONBLOCK, PIDFD_THREAD */

/* Is @pid a process or thread of the tree? */
static bool in_tree(struct dump_ctx *c, pid_t pid)
{
	int i, j;

	for (i = 0; i < c->tree.nr; i++)
		for (j = 0; j < c->tree.items[i]->nr_threads; j++)
			if (c->tree.items[i]->threads[j] == pid)
				return true;
	return false;
}

static int pidfd_make(struct file_desc *d, void *arg)
{
	struct fd_src *s = arg;
	_cleanup_free_ char *buf = NULL;
	VzcrPidfdEntry *e = xmalloc(sizeof(*e));
	const char *p;
	int err;

	d->fe = file_entry_new(FD_TYPES__EXT, d->id);
	if (!e || !d->fe) {
		free(e);
		return -ENOMEM;
	}
	vzcr_pidfd_entry__init(e);
	d->fe->vzcr_pidfd = e;
	e->id = d->id;
	e->flags = s->flags & ~O_CLOEXEC;
	e->fown = fown_new();
	if (!e->fown)
		return -ENOMEM;
	err = fdinfo_read(d->local_fd, &buf);
	p = err ? NULL : fdinfo_field(buf, "Pid:", "a pidfd");
	if (!p)
		return err ?: -EPROTO;
	e->pid = atoi(p);
	if (e->pid <= 0)
		return log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: pidfd of a process that is gone: not supported",
			       s->pid, s->fd);
	if (!in_tree(s->c, e->pid))
		return log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: pidfd of process %d, outside the tree: not supported",
			       s->pid, s->fd, e->pid);
	return 0;
}

static bool pidfd_has(const FileEntry *fe)
{
	return fe->vzcr_pidfd;
}

static int pidfd_placeholder(struct rst_ctx *c, struct rst_file *f)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)c;
	if (f->fe->vzcr_pidfd->pid <= 0)
		return log_err(-EINVAL, "files.img: pidfd %u: bad pid %d", f->fe->id,
			       f->fe->vzcr_pidfd->pid);
	return fd < 0 ? log_perr(-errno, "Failed to open '/dev/null'") : fd;
}

static long open_pidfd(struct rst_task *t, struct rst_file *f)
{
	const VzcrPidfdEntry *e = f->fe->vzcr_pidfd;
	char what[64];

	snprintf(what, sizeof(what), "open a pidfd of %d", e->pid);
	return infect_call(&t->inf, what, NR_pidfd_open, e->pid, e->flags & PIDFD_OPEN_FLAGS, 0, 0,
			   0, 0);
}

static int pidfd_post(struct rst_ctx *c, struct rst_task *t, struct rst_file *f, int fd)
{
	return rst_post_shared(c, t, f, fd, open_pidfd);
}

const struct fd_kind fd_kind_pidfd = {
	.type = FD_TYPES__EXT,
	.name = "pidfd",
	.make = pidfd_make,
	.has_payload = pidfd_has,
	.open = pidfd_placeholder,
	.post = pidfd_post,
	.post_every = true,
};
