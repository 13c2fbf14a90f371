// SPDX-License-Identifier: GPL-2.0-only
/*
 * The table of file kinds with state (fdkinds.h), the dispatch that
 * files_dump.c and restore_files.c call, the post-fds phase of restore,
 * and small helpers the kinds share (fdinfo parsing, entry allocation).
 */
#define LOG_PREFIX "files: "
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <asm/syscall-nr.h>

#include "fdkinds.h"
#include "io.h"
#include "log.h"
#include "restore.h"
#include "xmalloc.h"

static const struct {
	const char *prefix;		/* of the /proc/PID/fd link */
	const struct fd_kind *kind;
} links[] = {
	{ "anon_inode:[eventfd]", &fd_kind_eventfd },
	{ "anon_inode:[signalfd]", &fd_kind_signalfd },
	{ "anon_inode:[timerfd]", &fd_kind_timerfd },
	{ "anon_inode:[eventpoll]", &fd_kind_epoll },
	{ "anon_inode:inotify", &fd_kind_inotify },
	{ "/memfd:", &fd_kind_memfd },
	{ "anon_inode:[pidfd]", &fd_kind_pidfd },
};

/* every kind, for lookups by type and the per-task steps */
static const struct fd_kind *const kinds[] = {
	&fd_kind_eventfd, &fd_kind_signalfd, &fd_kind_timerfd, &fd_kind_epoll,
	&fd_kind_inotify, &fd_kind_memfd, &fd_kind_tty, &fd_kind_pidfd,
};

const struct fd_kind *fd_kind_find(const char *link, const struct stat *st)
{
	size_t i;

	if (tty_is_tty(st))
		return &fd_kind_tty;
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (!strncmp(link, links[i].prefix, strlen(links[i].prefix)))
			break;
	if (i == sizeof(links) / sizeof(links[0]))
		return NULL;
	/* a memfd has no name in any directory; a real file may start with "/memfd:" */
	if (links[i].kind == &fd_kind_memfd && (!S_ISREG(st->st_mode) || st->st_nlink))
		return NULL;
	return links[i].kind;
}

const struct fd_kind *fd_kind_get(int type)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((int)kinds[i]->type == type)
			return kinds[i];
	return NULL;
}

/* kcmp's order of two of our fds' files: 0 the same, <0 or >0; -2 unknown */
static int cmp_files(int a, int b)
{
	pid_t me = getpid();
	long r = syscall(SYS_kcmp, me, me, KCMP_FILE, a, b);

	return r == 0 ? 0 : r == 1 ? -1 : r == 2 ? 1 : -2;
}

/*
 * Binary search of t->kind_order for the file of @local_fd: its id (> 0),
 * or 0 with *ret_at the place to insert it; -errno if kcmp cannot order.
 */
static int find_kind_file(struct file_table *t, int local_fd, size_t *ret_at)
{
	size_t lo = 0, hi = t->nr_kind_order;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_files(local_fd, t->v[t->kind_order[mid]].local_fd);

		if (c == 0)
			return t->v[t->kind_order[mid]].id;
		if (c == -2)
			return log_perr(-errno ?: -ENOSYS, "Failed to compare files with kcmp");
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*ret_at = lo;
	return 0;
}

int fd_kind_dump(int type, struct file_table *t, int local_fd, struct fd_src *s)
{
	const struct fd_kind *k = fd_kind_get(type);
	size_t at = 0, *n;
	int id;

	if (!k) {
		close(local_fd);
		return log_err(-EINVAL, "Task %d fd %d: no dumper for file type %d", s->pid, s->fd,
			       type);
	}
	id = find_kind_file(t, local_fd, &at);
	if (id) {
		close(local_fd);
		return id;
	}
	n = xrealloc(t->kind_order, (t->nr_kind_order + 1) * sizeof(*n));
	if (!n) {
		close(local_fd);
		return -ENOMEM;
	}
	t->kind_order = n;
	id = file_table_add(t, local_fd, k->make, s);
	if (id < 0)
		return id;
	memmove(n + at + 1, n + at, (t->nr_kind_order - at) * sizeof(*n));
	n[at] = t->n - 1;
	t->nr_kind_order++;
	return id;
}

int fd_kind_check(const FileEntry *fe)
{
	const struct fd_kind *k = fd_kind_get(fe->type);

	if (k && !k->has_payload(fe))
		return log_err(-EINVAL, "files.img: %s file %u has no payload", k->name, fe->id);
	return 0;
}

int fd_kind_open(struct rst_ctx *c, struct rst_file *f, int (*lift)(struct rst_ctx *, int))
{
	const struct fd_kind *k = fd_kind_get(f->fe->type);
	int fd;

	if (!k)
		return log_err(-EOPNOTSUPP, "files.img: file %u: type %d not supported", f->fe->id,
			       f->fe->type);
	if (k->depends) {
		struct rst_file *first = k->depends(c, f);

		if (first && first->fd < 0 && (fd = fd_kind_open(c, first, lift)) < 0)
			return fd;
	}
	fd = k->open(c, f);
	if (fd < 0)
		return fd;
	f->fd = lift(c, fd);
	return f->fd < 0 ? f->fd : 0;
}

/* The tool's open file behind fd plan @p, or NULL. */
static struct rst_file *plan_file(struct rst_ctx *c, const struct fd_plan *p)
{
	int i;

