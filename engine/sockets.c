// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sockets: which kinds are dumped, the dispatch to each kind, the options
 * every socket has (SOL_SOCKET), sock_diag queries and the one place where
 * the restore makes sockets (in the net namespace it is told).
 */
#define LOG_PREFIX "sockets: "
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "dump.h"
#include "log.h"
#include "restore.h"
#include "sk-priv.h"
#include "sockets.h"
#include "xmalloc.h"

#ifndef SO_BUF_LOCK
#define SO_BUF_LOCK 72		/* kernel 5.14 */
#endif

int sk_fd_type(int pidfd, int fd)
{
	_cleanup_close_ int s = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	int dom = -1, type = -1, proto = -1;
	socklen_t l = sizeof(int);

	if (s < 0 || getsockopt(s, SOL_SOCKET, SO_DOMAIN, &dom, &l) < 0)
		return 0;
	l = sizeof(int);
	getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &l);
	l = sizeof(int);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &proto, &l);
	switch (dom) {
	case AF_UNIX:
		return FD_TYPES__UNIXSK;
	case AF_INET:
	case AF_INET6:
		if ((type == SOCK_STREAM && proto == IPPROTO_TCP) ||
		    (type == SOCK_DGRAM && proto == IPPROTO_UDP))
			return FD_TYPES__INETSK;
		return 0;
	case AF_NETLINK:
		return FD_TYPES__NETLINKSK;
	case AF_PACKET:
		return FD_TYPES__PACKETSK;
	}
	return 0;
}

bool sk_is_socket_type(int type)
{
	return type == FD_TYPES__UNIXSK || type == FD_TYPES__INETSK ||
	       type == FD_TYPES__NETLINKSK || type == FD_TYPES__PACKETSK;
}

int sk_dump_file(struct file_table *t, struct sk_fd *s)
{
	int dom = 0;
	socklen_t l = sizeof(dom);

	if (getsockopt(s->local_fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) < 0) {
		int err = log_perr(-errno, "Failed to read the domain of task %d fd %d", s->pid, s->fd);

		close(s->local_fd);
		return err;
	}
	if (dom == AF_UNIX)
		return file_table_get(t, s->local_fd, sk_unix_make, s);
	if (dom == AF_INET || dom == AF_INET6)
		return file_table_get(t, s->local_fd, sk_inet_make, s);
	if (dom == AF_NETLINK)
		return file_table_get(t, s->local_fd, sk_netlink_make, s);
	return file_table_get(t, s->local_fd, sk_packet_make, s);
}

int sk_dump_data(struct dump_ctx *c)
{
	struct file_table *t = &c->files;
	pid_t pid = c->tree.items[0]->pid;

	/* queues first: a peer may be a socket in flight, which joins the table there */
	return sk_queues_dump(c) ?: sk_unix_resolve(t, pid) ?: sk_tcp_dump_streams(t, c->dfd);
}

void sk_dump_settle(struct dump_ctx *c, bool dies)
{
	struct file_table *t = &c->files;
	size_t i;

	if (dies) {
		/* on failure the peer may get a reset, as without nft: go on */
		if (sk_lock_tree(t, c->tree.items[0]->pid, c->tree.items[0]->vpid))
			pr_warn("The TCP connections of the tree are not locked, ignoring");
		return;
	}
	for (i = 0; i < t->n; i++)
		if (t->v[i].fe && t->v[i].fe->type == FD_TYPES__INETSK)
			sk_tcp_repair_off(t->v[i].local_fd);
}

void sk_dump_abort(struct dump_ctx *c)
{
	pid_t root = c->tree.items[0]->pid;
	_cleanup_close_ int ns = -EBADF;
	char path[64];
	size_t i;

	sk_dump_settle(c, false);
	for (i = 0; i < c->files.n; i++) {
		const FileEntry *fe = c->files.v[i].fe;

		if (fe && fe->type == FD_TYPES__INETSK && fe->isk->state == TCP_ESTABLISHED)
			break;
	}
	if (i == c->files.n)
		return;		/* nothing was locked */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", root);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns >= 0)
		sk_unlock_tree(c->tree.items[0]->vpid, ns);
}

int sk_open_all(struct rst_ctx *c)
{
	return sk_unix_open_all(c) ?: sk_inet_open_all(c) ?: sk_netlink_open_all(c) ?:
	       sk_packet_open_all(c);
}

