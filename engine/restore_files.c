// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files of a restore. The tool opens every open file description once
 * (regular files by path at their offset, pipes with their queued data);
 * skeletons inherit them across fork and dup them to their fd numbers, so
 * descriptions shared between fds and tasks stay shared.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "ct_path.h"
#include "log.h"
#include "pagemap.pb-c.h"
#include "fdkinds.h"
#include "fifo.h"
#include "ghost.h"
#include "pipes.h"
#include "proc_parse.h"
#include "restore.h"
#include "sockets.h"
#include "xmalloc.h"

/* room for the service fds of one skeleton between targets and tool fds */
#define SVC_ROOM 1024

struct rst_file *rst_file_get(struct rst_ctx *c, uint32_t id)
{
	int i;

	for (i = 0; i < c->nr_files; i++)
		if (c->files[i].fe->id == id)
			return &c->files[i];
	log_err(-ENOENT, "files.img has no file with id %u", id);
	return NULL;
}

static int read_files(struct rst_ctx *c)
{
	struct img *img = img_open(c->dfd, IMG_FILES, O_RDONLY, 0);
	struct rst_file *nf;
	FileEntry *fe;
	int ret;

	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&fe)) > 0) {
		nf = xrealloc(c->files, (c->nr_files + 1) * sizeof(*nf));
		if (!nf) {
			img_free_entry(fe);
			ret = -ENOMEM;
			break;
		}
		c->files = nf;
		c->files[c->nr_files++] = (struct rst_file){ .fe = fe, .fd = -1, .peer = -1 };
		if ((fe->type == FD_TYPES__REG && !fe->reg) || (fe->type == FD_TYPES__PIPE && !fe->pipe) ||
		    (fe->type == FD_TYPES__FIFO && !fe->fifo))
			ret = log_err(-EINVAL, "files.img: file %u of type %d has no payload", fe->id,
				      fe->type);
		else if ((fe->type == FD_TYPES__UNIXSK && !fe->usk) ||
			 (fe->type == FD_TYPES__INETSK && !fe->isk) ||
			 (fe->type == FD_TYPES__NETLINKSK && !fe->nlsk) ||
			 (fe->type == FD_TYPES__PACKETSK && !fe->psk))
			ret = log_err(-EINVAL, "files.img: socket %u of type %d has no payload", fe->id,
				      fe->type);
		else if (fd_kind_get(fe->type))
			ret = fd_kind_check(fe);
		else if (fe->type != FD_TYPES__REG && fe->type != FD_TYPES__PIPE &&
			 fe->type != FD_TYPES__FIFO && !sk_is_socket_type(fe->type))
			ret = log_err(-EOPNOTSUPP, "files.img: file %u: type %d not supported", fe->id,
				      fe->type);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret;
}

/* Move a fresh fd of the tool above every fd number a skeleton uses. */
static int lift_fd(struct rst_ctx *c, int fd)
{
	int nfd;

	if (fd < 0)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, c->svc_base + SVC_ROOM);
	close(fd);
	if (nfd < 0)
		return log_perr(-errno, "Failed to move a file to fd >= %d", c->svc_base + SVC_ROOM);
	return nfd;
}

int rst_lift_fd(struct rst_ctx *c, int fd)
{
	return lift_fd(c, fd);
}

/* The reopened file must be what was dumped: the same kind of inode. */
static int check_reg(const RegFileEntry *r, int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return log_perr(-errno, "Failed to stat '%s' (file %u)", path, r->id);
	if (r->has_mode && (st.st_mode & S_IFMT) != (r->mode & S_IFMT))
		return log_err(-ESTALE, "Failed to restore file %u: '%s' is of mode %o, was %o", r->id,
			       path, st.st_mode, r->mode);
	if (r->has_size && S_ISREG(st.st_mode) && (uint64_t)st.st_size != r->size)
		pr_warn("File %u '%s': %llu bytes, %llu at the checkpoint, ignoring", r->id, path,
			(unsigned long long)st.st_size, (unsigned long long)r->size);
	return 0;
}

/* O_TMPFILE's own bit: glibc's __O_TMPFILE has O_DIRECTORY in it too */
#define TMPFILE_BIT (__O_TMPFILE & ~O_DIRECTORY)

/* The open flags that reopen @r: what only made or truncated the file is dropped. */
static int reopen_flags(const RegFileEntry *r)
{
	int flags = r->flags & ~(O_CREAT | O_TRUNC | O_EXCL | O_NOCTTY | TMPFILE_BIT);

	/* a file made with O_TMPFILE keeps O_DIRECTORY in its flags */
	if (r->has_mode && !S_ISDIR(r->mode))
		flags &= ~O_DIRECTORY;
	return flags | O_CLOEXEC | O_NOCTTY;
}

