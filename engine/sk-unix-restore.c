// SPDX-License-Identifier: GPL-2.0-only
/*
 * Restore of unix sockets, in the tool, in passes: make each socket (a
 * socketpair for two that are each other's peer, or for an orphan whose
 * peer was closed; else a socket, bound and listening as it was), set its
 * options, then connect those whose peer is a bound socket (a connection waiting in a
 * listen queue connects to the listener again), then refill the queues
 * from the peer and shut down what was shut down.
 */
#define LOG_PREFIX "sk-unix: "
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ct_path.h"
#include "log.h"
#include "restore.h"
#include "sk-priv.h"
#include "sk-unix.pb-c.h"

/* sun_path less the NUL a path name needs */
#define UNIX_NAME_MAX ((int)sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

static struct rst_file *find_unix(struct rst_ctx *c, uint32_t ino)
{
	int i;

	for (i = 0; i < c->nr_files; i++)
		if (c->files[i].fe->type == FD_TYPES__UNIXSK && c->files[i].fe->usk->ino == ino)
			return &c->files[i];
	return NULL;
}

/* Another socket of the set with the same name (a listener and its accepted ones)? */
static bool name_shared(struct rst_ctx *c, const UnixSkEntry *e)
{
	int i;

	for (i = 0; i < c->nr_files; i++) {
		const FileEntry *o = c->files[i].fe;

		if (o->type == FD_TYPES__UNIXSK && o->usk != e && o->usk->name.len == e->name.len &&
		    !memcmp(o->usk->name.data, e->name.data, e->name.len))
			return true;
	}
	return false;
}

/* The address of @e's name (read_files() checked that it fits). */
static socklen_t make_addr(const UnixSkEntry *e, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, e->name.data, e->name.len < sizeof(sa->sun_path) ? e->name.len : 0);
	/* path names with their NUL, abstract ones exactly as long as they were */
	return offsetof(struct sockaddr_un, sun_path) + e->name.len + (e->name.data[0] != 0);
}