/* Run socket(2) or socketpair(2) in the restore's net namespace. */
static int make_in_ns(struct rst_ctx *c, int family, int type, int proto, int *sv)
{
	_cleanup_close_ int here = -EBADF;
	int ret, err;

	if (c->sk_netns > 0) {
		/* a socket belongs to the net namespace it is created in, for good */
		here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (here < 0 || setns(c->sk_netns, CLONE_NEWNET) < 0)
			return log_perr(-errno, "Failed to enter the net namespace of the restore");
	}
	ret = sv ? socketpair(family, type | SOCK_CLOEXEC, proto, sv) :
		   socket(family, type | SOCK_CLOEXEC, proto);
	err = ret < 0 ? -errno : 0;
	if (here >= 0 && setns(here, CLONE_NEWNET) < 0) {
		err = log_perr(-errno, "Failed to return to the tool's net namespace");
		if (sv && !ret) {
			close(sv[0]);
			close(sv[1]);
		} else if (!sv && ret >= 0) {
			close(ret);
		}
		return err;
	}
	if (err)
		return log_perr(err, "Failed to create a socket%s (%d, %d, %d)", sv ? " pair" : "",
				family, type, proto);
	return ret;
}

int sk_open_late(struct rst_ctx *c)
{
	return sk_unix_open_late(c);
}

int sk_socket(struct rst_ctx *c, int family, int type, int proto)
{
	return make_in_ns(c, family, type, proto, NULL);
}

int sk_socketpair(struct rst_ctx *c, int type, int sv[2])
{
	return make_in_ns(c, AF_UNIX, type, 0, sv);
}

int sk_set_flags(int fd, unsigned int flags, const char *who)
{
	if (fcntl(fd, F_SETFL, flags & (O_NONBLOCK | O_ASYNC)) < 0)
		return log_perr(-errno, "Failed to set flags %#x on %s", flags, who);
	return 0;
}

int sk_install(struct rst_ctx *c, struct rst_file *f, int fd)
{
	f->fd = rst_lift_fd(c, fd);
	return f->fd < 0 ? f->fd : 0;
}

FownEntry *sk_fown_new(void)
{
	FownEntry *o = xmalloc(sizeof(*o));

	if (o)
		fown_entry__init(o);
	return o;
}

/* int-valued SOL_SOCKET options kept as is; the bools among them as 0/1 */
static const struct sk_int_opt {
	int level, name;
	size_t has, val;		/* offsets in SkOptsEntry */
	bool is_bool;
} int_opts[] = {
#define O(lvl, nm, f, b) { lvl, nm, offsetof(SkOptsEntry, has_##f), offsetof(SkOptsEntry, f), b }
	O(SOL_SOCKET, SO_REUSEADDR, reuseaddr, true),
	O(SOL_SOCKET, SO_PRIORITY, so_priority, false),
	O(SOL_SOCKET, SO_RCVLOWAT, so_rcvlowat, false),
	O(SOL_SOCKET, SO_MARK, so_mark, false),
	O(SOL_SOCKET, SO_PASSCRED, so_passcred, true),
	O(SOL_SOCKET, SO_PASSSEC, so_passsec, true),
	O(SOL_SOCKET, SO_DONTROUTE, so_dontroute, true),
	O(SOL_SOCKET, SO_NO_CHECK, so_no_check, true),
	O(SOL_SOCKET, SO_REUSEPORT, so_reuseport, true),
	O(SOL_SOCKET, SO_BROADCAST, so_broadcast, true),
	O(SOL_SOCKET, SO_KEEPALIVE, so_keepalive, true),
	O(SOL_SOCKET, SO_OOBINLINE, so_oobinline, false),
	O(SOL_SOCKET, SO_BUF_LOCK, so_buf_lock, false),
	O(IPPROTO_TCP, TCP_KEEPCNT, tcp_keepcnt, false),
	O(IPPROTO_TCP, TCP_KEEPIDLE, tcp_keepidle, false),
	O(IPPROTO_TCP, TCP_KEEPINTVL, tcp_keepintvl, false),
#undef O
};

static bool is_tcp(int fd)
{
	int proto = 0;
	socklen_t l = sizeof(proto);

	return !getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) && proto == IPPROTO_TCP;
}