	for (i = 0; i < c->nr_files; i++)
		if (c->files[i].fd >= 0 && c->files[i].fd == p->src)
			return &c->files[i];
	return NULL;
}

/* Does a task before @t, or an fd before @j in @t, hold the same file? */
static bool held_before(struct rst_ctx *c, struct rst_task *t, int j)
{
	struct rst_task *o;
	int k;

	for (o = c->tasks; o < t; o++)
		for (k = 0; !o->zombie && k < o->nr_fds; k++)
			if (o->fds[k].src == t->fds[j].src)
				return true;
	for (k = 0; k < j; k++)
		if (t->fds[k].src == t->fds[j].src)
			return true;
	return false;
}

/*
 * Each file's post step runs once, in the first task (restore order, which
 * is the dump's) at its lowest fd: the holder the dump checked it against.
 */
int rst_post_fds(struct rst_ctx *c, struct rst_task *t)
{
	int pass, j, err;

	/*
	 * First the files only a task can open (/dev/tty, pidfds), in place of
	 * the tool's placeholders, then what refers to fds (epoll targets).
	 */
	for (pass = 0; pass < 2; pass++) {
		for (j = 0; j < t->nr_fds; j++) {
			struct rst_file *f = plan_file(c, &t->fds[j]);
			const struct fd_kind *k = f ? fd_kind_get(f->fe->type) : NULL;

			if (!k || !k->post || k->post_every != !pass ||
			    (!k->post_every && held_before(c, t, j)))
				continue;
			err = k->post(c, t, f, t->fds[j].fd);
			if (err)
				return err;
		}
	}
	for (j = 0; j < (int)(sizeof(kinds) / sizeof(kinds[0])); j++)
		if (kinds[j]->post_task && (err = kinds[j]->post_task(c, t)))
			return err;
	return 0;
}

bool fd_first_holder(struct rst_ctx *c, const struct rst_file *f, struct rst_task **ret_t,
		     int *ret_fd)
{
	struct rst_task *o;
	int k;

	for (o = c->tasks; o < c->tasks + c->nr_tasks; o++)
		for (k = 0; !o->zombie && k < o->nr_fds; k++)
			if (f->fd >= 0 && o->fds[k].src == f->fd) {
				*ret_t = o;
				*ret_fd = o->fds[k].fd;
				return true;
			}
	return false;
}

bool fd_plan_cloexec(const struct rst_task *t, int fd)
{
	int k;

	for (k = 0; k < t->nr_fds; k++)
		if (t->fds[k].fd == fd)
			return t->fds[k].cloexec;
	return false;
}

int rst_post_shared(struct rst_ctx *c, struct rst_task *t, struct rst_file *f, int fd,
		    long (*open_first)(struct rst_task *t, struct rst_file *f))
{
	struct infect *inf = &t->inf;
	struct rst_task *ft;
	int ffd;
	long x, pfd, r;

	if (!fd_first_holder(c, f, &ft, &ffd))
		return log_err(-ENOENT, "Failed to find the holder of file %u", f->fe->id);
	if (ft == t && ffd == fd) {
		x = open_first(t, f);
	} else if (ft == t) {
		x = infect_call(inf, "dup a file", NR_fcntl, ffd, F_DUPFD_CLOEXEC, 0, 0, 0, 0);
	} else {
		/* every skeleton runs as root yet: it may take another's file */
		pfd = infect_call(inf, "open a pidfd", NR_pidfd_open, ft->pid, 0, 0, 0, 0, 0);
		if (pfd < 0)
			return pfd;
		x = infect_call(inf, "take a file of another task", NR_pidfd_getfd, pfd, ffd, 0, 0,
				0, 0);
		infect_call(inf, "close a pidfd", NR_close, pfd, 0, 0, 0, 0, 0);
	}
	if (x < 0)
		return x;
	r = infect_call(inf, "put a file in place", NR_dup3, x, fd,
			fd_plan_cloexec(t, fd) ? O_CLOEXEC : 0, 0, 0, 0);
	infect_call(inf, "close a file", NR_close, x, 0, 0, 0, 0, 0);
	return r < 0 ? r : 0;
}

int fdinfo_read(int fd, char **ret_buf)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = read_file_at(AT_FDCWD, path, 1 << 20, ret_buf);
	return n < 0 ? log_perr((int)n, "Failed to read '%s'", path) : 0;
}

const char *fdinfo_field(const char *buf, const char *key, const char *what)
{
	const char *p = strstr(buf, key);

	if (!p)
		log_err(-EPROTO, "Failed to find '%s' in the fdinfo of %s", key, what);
	return p ? p + strlen(key) : NULL;
}

FownEntry *fown_new(void)
{
	FownEntry *o = xmalloc(sizeof(*o));

	if (o)
		fown_entry__init(o);
	return o;
}

FileEntry *file_entry_new(FdTypes type, uint32_t id)
{
	FileEntry *fe = xmalloc(sizeof(*fe));

	if (!fe)
		return NULL;
	file_entry__init(fe);
	fe->type = type;
	fe->id = id;
	return fe;
}

int fd_set_status(int fd, unsigned int flags, const char *what, uint32_t id)
{
	/* only the status flags F_SETFL can change: O_NONBLOCK, O_APPEND, O_ASYNC... */
	if (fcntl(fd, F_SETFL, flags & ~(O_ACCMODE | O_CLOEXEC)) < 0)
		return log_perr(-errno, "Failed to set flags %#o on %s %u", flags, what, id);
	return 0;
}