/* bind to the dumped name: a stale socket file of the dead original goes first */
static int bind_name(int fd, const UnixSkEntry *e)
{
	char path[PATH_MAX + 128], nm[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	bool is_path = e->name.data[0] != 0, rel;
	struct sockaddr_un sa;
	socklen_t l;
	struct stat st;
	int err = 0;

	l = make_addr(e, &sa);
	/* for messages: '@' for the NUL of an abstract name */
	snprintf(nm, sizeof(nm), "%s%.*s", is_path ? "" : "@", (int)e->name.len - !is_path,
		 (char *)e->name.data + !is_path);
	rel = is_path && nm[0] != '/' && e->name_dir;
	snprintf(path, sizeof(path), "%s%s%s", rel ? e->name_dir : "", rel ? "/" : "", nm);
	if (is_path && !lstat(path, &st) && S_ISSOCK(st.st_mode) && unlink(path) < 0)
		return log_perr(-errno, "Failed to remove the stale socket '%s'", path);
	if (rel) {
		/* bind the relative name from its directory, so getsockname reads the same */
		int here = open(".", O_PATH | O_CLOEXEC);

		if (here < 0 || chdir(e->name_dir) < 0)
			err = log_perr(-errno, "Failed to enter '%s' for socket %u", e->name_dir, e->ino);
		else if (bind(fd, (struct sockaddr *)&sa, l) < 0)
			err = log_perr(-errno, "Failed to bind unix socket %u to '%s'", e->ino, path);
		if (here >= 0 && (fchdir(here) < 0 || close(here)) && !err)
			err = log_perr(-errno, "Failed to return to the tool's cwd");
	} else if (bind(fd, (struct sockaddr *)&sa, l) < 0) {
		err = log_perr(-errno, "Failed to bind unix socket %u to '%s'", e->ino, nm);
	}
	if (err || !is_path)
		return err;
	if (e->deleted && unlink(path) < 0)
		return log_perr(-errno, "Failed to unlink '%s' (socket %u was unlinked)", path, e->ino);
	if (e->file_perms && !e->deleted &&
	    (chmod(path, e->file_perms->mode) < 0 ||
	     chown(path, e->file_perms->uid, e->file_perms->gid) < 0))
		return log_perr(-errno, "Failed to set the owner and mode of '%s'", path);
	return 0;
}

/*
 * The listener @e was accepted from: a listening socket of the set with
 * its type and name, if @e is one end of a connected pair. NULL if none.
 */
static struct rst_file *accepted_from(struct rst_ctx *c, const UnixSkEntry *e)
{
	struct rst_file *p = e->peer ? find_unix(c, e->peer) : NULL;
	int i;

	if (!p || p->fe->usk->peer != e->ino || !e->name.len || e->type == SOCK_DGRAM)
		return NULL;
	for (i = 0; i < c->nr_files; i++) {
		const UnixSkEntry *l = c->files[i].fe->type == FD_TYPES__UNIXSK ?
			c->files[i].fe->usk : NULL;

		if (l && l != e && l->state == TCP_LISTEN && l->type == e->type &&
		    l->name.len == e->name.len && !memcmp(l->name.data, e->name.data, e->name.len))
			return &c->files[i];
	}
	return NULL;
}

/* Pass 0 for @f: make it (and its pair); 0 or -errno. */
static int make_one(struct rst_ctx *c, struct rst_file *f)
{
	const UnixSkEntry *e = f->fe->usk;
	struct rst_file *p = e->peer ? find_unix(c, e->peer) : NULL;
	bool pair = p && p != f && p->fe->usk->peer == e->ino && p->fd < 0;
	bool orphan = !e->peer && e->state == TCP_ESTABLISHED && e->type != SOCK_DGRAM;
	int sv[2], err;

	/* an accepted connection is accepted again, from its client's connect (pass 1) */
	if (accepted_from(c, e))
		return 0;
	if (pair && accepted_from(c, p->fe->usk))
		pair = false;

	if (pair || orphan) {
		err = sk_socketpair(c, e->type, sv);
		if (err < 0)
			return err;
		err = sk_install(c, f, sv[0]);
		if (!err && pair)
			err = sk_install(c, p, sv[1]);
		else if (!err)
			f->peer = rst_lift_fd(c, sv[1]);	/* closed once the data is in */
		if (err || f->peer < -1)
			return err ?: f->peer;
		/*
		 * a connected stream end with a name but no listener of it in the set
		 * was accepted from a listener since closed: its name is no binding
		 * to take (it would keep a new listener from the name); datagram
		 * ends were bound by their tasks
		 */
		if (e->type != SOCK_DGRAM)
			return 0;
		if (pair && p->fe->usk->name.len && !name_shared(c, p->fe->usk))
			err = bind_name(p->fd, p->fe->usk);
		return err ?: e->name.len && !name_shared(c, e) ? bind_name(f->fd, e) : 0;
	}
	err = sk_socket(c, AF_UNIX, e->type, 0);
	if (err < 0)
		return err;
	err = sk_install(c, f, err);
	if (!err && e->name.len)
		err = bind_name(f->fd, e);
	if (!err && e->state == TCP_LISTEN && listen(f->fd, e->backlog) < 0)
		err = log_perr(-errno, "Failed to listen on unix socket %u", e->ino);
	return err;
}

/*
 * Pass 1: the client @f of an accepted connection connects to the listener
 * again, which accepts it at once: the accepted end has the listener's
 * name as it had. Before any connection that waits in a listen queue.
 */
static int accept_one(struct rst_ctx *c, struct rst_file *f)
{
	const UnixSkEntry *e = f->fe->usk;
	struct rst_file *a = e->peer ? find_unix(c, e->peer) : NULL;
	struct rst_file *l = a ? accepted_from(c, a->fe->usk) : NULL;
	struct sockaddr_un sa;
	int fd;

	if (!l || accepted_from(c, e) || a->fd >= 0)
		return 0;
	if (connect(f->fd, (struct sockaddr *)&sa, make_addr(l->fe->usk, &sa)) < 0)
		return log_perr(-errno, "Failed to connect unix socket %u to listener %u", e->ino,
				l->fe->usk->ino);
	fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to accept unix socket %u on listener %u",
				a->fe->usk->ino, l->fe->usk->ino);
	return sk_install(c, a, fd);
}

/* A datagram socket connected to a socket outside the dump: to it again. */
static int connect_outside(int fd, const UnixSkEntry *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const ProtobufCBinaryData *n = &e->vzcr_peer_name;

	if (!n->len || n->len > UNIX_NAME_MAX)
		return log_err(-EINVAL, "files.img: unix socket %u: peer name of %zu bytes", e->ino,
			       n->len);
	memcpy(sa.sun_path, n->data, n->len);
	if (connect(fd, (struct sockaddr *)&sa,
		    offsetof(struct sockaddr_un, sun_path) + n->len + (n->data[0] != 0)) < 0)
		return log_perr(-errno, "Failed to connect unix socket %u to '%s%.*s' outside the tree",
				e->ino, n->data[0] ? "" : "@", (int)n->len - !n->data[0],
				(char *)n->data + !n->data[0]);
	return 0;
}

