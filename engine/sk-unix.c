// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dump of unix sockets: type, state, name (path or abstract), the file of a
 * bound path, peer, shutdown and options, from the engine's copy of the
 * socket and unix_diag. Peers that are no file of the tree are resolved
 * once every task is dumped: a connection waiting in a listener's queue
 * gets the listener as its peer (the restore connects to it again), a dead
 * peer leaves an orphan whose data is still to be read.
 */
#define LOG_PREFIX "sk-unix: "
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "sk-priv.h"
#include "sk-unix.pb-c.h"
#include "xmalloc.h"

/* What unix_diag says of one socket. */
struct unix_facts {
	bool found;
	uint8_t state, shutdown;
	uint32_t peer;
	uint32_t vfs_ino, vfs_dev;
	bool has_vfs;
	uint32_t rqueue, wqueue;
	uint32_t *icons;
	size_t nr_icons;
};

static int unix_cb(struct nlmsghdr *h, void *arg)
{
	struct unix_facts *u = arg;
	struct unix_diag_msg *m = NLMSG_DATA(h);
	struct rtattr *a = (struct rtattr *)(m + 1);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));

	u->found = true;
	u->state = m->udiag_state;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		void *d = RTA_DATA(a);

		if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= 4) {
			memcpy(&u->peer, d, 4);
		} else if (a->rta_type == UNIX_DIAG_SHUTDOWN && RTA_PAYLOAD(a) >= 1) {
			u->shutdown = *(uint8_t *)d;
		} else if (a->rta_type == UNIX_DIAG_VFS && RTA_PAYLOAD(a) >= (int)sizeof(struct unix_diag_vfs)) {
			struct unix_diag_vfs *v = d;

			u->has_vfs = true;
			u->vfs_ino = v->udiag_vfs_ino;
			u->vfs_dev = v->udiag_vfs_dev;
		} else if (a->rta_type == UNIX_DIAG_RQLEN && RTA_PAYLOAD(a) >= (int)sizeof(struct unix_diag_rqlen)) {
			struct unix_diag_rqlen *r = d;

			u->rqueue = r->udiag_rqueue;
			u->wqueue = r->udiag_wqueue;
		} else if (a->rta_type == UNIX_DIAG_ICONS) {
			free(u->icons);
			u->nr_icons = RTA_PAYLOAD(a) / 4;
			u->icons = xmalloc(u->nr_icons * 4 + 4);
			if (!u->icons)
				return -ENOMEM;
			memcpy(u->icons, d, u->nr_icons * 4);
		}
	}
	return 0;
}

/* unix_diag of socket @ino asked on @nl; -ENOENT if there is none (any more). */
static int unix_diag(int nl, uint32_t ino, struct unix_facts *u)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST },
		.r = { .sdiag_family = AF_UNIX, .udiag_ino = ino,
		       .udiag_show = UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_ICONS |
				     UDIAG_SHOW_RQLEN,
		       .udiag_cookie = { ~0U, ~0U } },
	};
	int err;

	memset(u, 0, sizeof(*u));
	err = sk_diag_query(nl, &req, sizeof(req), unix_cb, u);
	if (!err && !u->found)
		err = -ENOENT;
	return err;
}

/* getsockname: the bound name, path names without their NULs; its length. */
static int unix_name(int fd, char *buf, size_t *ret_len)
{
	struct sockaddr_un sa = {};
	socklen_t l = sizeof(sa);
	size_t n;

	if (getsockname(fd, (struct sockaddr *)&sa, &l) < 0)
		return -errno;
	n = l > offsetof(struct sockaddr_un, sun_path) ? l - offsetof(struct sockaddr_un, sun_path) : 0;
	if (n && sa.sun_path[0])
		n = strnlen(sa.sun_path, n);
	memcpy(buf, sa.sun_path, n);
	*ret_len = n;
	return 0;
}

