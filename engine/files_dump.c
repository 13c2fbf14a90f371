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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct_path.h"
#include "dump.h"
#include "fdkinds.h"
#include "fs.pb-c.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "fifo.h"
#include "ghost.h"
#include "pipes.h"
#include "sockets.h"
#include "xmalloc.h"

struct fd_facts {
	pid_t pid;
	int fd;
	unsigned int flags;		/* open flags from fdinfo */
	unsigned long long pos;
	char lock[128];			/* the first "lock:" line of fdinfo, or "" */
	char link[PATH_MAX];		/* where /proc/PID/fd/FD points, " (deleted)" cut */
	bool deleted;			/* ...with no name left */
	int pidfd;			/* of the task */
	struct stat st;
	struct dump_ctx *c;
};

static int read_fdinfo(struct fd_facts *f)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", f->pid, f->fd);
	n = read_file_at(AT_FDCWD, path, 65536, &buf);
	if (n < 0)
		return log_perr(n, "Failed to read '%s'", path);
	p = strstr(buf, "pos:");
	f->pos = p ? strtoull(p + 4, NULL, 10) : 0;
	p = strstr(buf, "flags:");
	f->flags = p ? strtoul(p + 6, NULL, 8) : 0;
	/* flock, OFD and POSIX locks held through this file (kernel 4.x+) */
	p = strstr(buf, "lock:\t");
	f->lock[0] = '\0';
	if (p) {
		p += 6;
		snprintf(f->lock, sizeof(f->lock), "%.*s", (int)strcspn(p, "\n"), p);
	}
	return 0;
}

/* A regular file, directory or device node, reopened by path on restore. */
static int make_reg(struct file_desc *d, void *arg)
{
	struct fd_facts *f = arg;
	int ghost;

	d->fe = reg_entry_new(d->id, f->link, f->flags, f->pos, &f->st);
	if (!d->fe)
		return -ENOMEM;
	if (!f->deleted)
		return 0;
	ghost = ghost_dump(&f->c->files, f->c->dfd, d->local_fd, &f->st);
	if (ghost < 0) {
		pr_debug("Task %d fd %d: no ghost of '%s'", f->pid, f->fd, f->link);
		file_entry__free_unpacked(d->fe, NULL);
		d->fe = NULL;
		return ghost;
	}
	d->ghost_id = ghost;
	return 0;
}

/* What kind of object a link that is no path names, for messages. */
static const char *anon_kind(const char *l)
{
	static const struct {
		const char *prefix, *kind;
	} kinds[] = {
		{ "socket:", "socket" },		{ "anon_inode:[eventfd", "eventfd" },
		{ "anon_inode:[eventpoll", "epoll" },	{ "anon_inode:[signalfd", "signalfd" },
		{ "anon_inode:[timerfd", "timerfd" },	{ "anon_inode:inotify", "inotify" },
		{ "anon_inode:[fanotify", "fanotify" },	{ "anon_inode:[io_uring", "io_uring" },
		{ "anon_inode:[pidfd", "pidfd" },	{ "anon_inode:[userfaultfd", "userfaultfd" },
		{ "anon_inode:bpf", "bpf object" },	{ "anon_inode:", "anonymous inode" },
		{ "/memfd:", "memfd" },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(l, kinds[i].prefix, strlen(kinds[i].prefix)))
			return kinds[i].kind;
	return strchr(l, ':') ? "namespace or kernel object" : "file";
}

/* Character devices whose state is more than their path; NULL if plain. */
static const char *chr_kind(const struct stat *st)
{
	unsigned int maj = major(st->st_rdev);

	/* consoles, vts, ttyS (4, 5), BSD and Unix98 ptys (2, 3, 128-143), USB serial */
	if (maj == 2 || maj == 3 || maj == 4 || maj == 5 || (maj >= 128 && maj <= 143) ||
	    maj == 166 || maj == 188)
		return "terminal";
	if (maj == 10)
		return "misc device (tun, fuse, kvm, ...)";
	if (maj == 13 || maj == 116 || maj == 226)
		return "input, sound or DRM device";
	return NULL;
}