/* Pass 2: connect @f to its peer when that is no pair of it. */
static int connect_one(struct rst_ctx *c, struct rst_file *f)
{
	const UnixSkEntry *e = f->fe->usk;
	struct rst_file *p;
	struct sockaddr_un sa;
	socklen_t l;

	if (e->has_vzcr_peer_name)
		return connect_outside(f->fd, e);
	if (!e->peer)
		return 0;
	p = find_unix(c, e->peer);
	if (!p)
		return log_err(-ENOENT, "files.img: peer %u of unix socket %u is not in the set",
			       e->peer, e->ino);
	if (p->fe->usk->peer == e->ino && p->fe->usk->state != TCP_LISTEN &&
	    e->type != SOCK_DGRAM)
		return 0;	/* a pair, made so or accepted */
	if (e->type == SOCK_DGRAM && p->fe->usk->peer == e->ino && !p->fe->usk->name.len)
		return 0;
	if (!p->fe->usk->name.len)
		return log_err(-EINVAL, "Failed to connect unix socket %u: its peer %u has no name",
			       e->ino, e->peer);
	l = make_addr(p->fe->usk, &sa);
	if (connect(f->fd, (struct sockaddr *)&sa, l) < 0)
		return log_perr(-errno, "Failed to connect unix socket %u to socket %u", e->ino,
				e->peer);
	return 0;
}

struct sender {
	int fd;
	struct sockaddr_un to;
	socklen_t tolen;
	uint32_t ino;
};