/* How much of host path @p is the root of task @pid (0 if it is "/"). */
static size_t in_root(pid_t pid, const char *p)
{
	char path[64], root[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	n = readlink(path, root, sizeof(root) - 1);
	if (n <= 1 || strncmp(p, root, n) || (p[n] && p[n] != '/'))
		return 0;
	return n;
}

/*
 * The file a path name leads to: perms, and whether it is still the
 * socket's (else "deleted"). A relative name is taken from the task's cwd.
 */
static int unix_path(struct sk_fd *s, UnixSkEntry *e, const struct unix_facts *u, const char *who)
{
	char path[PATH_MAX + 128], cwd[PATH_MAX];
	const char *name = (const char *)e->name.data;
	FilePermsEntry *p;
	struct stat st;
	ssize_t n;

	/* through the task's own root and cwd: it may be chrooted */
	if (name[0] != '/') {
		snprintf(path, sizeof(path), "/proc/%d/cwd", s->pid);
		n = readlink(path, cwd, sizeof(cwd) - 1);
		if (n < 0)
			return log_perr(-errno, "Failed to read the cwd of task %d", s->pid);
		cwd[n] = '\0';
		/* the directory as the task sees it: the restore binds in its root */
		e->name_dir = xstrdup(cwd[in_root(s->pid, cwd)] ? cwd + in_root(s->pid, cwd) : "/");
		if (!e->name_dir)
			return -ENOMEM;
		snprintf(path, sizeof(path), "/proc/%d/cwd/%s", s->pid, name);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/root%s", s->pid, name);
	}
	e->has_deleted = true;
	e->deleted = !u->has_vfs || stat(path, &st) < 0 || st.st_ino != u->vfs_ino ||
		     !S_ISSOCK(st.st_mode);
	if (e->deleted) {
		pr_debug("%s: its file '%s' is gone", who, path);
		return 0;
	}
	p = xmalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	file_perms_entry__init(p);
	p->mode = st.st_mode & 07777;
	p->uid = st.st_uid;
	p->gid = st.st_gid;
	e->file_perms = p;
	return 0;
}

static UnixSkEntry *unix_entry_new(uint32_t id, struct sk_fd *s, const char *who)
{
	UnixSkEntry *e = xmalloc(sizeof(*e));

	if (!e)
		return NULL;
	unix_sk_entry__init(e);
	e->id = id;
	e->ino = s->ino;
	e->flags = s->flags & ~O_CLOEXEC;
	e->fown = sk_fown_new();
	e->opts = sk_opts_dump(s->local_fd, who);
	if (!e->fown || !e->opts) {
		unix_sk_entry__free_unpacked(e, NULL);
		return NULL;
	}
	return e;
}

/* Type, state, peer, shutdown, backlog, name of @e from @u and the socket. */
static int unix_fill(struct sk_fd *s, UnixSkEntry *e, const struct unix_facts *u, const char *who)
{
	char name[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	socklen_t l = sizeof(int);
	int type = 0, err;
	size_t n = 0;

	if (getsockopt(s->local_fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0)
		return log_perr(-errno, "Failed to read the type of %s", who);
	e->type = type;
	e->state = u->state;
	e->peer = u->peer;
	e->has_shutdown = !!u->shutdown;
	e->shutdown = u->shutdown & 3;	/* RCV_SHUTDOWN 1, SEND_SHUTDOWN 2: as sk_shutdown */
	if (u->state == TCP_LISTEN)
		e->backlog = u->wqueue;
	err = unix_name(s->local_fd, name, &n);
	if (err)
		return log_perr(err, "Failed to read the name of %s", who);
	e->name.data = xmalloc(n + 1);
	if (!e->name.data)
		return -ENOMEM;
	memcpy(e->name.data, name, n);
	e->name.data[n] = '\0';
	e->name.len = n;
	if (n && name[0])
		return unix_path(s, e, u, who);
	return 0;
}

int sk_unix_make(struct file_desc *d, void *arg)
{
	struct sk_fd *s = arg;
	_cleanup_close_ int nl = -EBADF;
	struct unix_facts u = {};
	FileEntry *fe = NULL;
	UnixSkEntry *e = NULL;
	char who[96];
	int err;

	snprintf(who, sizeof(who), "task %d fd %d (unix socket %lu)", s->pid, s->fd,
		 (unsigned long)s->ino);
	nl = sk_diag_open_of(s->local_fd);
	if (nl < 0)
		return nl;
	err = unix_diag(nl, s->ino, &u);
	if (err)
		return log_perr(err, "Failed to read unix_diag of %s", who);
	e = unix_entry_new(d->id, s, who);
	fe = xmalloc(sizeof(*fe));
	err = !e || !fe ? -ENOMEM : unix_fill(s, e, &u, who);
	free(u.icons);
	if (err) {
		if (e)
			unix_sk_entry__free_unpacked(e, NULL);
		free(fe);
		return err == -ENOMEM ? log_err(err, "Failed to dump %s: out of memory", who) : err;
	}
	file_entry__init(fe);
	fe->type = FD_TYPES__UNIXSK;
	fe->id = d->id;
	fe->usk = e;
	d->fe = fe;
	return 0;
}

static UnixSkEntry *find_usk(struct file_table *t, uint32_t ino)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].fe && t->v[i].fe->type == FD_TYPES__UNIXSK && t->v[i].fe->usk->ino == ino)
			return t->v[i].fe->usk;
	return NULL;
}