/* "unix stream socket", "inet6 datagram socket", ...: which socket, for messages. */
static const char *sock_kind(const struct fd_facts *f, char *buf, size_t len)
{
	int fd = syscall(SYS_pidfd_getfd, f->pidfd, f->fd, 0), dom = -1, type = -1;
	socklen_t sl = sizeof(int);
	const char *d, *t;

	if (fd >= 0) {
		getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &sl);
		sl = sizeof(int);
		getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &sl);
		close(fd);
	}
	d = dom == AF_UNIX ? "unix " : dom == AF_INET ? "inet " : dom == AF_INET6 ? "inet6 " :
	    dom == AF_NETLINK ? "netlink " : dom == AF_PACKET ? "packet " : "";
	t = type == SOCK_STREAM ? "stream " : type == SOCK_DGRAM ? "datagram " :
	    type == SOCK_SEQPACKET ? "seqpacket " : type == SOCK_RAW ? "raw " : "";
	snprintf(buf, len, "%s%ssocket", d, t);
	return buf;
}

#define refuse(f, what) \
	log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: %s '%s' is not supported", \
		(f)->pid, (f)->fd, what, (f)->link)

/* Does @path name the very inode of the file? */
static bool names_file(const struct fd_facts *f, const char *path)
{
	struct stat st;

	return !dump_path_stat(f->c, path, &st) && st.st_dev == f->st.st_dev &&
	       st.st_ino == f->st.st_ino;
}

/* Does the path still lead to the very file (restore reopens it there)? */
static int check_path(struct fd_facts *f)
{
	struct stat st;
	int err = dump_path_stat(f->c, f->link, &st) < 0 ? -errno : 0;

	if (!err && st.st_dev == f->st.st_dev && st.st_ino == f->st.st_ino &&
	    (!S_ISCHR(st.st_mode) || st.st_rdev == f->st.st_rdev))
		return 0;
	/* in a CT: a file of the host, passed in from outside */
	if (dump_path_on_host(f->c, f->link, &f->st))
		return log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: '%s' is the host's, outside the CT's root (passed in by 'vzcr exec'?): not supported",
			       f->pid, f->fd, f->link);
	if (err)
		return log_perr(err, "Failed to dump task %d fd %d: path '%s' does not lead to its file",
				f->pid, f->fd, f->link);
	return log_err(-ESTALE, "Failed to dump task %d fd %d: path '%s' now names another file",
		       f->pid, f->fd, f->link);
}

/* Which kind of file, or an error naming what is not supported. */
static int classify(struct fd_facts *f)
{
	char *l = f->link, kind[48];
	size_t n = strlen(l);
	int err;

	if (f->lock[0])
		return log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: '%s' holds a file lock (%s): locks are not supported",
			       f->pid, f->fd, l, f->lock);
	if (S_ISSOCK(f->st.st_mode) && !(f->flags & O_PATH))
		return sk_fd_type(f->pidfd, f->fd) ?: refuse(f, sock_kind(f, kind, sizeof(kind)));
	if (S_ISFIFO(f->st.st_mode) && !strncmp(l, "pipe:", 5))
		return FD_TYPES__PIPE;
	if (!(f->flags & O_PATH) && fd_kind_find(l, &f->st))
		return fd_kind_find(l, &f->st)->type;
	if (l[0] != '/' || !strncmp(l, "/memfd:", 7))
		return refuse(f, anon_kind(l));
	if (S_ISBLK(f->st.st_mode) && !(f->flags & O_PATH))
		return refuse(f, "block device");
	if (S_ISCHR(f->st.st_mode) && !(f->flags & O_PATH) && chr_kind(&f->st))
		return refuse(f, chr_kind(&f->st));
	/* the kernel's mark of an unlinked file, unless it is part of the real name */
	if (n > 10 && !strcmp(l + n - 10, " (deleted)") && !names_file(f, l)) {
		l[n - 10] = '\0';
		if (!S_ISREG(f->st.st_mode))
			return refuse(f, "unlinked non-regular file");
		if (f->st.st_nlink)
			return refuse(f, "unlinked file with another name left");
		f->deleted = true;
		return FD_TYPES__REG;
	}
	err = check_path(f);
	if (err)
		return err;
	if (S_ISFIFO(f->st.st_mode) && !(f->flags & O_PATH))
		return FD_TYPES__FIFO;
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
	dump_path_name(f->c, f->link, sizeof(f->link));
	f->deleted = false;
	if (stat(path, &f->st) < 0)
		return log_perr(-errno, "Failed to stat '%s'", path);
	type = read_fdinfo(f) ?: classify(f);
	if (type < 0)
		return type;
	*ret_type = type;
	n = syscall(SYS_pidfd_getfd, pidfd, f->fd, 0);
	if (n < 0)
		return log_perr(-errno, "Failed to get fd %d of task %d", f->fd, f->pid);
	return n;
}

