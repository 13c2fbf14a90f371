// SPDX-License-Identifier: GPL-2.0-only
/* Dump the fd table, cwd and root of a task. */
#define LOG_PREFIX "files: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "dump.h"
#include "fs.pb-c.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "pipes.h"
#include "xmalloc.h"

struct fd_facts {
	pid_t pid;
	int fd;
	unsigned int flags;		/* open flags from fdinfo */
	unsigned long long pos;
	char link[PATH_MAX];
	struct stat st;
	struct dump_ctx *c;
};

static int read_fdinfo(struct fd_facts *f)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], *p;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", f->pid, f->fd);
	if (read_file_at(AT_FDCWD, path, 4096, &buf) < 0)
		return log_perr(-errno, "Failed to read '%s'", path);
	p = strstr(buf, "pos:");
	f->pos = p ? strtoull(p + 4, NULL, 10) : 0;
	p = strstr(buf, "flags:");
	f->flags = p ? strtoul(p + 6, NULL, 8) : 0;
	return 0;
}

static FownEntry *new_fown(void)
{
	FownEntry *o = xmalloc(sizeof(*o));

	if (o)
		fown_entry__init(o);
	return o;
}

/* A regular file, directory or device node, reopened by path on restore. */
static int make_reg(struct file_desc *d, void *arg)
{
	struct fd_facts *f = arg;
	FileEntry *fe = xmalloc(sizeof(*fe));
	RegFileEntry *r = xmalloc(sizeof(*r));

	if (!fe || !r)
		goto nomem;
	file_entry__init(fe);
	reg_file_entry__init(r);
	fe->type = FD_TYPES__REG;
	fe->id = d->id;
	fe->reg = r;
	r->id = d->id;
	r->flags = f->flags & ~O_CLOEXEC;
	r->pos = f->pos;
	r->name = xstrdup(f->link);
	r->fown = new_fown();
	r->has_mode = true;
	r->mode = f->st.st_mode;
	if (S_ISREG(f->st.st_mode)) {
		r->has_size = true;
		r->size = f->st.st_size;
	}
	if (!r->name || !r->fown)
		goto nomem_fe;
	d->fe = fe;
	return 0;
nomem_fe:
	file_entry__free_unpacked(fe, NULL);
	return -ENOMEM;
nomem:
	free(fe);
	free(r);
	return -ENOMEM;
}

static bool is_tty(const struct stat *st)
{
	unsigned int maj = major(st->st_rdev);

	/* consoles and virtual terminals (4, 5), ptys (136-143, 128-135) */
	return S_ISCHR(st->st_mode) && (maj == 4 || maj == 5 || (maj >= 128 && maj <= 143));
}

/* Which kind of file, or an error naming what is not supported yet. */
static int classify(const struct fd_facts *f)
{
	const char *l = f->link;
	size_t n = strlen(l);

	if (S_ISFIFO(f->st.st_mode))
		return strncmp(l, "pipe:", 5) ? FD_TYPES__FIFO : FD_TYPES__PIPE;
	if (S_ISSOCK(f->st.st_mode))
		return log_err(-EOPNOTSUPP, "Task %d fd %d: socket '%s': not supported yet",
			       f->pid, f->fd, l);
	if (is_tty(&f->st))
		return log_err(-EOPNOTSUPP, "Task %d fd %d: terminal '%s': not supported yet",
			       f->pid, f->fd, l);
	if (l[0] != '/')
		return log_err(-EOPNOTSUPP, "Task %d fd %d: '%s': not supported yet", f->pid,
			       f->fd, l);
	if (n > 10 && !strcmp(l + n - 10, " (deleted)"))
		return log_err(-EOPNOTSUPP, "Task %d fd %d: unlinked file '%s': not supported yet",
			       f->pid, f->fd, l);
	return FD_TYPES__REG;
}