/* One message (or stream chunk) with the files in flight it carries. */
static int send_msg(struct sender *s, const char *buf, size_t len, const int *fds, size_t nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * 253)] = {};
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_name = s->tolen ? &s->to : NULL, .msg_namelen = s->tolen };
	struct cmsghdr *cm;

	if (nfds) {
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int send_one(const void *buf, size_t len, const int *fds, size_t nfds, void *arg)
{
	struct sender *s = arg;
	size_t done = 0;

	if (s->fd < 0)
		return log_err(-EINVAL, "Failed to queue data into unix socket %u: it has no peer to send it",
			       s->ino);
	if (nfds > 253)
		return log_err(-EINVAL, "Failed to queue data into unix socket %u: %zu files in one message",
			       s->ino, nfds);
	/* a stream takes it in parts (the files go with the first); a message whole */
	do {
		ssize_t n = send_msg(s, (const char *)buf + done, len - done, done ? NULL : fds,
				     done ? 0 : nfds);

		if (n < 0)
			return log_perr(-errno, "Failed to queue %zu bytes into unix socket %u", len,
					s->ino);
		done += n;
	} while (done < len);
	return 0;
}

/* Pass 4: the queue of @f, written from its peer (or to its name). */
static int refill_one(struct rst_ctx *c, struct rst_file *f)
{
	const UnixSkEntry *e = f->fe->usk;
	struct rst_file *p = e->peer ? find_unix(c, e->peer) : NULL;
	struct sender s = { .fd = -1, .ino = e->ino };
	int err, tmp = -1;

	if (e->state == TCP_LISTEN)
		return 0;
	if (f->peer >= 0)
		s.fd = f->peer;		/* an orphan's other end */
	else if (p && p->fe->usk->peer == e->ino)
		s.fd = p->fd;		/* the pair, or a connected peer */
	else if (e->name.len && e->type == SOCK_DGRAM) {
		tmp = sk_socket(c, AF_UNIX, SOCK_DGRAM, 0);
		if (tmp < 0)
			return tmp;
		s.fd = tmp;
		s.tolen = make_addr(e, &s.to);
	}
	err = sk_queue_refill(c, f->fe->id, send_one, &s);
	if (tmp >= 0)
		close(tmp);
	return err;
}

/* Pass 5: shutdown and flags; the orphan's other end closed. */
static int finish_one(struct rst_file *f)
{
	const UnixSkEntry *e = f->fe->usk;
	char who[48];

	snprintf(who, sizeof(who), "unix socket %u", e->ino);
	if (f->peer >= 0) {
		close(f->peer);
		f->peer = -1;
	}
	if (e->has_shutdown && (e->shutdown & SK_SHUTDOWN__READ) && shutdown(f->fd, SHUT_RD) < 0)
		return log_perr(-errno, "Failed to shut down reading on %s", who);
	if (e->has_shutdown && (e->shutdown & SK_SHUTDOWN__WRITE) && shutdown(f->fd, SHUT_WR) < 0)
		return log_perr(-errno, "Failed to shut down writing on %s", who);
	return sk_set_flags(f->fd, e->flags, who);
}

/* Pass 3: options, before data goes in (SO_SNDBUF bounds what a peer can queue). */
static int opts_one(struct rst_file *f)
{
	char who[48];

	snprintf(who, sizeof(who), "unix socket %u", f->fe->usk->ino);
	return sk_opts_restore(f->fd, f->fe->usk->opts, who);
}

/*
 * The root directory of a task that holds file @id (the root task's for a
 * file in flight): names of unix sockets are paths in that root. Called
 * while the tasks' fd plans still name file ids.
 */
static const char *task_root(struct rst_ctx *c, uint32_t id)
{
	struct rst_task *t = NULL;
	struct rst_file *r;
	int i, j;

	for (i = 0; i < c->nr_tasks && !t; i++)
		for (j = 0; j < c->tasks[i].nr_fds; j++)
			if (!c->tasks[i].zombie && c->tasks[i].fds[j].src == (int)id) {
				t = &c->tasks[i];
				break;
			}
	t = t ?: &c->tasks[0];
	r = t->fs ? rst_file_get(c, t->fs->root_id) : NULL;
	return r && r->fe->reg ? r->fe->reg->name : NULL;
}

struct root_guard {
	int root, cwd;			/* the tool's, while in a task's root */
};

static void leave_root(struct root_guard *g)
{
	if (g->root >= 0 && (fchdir(g->root) < 0 || chroot(".") < 0 || fchdir(g->cwd) < 0))
		pr_err("Failed to return to the tool's root: %m");
	if (g->root >= 0)
		close(g->root);
	if (g->cwd >= 0)
		close(g->cwd);
	g->root = g->cwd = -1;
}

/* Into the root of the task holding @f, for its path operations. */
static int enter_root(struct rst_ctx *c, struct rst_file *f, struct root_guard *g)
{
	const char *r = task_root(c, f->fe->id);
	char buf[PATH_MAX];

	g->root = g->cwd = -1;
	/* a CT's root is the tool's opts->root, not its "/" */
	r = r ? rst_path(c, r, buf, sizeof(buf)) : NULL;
	if (!r || !strcmp(r, "/"))
		return 0;
	g->root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	g->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (g->root < 0 || g->cwd < 0 || chroot(r) < 0 || chdir("/") < 0) {
		int err = log_perr(-errno, "Failed to enter the root '%s' of unix socket %u", r,
				   f->fe->usk->ino);

		leave_root(g);
		return err;
	}
	return 0;
}

/* Pass @pass for unix socket @f. */
static int one_pass(struct rst_ctx *c, struct rst_file *f, int pass)
{
	switch (pass) {
	case 0:
		return make_one(c, f);
	case 1:
		return accept_one(c, f);
	case 2:
		return connect_one(c, f);
	case 3:
		return opts_one(f);
	case 4:
		return refill_one(c, f);
	default:
		return finish_one(f);
	}
}

/* Passes @from to @to - 1 over every unix socket. */
static int run_passes(struct rst_ctx *c, int from, int to)
{
	struct root_guard g = { -1, -1 };
	int pass, i, err = 0;

	for (pass = from; pass < to && !err; pass++)
		for (i = 0; i < c->nr_files && !err; i++) {
			struct rst_file *f = &c->files[i];

			if (f->fe->type != FD_TYPES__UNIXSK || (pass == 0 && f->fd >= 0) ||
			    (pass > 0 && f->fd < 0))
				continue;
			/* names are paths in the task's root: the passes that use them */
			if (pass != 3 && pass != 5)
				err = enter_root(c, f, &g);
			err = err ?: one_pass(c, f, pass);
			leave_root(&g);
		}
	return err;
}

/* The queues (with files in flight, so once every file is open), shutdown, flags. */
int sk_unix_open_late(struct rst_ctx *c)
{
	return run_passes(c, 4, 6);
}

int sk_unix_open_all(struct rst_ctx *c)
{
	int i, err = 0;

	for (i = 0; i < c->nr_files && !err; i++) {
		const FileEntry *fe = c->files[i].fe;

		if (fe->type == FD_TYPES__UNIXSK && fe->usk->name.len > UNIX_NAME_MAX)
			err = log_err(-EINVAL, "files.img: unix socket %u: name of %zu bytes, at most %d",
				      fe->usk->ino, fe->usk->name.len, UNIX_NAME_MAX);
		else if (fe->type == FD_TYPES__UNIXSK &&
			 (fe->usk->type != SOCK_STREAM && fe->usk->type != SOCK_DGRAM &&
			  fe->usk->type != SOCK_SEQPACKET))
			err = log_err(-EINVAL, "files.img: unix socket %u: type %u unknown",
				      fe->usk->ino, fe->usk->type);
	}
	err = err ?: run_passes(c, 0, 4);
	for (i = 0; i < c->nr_files && !err; i++)
		if (c->files[i].fe->type == FD_TYPES__UNIXSK && c->files[i].fd < 0)
			err = log_err(-EINVAL, "files.img: unix socket %u was not made (an accepted connection without its client?)",
				      c->files[i].fe->usk->ino);
	return err;
}