/* The listener of the tree bound to the name @fd is connected to, or NULL. */
static UnixSkEntry *listener_of(struct file_table *t, int fd)
{
	struct sockaddr_un sa = {};
	socklen_t l = sizeof(sa);
	size_t i, n;

	if (getpeername(fd, (struct sockaddr *)&sa, &l) < 0)
		return NULL;
	n = l > offsetof(struct sockaddr_un, sun_path) ? l - offsetof(struct sockaddr_un, sun_path) : 0;
	if (n && sa.sun_path[0])
		n = strnlen(sa.sun_path, n);
	for (i = 0; n && i < t->n; i++) {
		UnixSkEntry *e = t->v[i].fe && t->v[i].fe->type == FD_TYPES__UNIXSK ? t->v[i].fe->usk :
			NULL;

		if (e && e->state == TCP_LISTEN && e->name.len == n && !memcmp(e->name.data, sa.sun_path, n))
			return e;
	}
	return NULL;
}

/* Bytes @fd sent that its peer has not read yet (SIOCOUTQ). */
static int unread_sent(int fd)
{
	int n = 0;

	return ioctl(fd, SIOCOUTQ, &n) < 0 ? -errno : n;
}

/*
 * A connected stream socket @e (our copy @fd) with no peer inode: either
 * its peer was closed (the kernel shut it down both ways then), or it
 * waits in a listen queue, where its peer is not a socket yet and has no
 * inode: then its peer name is the listener's.
 */
static int resolve_queued(struct file_table *t, UnixSkEntry *e, int fd)
{
	UnixSkEntry *l;
	int n;

	if (e->shutdown == SK_SHUTDOWN__BOTH)
		return 0;	/* an orphan: its data is still to be read, then EOF */
	l = listener_of(t, fd);
	if (!l)
		return log_err(-EOPNOTSUPP, "Failed to dump unix socket %u: it waits in the listen queue of a socket outside the tree: not supported",
			       e->ino);
	n = unread_sent(fd);
	if (n)
		return log_err(-EOPNOTSUPP, "Failed to dump unix socket %u: its connection waits in the queue of listener %u with %d bytes unread: not supported",
			       e->ino, l->ino, n);
	e->peer = l->ino;
	return 0;
}

/*
 * A datagram socket connected to a bound socket outside the tree: keep the
 * name (its getpeername) to connect to it again; 0, or 1 if it has none.
 */
static int outside_name(UnixSkEntry *e, int fd)
{
	struct sockaddr_un sa = {};
	socklen_t l = sizeof(sa);
	size_t n;

	if (e->type != SOCK_DGRAM || getpeername(fd, (struct sockaddr *)&sa, &l) < 0)
		return 1;
	n = l > offsetof(struct sockaddr_un, sun_path) ? l - offsetof(struct sockaddr_un, sun_path) : 0;
	if (n && sa.sun_path[0])
		n = strnlen(sa.sun_path, n);
	if (!n)
		return 1;
	e->vzcr_peer_name.data = xmalloc(n);
	if (!e->vzcr_peer_name.data)
		return -ENOMEM;
	memcpy(e->vzcr_peer_name.data, sa.sun_path, n);
	e->vzcr_peer_name.len = n;
	e->has_vzcr_peer_name = true;
	pr_debug("unix socket %u: connected to '%.*s' outside the tree", e->ino, (int)n, sa.sun_path);
	e->peer = 0;
	return 0;
}

/* Socket @e (our copy @fd) whose peer @e->peer is no file of the tree. */
static int resolve_one(int nl, UnixSkEntry *e, int fd)
{
	struct unix_facts p;
	int err = unix_diag(nl, e->peer, &p);

	free(p.icons);
	if (err == -ENOENT) {
		pr_debug("unix socket %u: peer %u is gone", e->ino, e->peer);
		e->peer = 0;
		return 0;
	}
	if (err)
		return log_perr(err, "Failed to read unix_diag of socket %u", e->peer);
	err = outside_name(e, fd);
	if (err <= 0)
		return err;
	return log_err(-EOPNOTSUPP, "Failed to dump unix socket %u: it is connected to socket %u outside the tree: not supported",
		       e->ino, e->peer);
}

int sk_unix_resolve(struct file_table *t, pid_t pid)
{
	_cleanup_close_ int nl = -EBADF;
	size_t i;
	int err = 0;

	for (i = 0; i < t->n && !err; i++) {
		UnixSkEntry *e = t->v[i].fe && t->v[i].fe->type == FD_TYPES__UNIXSK ? t->v[i].fe->usk :
			NULL;

		if (!e || e->state != TCP_ESTABLISHED || (e->peer && find_usk(t, e->peer)))
			continue;
		if (!e->peer && e->type != SOCK_DGRAM) {
			err = resolve_queued(t, e, t->v[i].local_fd);
			continue;
		}
		if (!e->peer)
			continue;
		if (nl < 0)
			nl = sk_diag_open(pid);
		if (nl < 0)
			return nl;
		err = resolve_one(nl, e, t->v[i].local_fd);
	}
	return err;
}
