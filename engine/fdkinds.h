/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File kinds with state of their own beyond a path (eventfd, signalfd,
 * timerfd, epoll, inotify, memfd, pty pairs), behind one table: how a link in
 * /proc/PID/fd names the kind, how its FileEntry is made from the engine's
 * own reference to the file, how the tool opens it again on restore, and
 * what a task must do itself once its fds are in place (the "post-fds"
 * phase: epoll registrations keyed on the task's fd numbers).
 */
#ifndef VZCR_FDKINDS_H
#define VZCR_FDKINDS_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fdinfo.pb-c.h"
#include "files.h"

struct dump_ctx;
struct rst_ctx;
struct rst_file;
struct rst_task;

/* The fd being dumped, as its kind's dumper sees it. */
struct fd_src {
	pid_t pid;
	int fd;				/* its number in the task */
	int pidfd;			/* of the task */
	unsigned int flags;		/* open flags (fdinfo) */
	const char *link;		/* /proc/PID/fd/FD */
	const struct stat *st;
	struct dump_ctx *c;
};

struct fd_kind {
	FdTypes type;
	const char *name;
	/* fill d->fe from d->local_fd (a file_make_t with a struct fd_src) */
	int (*make)(struct file_desc *d, void *src);
	/* the FileEntry carries this kind's payload */
	bool (*has_payload)(const FileEntry *fe);
	/* open the file in the tool; a new fd or -errno (logged) */
	int (*open)(struct rst_ctx *c, struct rst_file *f);
	/*
	 * In task @t, which holds @f at fd @fd, once all its fds are in place:
	 * in the first holder only (restore order, lowest fd), or in every
	 * holder with post_every.
	 */
	int (*post)(struct rst_ctx *c, struct rst_task *t, struct rst_file *f, int fd);
	bool post_every;
	/* a file to open before @f (a pty master before its slave), or NULL for none */
	struct rst_file *(*depends)(struct rst_ctx *c, struct rst_file *f);
	/* in every task, after the post steps of its files */
	int (*post_task)(struct rst_ctx *c, struct rst_task *t);
};

/* The kind a link and inode name, NULL for none of these kinds. */
const struct fd_kind *fd_kind_find(const char *link, const struct stat *st);
/* The kind of FileEntry type @type, NULL for none of these kinds. */
const struct fd_kind *fd_kind_get(int type);
/* Add the file @local_fd (ours, taken) of kind @type; its id or -errno. */
int fd_kind_dump(int type, struct file_table *t, int local_fd, struct fd_src *s);
/* Check that @fe has its payload if it is one of these kinds; 0 or -EINVAL. */
int fd_kind_check(const FileEntry *fe);
/* Open @f of one of these kinds in the tool: sets f->fd; 0 or -errno. */
int fd_kind_open(struct rst_ctx *c, struct rst_file *f, int (*lift)(struct rst_ctx *, int));
/* The post-fds phase of task @t (seized, scratch area ready); 0 or -errno. */
int rst_post_fds(struct rst_ctx *c, struct rst_task *t);

/* The first task (restore order) holding @f and its lowest fd of it; false if none. */
bool fd_first_holder(struct rst_ctx *c, const struct rst_file *f, struct rst_task **ret_t,
		     int *ret_fd);
/* Does @t's plan want fd @fd close-on-exec? */
bool fd_plan_cloexec(const struct rst_task *t, int fd);

/*
 * Put the file @f at fd @fd of @t from inside it, for a file only a task can
 * open (/dev/tty, a pidfd): the first holder opens it with @open_first
 * (which returns the new fd in the task or -errno), the others take that
 * very file with pidfd_getfd, so it stays one shared file. 0 or -errno.
 */
int rst_post_shared(struct rst_ctx *c, struct rst_task *t, struct rst_file *f, int fd,
		    long (*open_first)(struct rst_task *t, struct rst_file *f));

/* Helpers for the kinds. */
/* /proc/self/fdinfo/@fd, NUL-terminated, into *ret_buf; 0 or -errno (logged). */
int fdinfo_read(int fd, char **ret_buf);
/* The text after "@key" in @buf, or NULL (logged with @what). */
const char *fdinfo_field(const char *buf, const char *key, const char *what);
/* A new zeroed FownEntry, NULL on ENOMEM. */
FownEntry *fown_new(void);
/* A FileEntry of @type and @id, payload to be set by the caller; NULL on ENOMEM. */
FileEntry *file_entry_new(FdTypes type, uint32_t id);
/* Give @fd the status flags (O_NONBLOCK...) of @flags; 0 or -errno (logged). */
int fd_set_status(int fd, unsigned int flags, const char *what, uint32_t id);

extern const struct fd_kind fd_kind_eventfd, fd_kind_signalfd, fd_kind_timerfd;
extern const struct fd_kind fd_kind_epoll, fd_kind_inotify, fd_kind_memfd, fd_kind_tty;
extern const struct fd_kind fd_kind_pidfd;

/* A Unix98 pty master or slave, /dev/tty or /dev/console. */
bool tty_is_tty(const struct stat *st);
/*
 * In the skeleton of @t, after its setsid() and before it forks: if @t led
 * the session of a pty, make that pty its controlling terminal. 0 or -errno.
 */
int tty_skel_ctty(struct rst_ctx *c, struct rst_task *t);

#endif /* VZCR_FDKINDS_H */