static int dump_tmo(int fd, int name, uint64_t *sec, uint64_t *usec, const char *who)
{
	struct timeval tv;
	socklen_t l = sizeof(tv);

	if (getsockopt(fd, SOL_SOCKET, name, &tv, &l) < 0)
		return log_perr(-errno, "Failed to read the timeouts of %s", who);
	*sec = tv.tv_sec;
	*usec = tv.tv_usec;
	return 0;
}

/* The scalar options, SO_LINGER and the bound device; 0 or -errno. */
static int dump_misc(int fd, SkOptsEntry *o)
{
	bool tcp = is_tcp(fd);
	struct linger lg;
	char dev[32] = "";
	socklen_t l;
	size_t i;

	for (i = 0; i < sizeof(int_opts) / sizeof(int_opts[0]); i++) {
		const struct sk_int_opt *p = &int_opts[i];
		int v = 0;

		l = sizeof(v);
		if (p->level == IPPROTO_TCP && !tcp)
			continue;
		if (getsockopt(fd, p->level, p->name, &v, &l) < 0)
			continue;	/* not this kind's option (SO_NO_CHECK on unix...) */
		*(protobuf_c_boolean *)((char *)o + p->has) = true;
		if (p->is_bool)
			*(protobuf_c_boolean *)((char *)o + p->val) = !!v;
		else
			*(uint32_t *)((char *)o + p->val) = v;
	}
	l = sizeof(lg);
	if (!getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &l) && lg.l_onoff) {
		o->has_so_linger = true;
		o->so_linger = lg.l_linger;
	}
	l = sizeof(dev);
	if (!getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &l) && l > 1 && dev[0]) {
		o->so_bound_dev = xstrdup(dev);
		if (!o->so_bound_dev)
			return -ENOMEM;
	}
	return 0;
}

SkOptsEntry *sk_opts_dump(int fd, const char *who)
{
	SkOptsEntry *o = xmalloc(sizeof(*o));
	int v, filt = 0;
	socklen_t l = sizeof(v);

	if (!o)
		return NULL;
	sk_opts_entry__init(o);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &l) < 0) {
		log_perr(-errno, "Failed to read the options of %s", who);
		goto err;
	}
	o->so_sndbuf = v;
	l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &l) < 0)
		goto err;
	o->so_rcvbuf = v;
	if (dump_tmo(fd, SO_SNDTIMEO, &o->so_snd_tmo_sec, &o->so_snd_tmo_usec, who) ||
	    dump_tmo(fd, SO_RCVTIMEO, &o->so_rcv_tmo_sec, &o->so_rcv_tmo_usec, who) ||
	    dump_misc(fd, o))
		goto err;
	/* SO_GET_FILTER with no room gives the number of instructions */
	l = 0;
	if (!getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &l) && l > 0)
		filt = l;
	if (filt) {
		log_err(-EOPNOTSUPP, "Failed to dump %s: it has a socket filter (%d instructions): not supported",
			who, filt);
		goto err;
	}
	return o;
err:
	sk_opts_entry__free_unpacked(o, NULL);
	return NULL;
}

static int set_int(int fd, int level, int name, int v, const char *what, const char *who)
{
	if (setsockopt(fd, level, name, &v, sizeof(v)) < 0)
		return log_perr(-errno, "Failed to set %s=%d on %s", what, v, who);
	return 0;
}

/* Buffer sizes only where the task set them (locked); the kernel doubles what it is given. */
static int restore_bufs(int fd, const SkOptsEntry *o, const char *who)
{
	unsigned int lock = o->has_so_buf_lock ? o->so_buf_lock : 3;
	int err = 0;

	if (lock & 1)	/* SOCK_SNDBUF_LOCK */
		err = setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ o->so_sndbuf / 2 }, sizeof(int)) &&
		      set_int(fd, SOL_SOCKET, SO_SNDBUF, o->so_sndbuf / 2, "SO_SNDBUF", who);
	if (!err && (lock & 2))
		err = setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ o->so_rcvbuf / 2 }, sizeof(int)) &&
		      set_int(fd, SOL_SOCKET, SO_RCVBUF, o->so_rcvbuf / 2, "SO_RCVBUF", who);
	return err ? -EINVAL : 0;
}

static int restore_tmo(int fd, int name, uint64_t sec, uint64_t usec, const char *who)
{
	struct timeval tv = { .tv_sec = sec, .tv_usec = usec };

	if (usec >= 1000000)
		return log_err(-EINVAL, "Failed to restore %s: timeout of %llu us out of range", who,
			       (unsigned long long)usec);
	if (setsockopt(fd, SOL_SOCKET, name, &tv, sizeof(tv)) < 0)
		return log_perr(-errno, "Failed to set a timeout on %s", who);
	return 0;
}