/* Regular files, directories, devices: by path (a ghost's, if it has one). */
static int open_reg(struct rst_ctx *c, struct rst_file *f, const struct ghost_set *gs)
{
	const RegFileEntry *r = f->fe->reg;
	char buf[PATH_MAX];
	const char *path = ghost_path(gs, r->id) ?: rst_path(c, r->name, buf, sizeof(buf));
	int fd = open(path, rst_path_flags(path, reopen_flags(r))), err;

	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s' (file %u)", path, r->id);
	err = check_reg(r, fd, path);
	if (!err && r->pos && lseek(fd, r->pos, SEEK_SET) < 0)
		err = log_perr(-errno, "Failed to seek '%s' to %llu", path,
			       (unsigned long long)r->pos);
	if (err) {
		close(fd);
		return err;
	}
	f->fd = lift_fd(c, fd);
	return f->fd < 0 ? f->fd : 0;
}

/* Both ends of pipe @pipe_id, made once; the data goes in right away. */
static int make_pipe(struct rst_ctx *c, uint32_t pipe_id, int ends[2])
{
	int err;

	if (pipe2(ends, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to create pipe %u", pipe_id);
	err = pipe_refill(c->dfd, IMG_PIPES_DATA, pipe_id, ends[1]);
	if (err) {
		close(ends[0]);
		close(ends[1]);
	}
	return err;
}

static int open_pipe(struct rst_ctx *c, struct rst_file *f)
{
	const PipeEntry *p = f->fe->pipe;
	int i, ends[2], err, want_rd = (p->flags & O_ACCMODE) == O_RDONLY;

	for (i = 0; i < c->nr_files; i++) {
		struct rst_file *o = &c->files[i];

		if (o == f || o->fe->type != FD_TYPES__PIPE || o->fe->pipe->pipe_id != p->pipe_id ||
		    o->fd < 0)
			continue;
		/* the pipe exists: take the other end kept there, or reopen ours */
		if (o->peer >= 0 && ((o->fe->pipe->flags & O_ACCMODE) == O_RDONLY) != want_rd) {
			f->fd = o->peer;
			o->peer = -1;
		} else {
			char path[64];

			snprintf(path, sizeof(path), "/proc/self/fd/%d", o->fd);
			f->fd = lift_fd(c, open(path, (want_rd ? O_RDONLY : O_WRONLY) | O_CLOEXEC));
		}
		goto flags;
	}
	err = make_pipe(c, p->pipe_id, ends);
	if (err)
		return err;
	f->fd = lift_fd(c, ends[want_rd ? 0 : 1]);
	f->peer = lift_fd(c, ends[want_rd ? 1 : 0]);
flags:
	if (f->fd < 0)
		return f->fd;
	if (fcntl(f->fd, F_SETFL, p->flags & ~O_ACCMODE) < 0)
		return log_perr(-errno, "Failed to set flags %#x on pipe %u", p->flags, p->pipe_id);
	return 0;
}

static int add_plan(struct rst_task *t, int fd, int src, bool cloexec)
{
	struct fd_plan *n = xrealloc(t->fds, (t->nr_fds + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	t->fds = n;
	t->fds[t->nr_fds++] = (struct fd_plan){ fd, src, cloexec };
	return 0;
}

/* fdinfo-PID.img: which file goes to which fd of the task. */
static int plan_task_fds(struct rst_ctx *c, struct rst_task *t, int *max_fd)
{
	struct img *img = img_open(c->dfd, IMG_FDINFO, O_RDONLY, t->pid);
	FdinfoEntry *fe;
	int ret;

	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&fe)) > 0) {
		struct rst_file *f = rst_file_get(c, fe->id);

		if (!f)
			ret = -ENOENT;
		else if (fe->fd > 1 << 20)
			ret = log_err(-EINVAL, "fdinfo-%d.img: fd %u out of range", t->pid, fe->fd);
		else
			ret = add_plan(t, fe->fd, fe->id, fe->flags & FD_CLOEXEC);
		if (ret >= 0 && (int)fe->fd > *max_fd)
			*max_fd = fe->fd;
		img_free_entry(fe);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret;
}

/* @fd was opened for @t alone: closed with the task's plan. */
static int own_fd(struct rst_task *t, int fd)
{
	int *n = xrealloc(t->own_fds, (t->nr_own + 1) * sizeof(*n));

	if (!n) {
		close(fd);
		return -ENOMEM;
	}
	t->own_fds = n;
	t->own_fds[t->nr_own++] = fd;
	return 0;
}

/*
 * A description of its own for each file mapping: mappings of one struct
 * file at adjacent offsets would merge into one VMA, where the dumped task
 * had several (a relro part split off by mprotect, say).
 */
static int reopen_for_map(struct rst_ctx *c, struct rst_task *t, int fd, uint32_t id)
{
	struct rst_file *f = rst_file_get(c, id);
	char path[64];
	int nfd, acc = f && f->fe->reg ? f->fe->reg->flags & O_ACCMODE : O_RDONLY;

	if (f && f->fe->memfd)
		acc = f->fe->memfd->flags & O_ACCMODE;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, acc | O_CLOEXEC);
	if (nfd < 0)
		return log_perr(-errno, "Failed to reopen file %u for a mapping of task %d", id,
				t->pid);
	nfd = lift_fd(c, nfd);
	if (nfd < 0)
		return nfd;
	return own_fd(t, nfd) ?: nfd;
}

/* Add the tool's fd @src as a service fd of @t; returns its index. */
static int add_svc(struct rst_task *t, int src)
{
	int i, *n;

	for (i = 0; i < t->nr_svc; i++)
		if (t->svc_src[i] == src)
			return i;
	/* service fds sit between the task's fds and the tool's own, SVC_ROOM apart */
	if (t->nr_svc + 1 >= SVC_ROOM)
		return log_err(-EMFILE, "Task %d maps more than %d files: not supported", t->pid,
			       SVC_ROOM - 1);
	n = xrealloc(t->svc_src, (t->nr_svc + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	t->svc_src = n;
	t->svc_src[t->nr_svc] = src;
	return t->nr_svc++;
}

static int open_pages(struct rst_ctx *c, struct rst_task *t)
{
	struct img *img = img_open(c->dfd, IMG_PAGEMAP, O_RDONLY, t->pid);
	PagemapHead *h;
	char name[64];
	int ret, fd;

	if (!img)
		return -errno;
	ret = img_read(img, (void **)&h);
	img_close(img);
	if (ret <= 0)
		return ret ? ret : log_err(-ENODATA, "pagemap-%d.img: no head", t->pid);
	snprintf(name, sizeof(name), "pages-%u.img", h->pages_id);
	img_free_entry(h);
	fd = openat(c->dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s/%s'", c->opts->dir, name);
	fd = lift_fd(c, fd);
	if (fd < 0)
		return fd;
	ret = own_fd(t, fd);
	return ret < 0 ? ret : add_svc(t, fd);
}

static int file_fd(struct rst_ctx *c, uint32_t id)
{
	struct rst_file *f = rst_file_get(c, id);

	return f ? f->fd : -ENOENT;
}

/* Pages, mapped files and exe for the skeleton of @t. */
static int plan_svc(struct rst_ctx *c, struct rst_task *t)
{
	size_t i;
	int fd;

	t->svc_pages = open_pages(c, t);
	if (t->svc_pages < 0)
		return t->svc_pages;
	fd = file_fd(c, t->mm->exe_file_id);
	t->svc_exe = fd < 0 ? fd : add_svc(t, fd);
	if (t->svc_exe < 0)
		return t->svc_exe;
	t->svc_vma = xmalloc((t->mm->n_vmas + 1) * sizeof(int));
	if (!t->svc_vma)
		return -ENOMEM;
	for (i = 0; i < t->mm->n_vmas; i++) {
		const VmaEntry *v = t->mm->vmas[i];

		t->svc_vma[i] = -1;
		if (!(v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)))
			continue;
		fd = file_fd(c, v->shmid);
		if (fd >= 0)
			fd = reopen_for_map(c, t, fd, v->shmid);
		t->svc_vma[i] = fd < 0 ? fd : add_svc(t, fd);
		if (t->svc_vma[i] < 0)
			return t->svc_vma[i];
	}
	return 0;
}

static int open_fifo(struct rst_ctx *c, struct rst_file *f)
{
	int fd, hold, err = fifo_open(c, f, &fd, &hold);

	if (err)
		return err;
	f->peer = hold < 0 ? -1 : lift_fd(c, hold);
	f->fd = lift_fd(c, fd);
	if (f->fd < 0)
		return f->fd;
	return f->peer < 0 && hold >= 0 ? f->peer : 0;
}

/* Open every file of files.img once, ghosts rebuilt for as long as it takes. */
static int open_all(struct rst_ctx *c)
{
	struct ghost_set gs = {};
	int i, err;

	err = ghost_prepare(c, &gs) ?: sk_open_all(c);
	for (i = 0; !err && i < c->nr_files; i++) {
		struct rst_file *f = &c->files[i];

		if (f->fd >= 0)
			continue;
		if (f->fe->type == FD_TYPES__PIPE)
			err = open_pipe(c, f);
		else if (f->fe->type == FD_TYPES__FIFO)
			err = open_fifo(c, f);
		else if (fd_kind_get(f->fe->type))
			err = fd_kind_open(c, f, lift_fd);
		else if (!fifo_is_path(c, f->fe->id))
			err = open_reg(c, f, &gs);
	}
	err = err ?: sk_open_late(c);
	ghost_cleanup(&gs);
	return err;
}

int rst_open_files(struct rst_ctx *c)
{
	int i, j, max_fd = 2, err;

	err = read_files(c);
	for (i = 0; !err && i < c->nr_tasks; i++)
		if (!c->tasks[i].zombie)
			err = plan_task_fds(c, &c->tasks[i], &max_fd);
	if (err)
		return err;
	c->svc_base = max_fd + 1;
	err = open_all(c);
	for (i = 0; !err && i < c->nr_tasks; i++) {
		struct rst_task *t = &c->tasks[i];

		if (t->zombie)
			continue;
		for (j = 0; j < t->nr_fds; j++)
			t->fds[j].src = file_fd(c, t->fds[j].src);
		err = plan_svc(c, t);
	}
	return err;
}
