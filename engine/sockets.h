/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sockets: dump and restore of unix, inet (TCP, UDP), netlink and packet
 * sockets as files.img entries (usk, isk, nlsk, psk), with queued data in
 * sk-queues.img and TCP streams in tcp-stream-INO.img.
 *
 * Dump: the engine reads every fact from its own pidfd_getfd copy of the
 * socket (getsockopt, getsockname, MSG_PEEK with SO_PEEK_OFF, TCP_REPAIR)
 * and from sock_diag, asked in the net namespace of the dumped task.
 * Restore: the tool makes every socket once, before the skeletons fork,
 * through sk_socket(): the one place a socket is created, inside the net
 * namespace the restore names (rst_ctx.sk_netns).
 */
#ifndef VZCR_SOCKETS_H
#define VZCR_SOCKETS_H

#include <stdbool.h>
#include <sys/types.h>

#include "files.h"
#include "fown.pb-c.h"
#include "sk-opts.pb-c.h"

struct rst_ctx;
struct rst_file;

/* One socket fd of a dumped task, as files_dump.c found it. */
struct sk_fd {
	pid_t pid;
	int fd;
	unsigned int flags;		/* open flags (O_NONBLOCK) */
	ino_t ino;
	int local_fd;			/* our copy; the table takes it */
};

/*
 * The files.img type of socket @fd of the task behind @pidfd, or 0 for a
 * socket of a kind vzcr does not dump (the caller refuses it by name).
 */
int sk_fd_type(int pidfd, int fd);
/* Add socket @s to the table (it takes s->local_fd); id or -errno. */
int sk_dump_file(struct file_table *t, struct sk_fd *s);
struct dump_ctx;
/*
 * After every task: peers resolved, sk-queues.img (with the files in
 * flight added to the table) and tcp-stream-*.img written. 0 or -errno.
 */
int sk_dump_data(struct dump_ctx *c);
/*
 * Before the tree runs again (or dies): TCP sockets leave repair mode,
 * unless @dies: then they stay in it, so that closing them sends nothing,
 * and their connections are locked (sk-lock.c) until the restore.
 */
void sk_dump_settle(struct dump_ctx *c, bool dies);
/* A dump that failed: repair mode left, a lock taken removed. */
void sk_dump_abort(struct dump_ctx *c);

/* Restore: make every socket of files.img, in the order they depend on. */
int sk_open_all(struct rst_ctx *c);
/*
 * Then, once every other file is open too: the queued data of unix sockets
 * (files in flight go with it), their shutdown state and flags.
 */
int sk_open_late(struct rst_ctx *c);
/*
 * After every task is restored: the nftables lock of the dump (sk-lock.c)
 * is removed. Until then nothing reaches the restored TCP sockets, so a
 * failed restore leaves the peers' state as the images have it.
 */
void sk_restore_done(struct rst_ctx *c);
/*
 * A restore that failed: its TCP sockets go back to repair mode, so that
 * closing them sends nothing and the same images can be restored again.
 */
void sk_restore_abort(struct rst_ctx *c);
/* Is files.img type @type a socket? */
bool sk_is_socket_type(int type);

/* --- shared by the sk-*.c files --- */

/* socket(2) in the restore's net namespace: the one place sockets are made. */
int sk_socket(struct rst_ctx *c, int family, int type, int proto);
int sk_socketpair(struct rst_ctx *c, int type, int sv[2]);
/* A new SkOptsEntry with what @fd has, or NULL (logged). */
SkOptsEntry *sk_opts_dump(int fd, const char *who);
int sk_opts_restore(int fd, const SkOptsEntry *o, const char *who);
/* A zeroed FownEntry, or NULL. */
FownEntry *sk_fown_new(void);
/* Open flags and O_NONBLOCK back on a made socket. */
int sk_set_flags(int fd, unsigned int flags, const char *who);
/* A socket of the tool lifted above the skeletons' fds, into @f. */
int sk_install(struct rst_ctx *c, struct rst_file *f, int fd);
/* A NETLINK_SOCK_DIAG socket in the net namespace of @pid; fd or -errno. */
int sk_diag_open(pid_t pid);
/* The same in the net namespace of socket @sk (SIOCGSKNS); fd or -errno. */
int sk_diag_open_of(int sk);
/*
 * Send @req (a complete netlink message) on diag socket @nl and hand every
 * answer to @cb (which returns 0 or -errno) until the end of the dump, or
 * the one answer of an exact query. 0 or -errno (a lookup that found
 * nothing gives the kernel's -ENOENT).
 */
struct nlmsghdr;
int sk_diag_query(int nl, void *req, size_t len, int (*cb)(struct nlmsghdr *h, void *arg),
		  void *arg);

#endif /* VZCR_SOCKETS_H */