int sk_opts_restore(int fd, const SkOptsEntry *o, const char *who)
{
	size_t i;
	int err;

	err = restore_bufs(fd, o, who) ?:
	      restore_tmo(fd, SO_SNDTIMEO, o->so_snd_tmo_sec, o->so_snd_tmo_usec, who) ?:
	      restore_tmo(fd, SO_RCVTIMEO, o->so_rcv_tmo_sec, o->so_rcv_tmo_usec, who);
	for (i = 0; !err && i < sizeof(int_opts) / sizeof(int_opts[0]); i++) {
		const struct sk_int_opt *p = &int_opts[i];
		int v;

		if (!*(const protobuf_c_boolean *)((const char *)o + p->has) || p->name == SO_BUF_LOCK)
			continue;
		v = p->is_bool ? *(const protobuf_c_boolean *)((const char *)o + p->val) :
		    (int)*(const uint32_t *)((const char *)o + p->val);
		err = set_int(fd, p->level, p->name, v, "a socket option", who);
	}
	if (!err && o->has_so_linger &&
	    setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){ 1, o->so_linger },
		       sizeof(struct linger)) < 0)
		err = log_perr(-errno, "Failed to set SO_LINGER on %s", who);
	if (!err && o->so_bound_dev &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->so_bound_dev, strlen(o->so_bound_dev)) < 0)
		err = log_perr(-errno, "Failed to bind %s to device '%s'", who, o->so_bound_dev);
	/* setting a size locks it: the task's own locks back (kernel 5.14) */
	if (!err && o->has_so_buf_lock &&
	    setsockopt(fd, SOL_SOCKET, SO_BUF_LOCK, &(int){ o->so_buf_lock }, sizeof(int)) < 0)
		err = log_perr(-errno, "Failed to set SO_BUF_LOCK on %s", who);
	if (!err && o->n_so_filter)
		err = log_err(-EOPNOTSUPP, "Failed to restore %s: socket filters are not supported", who);
	return err;
}

/* A NETLINK_SOCK_DIAG socket made in net ns @ns (taken), named @what in errors. */
static int diag_in(int ns, const char *what, int id)
{
	_cleanup_close_ int nsfd = ns, here = -EBADF;
	int fd, err = 0;

	if (nsfd < 0)
		return log_perr(-errno, "Failed to open the net namespace of %s %d", what, id);
	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (here < 0)
		return log_perr(-errno, "Failed to open the tool's net namespace");
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return log_perr(-errno, "Failed to enter the net namespace of %s %d", what, id);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		err = log_perr(-errno, "Failed to open a sock_diag socket");
	if (setns(here, CLONE_NEWNET) < 0) {
		err = log_perr(-errno, "Failed to return to the tool's net namespace");
		if (fd >= 0)
			close(fd);
	}
	return err ?: fd;
}

int sk_diag_open(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	return diag_in(open(path, O_RDONLY | O_CLOEXEC), "task", pid);
}

int sk_diag_open_of(int sk)
{
	/* the socket's own net ns: one in flight has no task to ask (the engine holds it) */
	return diag_in(ioctl(sk, SIOCGSKNS), "socket fd", sk);
}

/* One batch of answers: 1 at the end, 0 for more, or -errno. */
static int diag_batch(char *buf, ssize_t n, int (*cb)(struct nlmsghdr *, void *), void *arg)
{
	struct nlmsghdr *h;
	int ret;

	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			return e->error ? e->error : 1;
		}
		ret = cb(h, arg);
		if (ret < 0)
			return ret;
		if (!(h->nlmsg_flags & NLM_F_MULTI))
			return 1;
	}
	return 0;
}

int sk_diag_query(int nl, void *req, size_t len, int (*cb)(struct nlmsghdr *h, void *arg),
		  void *arg)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	_cleanup_free_ char *buf = xmalloc(32768);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	if (sendto(nl, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return log_perr(-errno, "Failed to send a sock_diag request");
	while (!ret) {
		ssize_t n = recv(nl, buf, 32768, 0);

		if (n < 0)
			return log_perr(-errno, "Failed to read sock_diag answers");
		if (n == 0)
			break;
		ret = diag_batch(buf, n, cb, arg);
	}
	return ret < 0 ? ret : 0;
}