static int get_file(struct fd_facts *f, int pidfd, int *ret_type)
{
	char path[64];
	ssize_t n;
	int type;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", f->pid, f->fd);
	n = readlink(path, f->link, sizeof(f->link) - 1);
	if (n < 0)
		return log_perr(-errno, "Failed to read link '%s'", path);
	f->link[n] = '\0';
	if (stat(path, &f->st) < 0)
		return log_perr(-errno, "Failed to stat '%s'", path);
	type = classify(f);
	if (type < 0)
		return type;
	*ret_type = type;
	n = syscall(SYS_pidfd_getfd, pidfd, f->fd, 0);
	if (n < 0)
		return log_perr(-errno, "Failed to get fd %d of task %d", f->fd, f->pid);
	return n;
}

static int dump_one_fd(struct fd_facts *f, int pidfd, struct img *img)
{
	FdinfoEntry fe = FDINFO_ENTRY__INIT;
	int type = 0, local, id, err;

	err = read_fdinfo(f);
	if (err)
		return err;
	local = get_file(f, pidfd, &type);
	if (local < 0)
		return local;
	if (type == FD_TYPES__PIPE)
		id = pipe_dump_file(&f->c->files, local, f->flags, f->st.st_ino);
	else if (type == FD_TYPES__REG)
		id = file_table_get(&f->c->files, local, make_reg, f);
	else
		id = (close(local), log_err(-EOPNOTSUPP, "Task %d fd %d: FIFO '%s': not supported yet",
					    f->pid, f->fd, f->link));
	if (id < 0)
		return id;
	fe.id = id;
	fe.type = type;
	fe.fd = f->fd;
	fe.flags = f->flags & O_CLOEXEC ? FD_CLOEXEC : 0;
	return img_write(img, &fe);
}

static int dump_fds(struct dump_ctx *c, struct task_dump *td, struct img *img)
{
	pid_t pid = td->it->pid;
	_cleanup_close_ int pidfd = syscall(SYS_pidfd_open, pid, 0);
	_cleanup_closedir_ DIR *d = NULL;
	struct fd_facts f = { .pid = pid, .c = c };
	struct dirent *de;
	char path[64];
	int err;

	if (pidfd < 0)
		return log_perr(-errno, "Failed to open a pidfd for %d", pid);
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return log_perr(-errno, "Failed to open '%s'", path);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		f.fd = atoi(de->d_name);
		err = dump_one_fd(&f, pidfd, img);
		if (err)
			return err;
	}
	return 0;
}

/* cwd or root as a directory file entry; returns its id or -errno. */
static int dump_dir_link(struct dump_ctx *c, pid_t pid, const char *which)
{
	struct fd_facts f = { .pid = pid, .c = c, .flags = O_RDONLY | O_DIRECTORY };
	char path[64];
	ssize_t n;
	int local;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, which);
	n = readlink(path, f.link, sizeof(f.link) - 1);
	if (n < 0)
		return log_perr(-errno, "Failed to read link '%s'", path);
	f.link[n] = '\0';
	local = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (local < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	if (fstat(local, &f.st) < 0) {
		close(local);
		return log_perr(-errno, "Failed to stat '%s'", path);
	}
	return file_table_get(&c->files, local, make_reg, &f);
}

static int dump_fs(struct dump_ctx *c, struct task_dump *td)
{
	FsEntry fe = FS_ENTRY__INIT;
	int cwd, root;

	cwd = dump_dir_link(c, td->it->pid, "cwd");
	root = cwd < 0 ? cwd : dump_dir_link(c, td->it->pid, "root");
	if (root < 0)
		return root;
	fe.cwd_id = cwd;
	fe.root_id = root;
	fe.has_umask = true;
	fe.umask = td->status.umask;
	return img_write_single(c->dfd, IMG_FS, td->it->pid, &fe);
}

int dump_task_files(struct dump_ctx *c, struct task_dump *td)
{
	struct img *img = img_open(c->dfd, IMG_FDINFO, O_WRONLY, td->it->pid);
	int err;

	if (!img)
		return -errno;
	err = dump_fds(c, td, img);
	if (err) {
		img_abort(img);
		return err;
	}
	err = img_close(img);
	return err ? err : dump_fs(c, td);
}