/* The id of fd @f->fd of task @f->pid in the table (added if new); its type too. */
static int file_id(struct fd_facts *f, int pidfd, int *ret_type)
{
	int type = 0, local, id;

	local = get_file(f, pidfd, &type);
	if (local < 0)
		return local;
	if (type == FD_TYPES__PIPE)
		id = pipe_dump_file(&f->c->files, local, f->flags, f->st.st_ino);
	else if (type == FD_TYPES__FIFO)
		id = fifo_dump_file(&f->c->files, local, f->flags, f->link, &f->st);
	else if (sk_is_socket_type(type))
		id = sk_dump_file(&f->c->files, &(struct sk_fd){ f->pid, f->fd, f->flags,
								  f->st.st_ino, local });
	else if (fd_kind_get(type))
		id = fd_kind_dump(type, &f->c->files, local,
				  &(struct fd_src){ f->pid, f->fd, f->pidfd, f->flags, f->link,
						    &f->st, f->c });
	else
		id = file_table_get(&f->c->files, local, make_reg, f);
	*ret_type = type;
	return id;
}

static int dump_one_fd(struct fd_facts *f, int pidfd, struct img *img)
{
	FdinfoEntry fe = FDINFO_ENTRY__INIT;
	int type = 0, id = file_id(f, pidfd, &type);

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
	struct fd_facts f = { .pid = pid, .c = c, .pidfd = pidfd };
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

int dump_flying_fd(struct dump_ctx *c, int fd)
{
	_cleanup_close_ int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	struct fd_facts f = { .pid = getpid(), .fd = fd, .c = c, .pidfd = pidfd };
	int type;

	if (pidfd < 0)
		return log_perr(-errno, "Failed to open a pidfd of the engine");
	/* the engine holds it: the messages name the engine's pid and fd */
	return file_id(&f, pidfd, &type);
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
	if (n > 10 && !strcmp(f.link + n - 10, " (deleted)"))
		return log_err(-EOPNOTSUPP, "Failed to dump task %d: its %s '%s' was removed: not supported",
			       pid, which, f.link);
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
	return img_write_single(c->dfd, IMG_FS, td->it->vpid, &fe);
}

/*
 * Locks of @pid that no fd showed: a flock or OFD lock kept by a mapping of
 * a file whose fds are closed, a lock being waited for ("->"). Scanned
 * after the fds, whose own locks are refused there with the fd named.
 */
static int check_locks(pid_t pid)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL, kind[16];
	ssize_t n = read_file_at(AT_FDCWD, "/proc/locks", 1 << 20, &buf);
	int lpid;

	if (n < 0)
		return log_perr(n, "Failed to read '/proc/locks'");
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* "1: POSIX  ADVISORY  WRITE 26356 fe:00:10956195 0 EOF", "1: -> FLOCK ..." */
		char *p = strchr(line, ':');
		bool waits;

		if (!p)
			continue;
		p += 1 + strspn(p + 1, " ");
		waits = !strncmp(p, "->", 2);
		if (waits)
			p += 2;
		if (sscanf(p, "%15s %*s %*s %d", kind, &lpid) != 2)
			continue;
		if (lpid == pid)
			return log_err(-EOPNOTSUPP, "Failed to dump task %d: it %s a %s lock not held through any fd (/proc/locks: '%s'): locks are not supported",
				       pid, waits ? "waits for" : "holds", kind, line);
	}
	return 0;
}

int dump_task_files(struct dump_ctx *c, struct task_dump *td)
{
	struct img *img = img_open(c->dfd, IMG_FDINFO, O_WRONLY, td->it->vpid);
	int err;

	if (!img)
		return -errno;
	err = dump_fds(c, td, img) ?: check_locks(td->it->pid);
	if (err) {
		img_abort(img);
		return err;
	}
	err = img_close(img);
	return err ? err : dump_fs(c, td);
}
