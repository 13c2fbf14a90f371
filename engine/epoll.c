// SPDX-License-Identifier: GPL-2.0-only
/*
 * epoll: every registered target with the fd number it was registered
 * under, its events and data (fdinfo "tfd:" lines).
 *
 * The kernel keys a registration on (file, fd number), and the task later
 * names it by fd number in EPOLL_CTL_MOD/DEL. So the tool only creates the
 * instance; the registrations are made from inside the first task holding
 * it, by injected epoll_ctl, once its fds sit at their dumped numbers (the
 * post-fds phase): the same call the task made, with no fd juggling in the
 * tool. The dump checks with kcmp(KCMP_EPOLL_TFD) that this task's fd
 * still is the registered file, and refuses a target that was closed or
 * replaced since it was registered (it could not be named again).
 * Level-triggered readiness comes back by itself; an edge already
 * reported may be reported once more.
 */
#define LOG_PREFIX "epoll: "
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "fdkinds.h"
#include "infect.h"
#include "log.h"
#include "restore.h"
#include "xmalloc.h"

/* Is fd @tfd of task @s->pid the file registered under @tfd (@toff-th) in its epoll? */
static int check_target(const struct fd_src *s, uint32_t tfd, uint32_t toff)
{
	struct kcmp_epoll_slot slot = { .efd = s->fd, .tfd = tfd, .toff = toff };
	long r = syscall(SYS_kcmp, s->pid, s->pid, KCMP_EPOLL_TFD, tfd, &slot);

	if (r == 0)
		return 0;
	if (r < 0 && errno != EBADF && errno != ENOENT)
		return log_perr(-errno, "Failed to compare epoll target %u of task %d fd %d", tfd,
				s->pid, s->fd);
	return log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: epoll target fd %u was closed or replaced since it was registered: not supported",
		       s->pid, s->fd, tfd);
}

static int add_tfd(EventpollFileEntry *e, const char *line, const struct fd_src *s)
{
	unsigned long long data, ino;
	unsigned int tfd, events, sdev, toff = 0;
	long long pos;
	EventpollTfdEntry *t, **nv;
	size_t i;

	if (sscanf(line, "tfd: %u events: %x data: %llx pos:%lli ino:%llx sdev:%x", &tfd, &events,
		   &data, &pos, &ino, &sdev) != 6)
		return log_err(-EPROTO, "Failed to parse '%.60s' in the fdinfo of task %d fd %d",
			       line, s->pid, s->fd);
	for (i = 0; i < e->n_tfd; i++)
		toff += e->tfd[i]->tfd == tfd;
	nv = xrealloc(e->tfd, (e->n_tfd + 1) * sizeof(*nv));
	t = xmalloc(sizeof(*t));
	if (nv)
		e->tfd = nv;
	if (!nv || !t) {
		free(t);
		return -ENOMEM;
	}
	eventpoll_tfd_entry__init(t);
	e->tfd[e->n_tfd++] = t;
	t->id = e->id;
	t->tfd = tfd;
	t->events = events;
	t->data = data;
	t->has_dev = t->has_inode = t->has_pos = true;
	t->dev = sdev;
	t->inode = ino;
	t->pos = pos;
	return check_target(s, tfd, toff);
}

static int epoll_make(struct file_desc *d, void *arg)
{
	struct fd_src *s = arg;
	_cleanup_free_ char *buf = NULL;
	EventpollFileEntry *e = xmalloc(sizeof(*e));
	char *line, *save = NULL;
	int err;

	d->fe = file_entry_new(FD_TYPES__EVENTPOLL, d->id);
	if (!e || !d->fe) {
		free(e);
		return -ENOMEM;
	}
	eventpoll_file_entry__init(e);
	d->fe->epfd = e;
	e->id = d->id;
	e->flags = s->flags & ~O_CLOEXEC;
	e->fown = fown_new();
	if (!e->fown)
		return -ENOMEM;
	err = fdinfo_read(d->local_fd, &buf);
	for (line = strtok_r(buf, "\n", &save); !err && line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "tfd:", 4))
			err = add_tfd(e, line, s);
	return err;
}

static bool epoll_has(const FileEntry *fe)
{
	return fe->epfd;
}

static int epoll_open(struct rst_ctx *c, struct rst_file *f)
{
	const EventpollFileEntry *e = f->fe->epfd;
	_cleanup_close_ int fd = epoll_create1(EPOLL_CLOEXEC);
	int err;

	(void)c;
	if (fd < 0)
		return log_perr(-errno, "Failed to create epoll %u", e->id);
	err = fd_set_status(fd, e->flags, "epoll", e->id);
	return err ? err : TAKE_FD(fd);
}

/* Register every target from inside @t, which holds the instance at @fd. */
static int epoll_post(struct rst_ctx *c, struct rst_task *t, struct rst_file *f, int fd)
{
	const EventpollFileEntry *e = f->fe->epfd;
	struct infect *inf = &t->inf;
	size_t i;

	(void)c;
	for (i = 0; i < e->n_tfd; i++) {
		struct epoll_event ev = { .events = e->tfd[i]->events, .data.u64 = e->tfd[i]->data };
		long r = infect_poke(inf, inf->scratch, &ev, sizeof(ev));
		char what[80];

		if (r)
			return r;
		snprintf(what, sizeof(what), "register fd %u in epoll %u (fd %d)", e->tfd[i]->tfd,
			 e->id, fd);
		r = infect_call(inf, what, NR_epoll_ctl, fd, EPOLL_CTL_ADD, e->tfd[i]->tfd,
				inf->scratch, 0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

const struct fd_kind fd_kind_epoll = {
	.type = FD_TYPES__EVENTPOLL,
	.name = "epoll",
	.make = epoll_make,
	.has_payload = epoll_has,
	.open = epoll_open,
	.post = epoll_post,
};
