// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP and UDP sockets over IPv4 and IPv6 (inet_sk_entry): addresses and
 * ports, state, the backlog of a listener (inet_diag), v6only, options.
 * Established TCP connections go into repair mode here and their streams
 * are read by sk-tcp.c; TCP in any other state but closed and listening
 * (half-closed, connecting, closing) is refused by name. The restore makes
 * established sockets first and listeners after them: a listener's port
 * can then be shared by its accepted connections (SO_REUSEADDR for the
 * time of the bind, the task's own value after).
 */
#define LOG_PREFIX "sk-inet: "
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "restore.h"
#include "sk-inet.pb-c.h"
#include "sk-priv.h"
#include "xmalloc.h"

static const char *const tcp_states[] = {
	[TCP_ESTABLISHED] = "ESTABLISHED", [TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV", [TCP_FIN_WAIT1] = "FIN_WAIT1", [TCP_FIN_WAIT2] = "FIN_WAIT2",
	[TCP_TIME_WAIT] = "TIME_WAIT", [TCP_CLOSE] = "CLOSE", [TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_LAST_ACK] = "LAST_ACK", [TCP_LISTEN] = "LISTEN", [TCP_CLOSING] = "CLOSING",
};

/* inet_diag of a listener: its backlog and how many connections wait in it */
struct listen_facts {
	uint32_t ino;
	bool found;
	uint32_t backlog, queued;
};

static int listen_cb(struct nlmsghdr *h, void *arg)
{
	struct inet_diag_msg *m = NLMSG_DATA(h);
	struct listen_facts *l = arg;

	if (m->idiag_inode == l->ino) {
		l->found = true;
		l->queued = m->idiag_rqueue;
		l->backlog = m->idiag_wqueue;
	}
	return 0;
}

static int listen_diag(int sk, int family, struct listen_facts *l)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = family, .sdiag_protocol = IPPROTO_TCP,
		       .idiag_states = 1 << TCP_LISTEN },
	};
	_cleanup_close_ int nl = sk_diag_open_of(sk);	/* in flight too: no task to ask */
	int err;

	if (nl < 0)
		return nl;
	err = sk_diag_query(nl, &req, sizeof(req), listen_cb, l);
	if (!err && !l->found)
		err = log_err(-ENOENT, "Failed to find listener %u in inet_diag", l->ino);
	return err;
}

/* An address into @ret (1 or 4 words, network order) and its port. */
static int put_addr(const struct sockaddr_storage *ss, uint32_t **ret, size_t *n, uint32_t *port)
{
	const struct sockaddr_in *a4 = (const void *)ss;
	const struct sockaddr_in6 *a6 = (const void *)ss;
	size_t words = ss->ss_family == AF_INET6 ? 4 : 1;

	*ret = xmalloc(words * 4);
	if (!*ret)
		return -ENOMEM;
	if (ss->ss_family == AF_INET6) {
		memcpy(*ret, &a6->sin6_addr, 16);
		*port = ntohs(a6->sin6_port);
	} else {
		memcpy(*ret, &a4->sin_addr, 4);
		*port = ntohs(a4->sin_port);
	}
	*n = words;
	return 0;
}

/* State, addresses and backlog of @e, or a refusal naming what is not supported. */
static int inet_fill(struct sk_fd *s, InetSkEntry *e, const char *who)
{
	struct sockaddr_storage ss = {};
	socklen_t l = sizeof(ss);
	struct tcp_info ti = {};
	int err;

	if (getsockname(s->local_fd, (struct sockaddr *)&ss, &l) < 0)
		return log_perr(-errno, "Failed to read the address of %s", who);
	err = put_addr(&ss, &e->src_addr, &e->n_src_addr, &e->src_port);
	l = sizeof(ss);
	if (!err && !getpeername(s->local_fd, (struct sockaddr *)&ss, &l)) {
		err = put_addr(&ss, &e->dst_addr, &e->n_dst_addr, &e->dst_port);
		e->state = TCP_ESTABLISHED;
	} else {
		e->state = TCP_CLOSE;
	}
	if (err || e->proto != IPPROTO_TCP)
		return err;
	l = sizeof(ti);
	if (getsockopt(s->local_fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
		return log_perr(-errno, "Failed to read TCP_INFO of %s", who);
	e->state = ti.tcpi_state;
	if (e->state == TCP_LISTEN) {
		struct listen_facts lf = { .ino = s->ino };

		err = listen_diag(s->local_fd, e->family, &lf);
		if (!err && lf.queued)
			err = log_err(-EOPNOTSUPP, "Failed to dump %s: %u connections wait to be accepted: not supported",
				      who, lf.queued);
		e->backlog = lf.backlog;
		return err;
	}
	if (e->state == TCP_ESTABLISHED)
		return sk_tcp_repair_on(s->local_fd, who);
	if (e->state != TCP_CLOSE)
		return log_err(-EOPNOTSUPP, "Failed to dump %s: TCP state %s (half-closed or in transition) is not supported",
			       who, e->state < sizeof(tcp_states) / sizeof(tcp_states[0]) &&
			       tcp_states[e->state] ? tcp_states[e->state] : "?");
	return 0;
}

/* UDP: what waits in the queue is not kept (datagrams may be lost anyway). */
static void udp_queue_note(int fd, const char *who)
{
	int n = 0;

	if (!ioctl(fd, SIOCINQ, &n) && n)
		pr_warn("%s: a datagram of %d bytes (and maybe more) waits unread and is not kept, ignoring",
			who, n);
}

static InetSkEntry *inet_entry_new(uint32_t id, struct sk_fd *s, const char *who)
{
	InetSkEntry *e = xmalloc(sizeof(*e));
	int v = 0;
	socklen_t l = sizeof(v);

	if (!e)
		return NULL;
	inet_sk_entry__init(e);
	e->id = id;
	e->ino = s->ino;
	e->flags = s->flags & ~O_CLOEXEC;
	getsockopt(s->local_fd, SOL_SOCKET, SO_DOMAIN, &v, &l);
	e->family = v;
	getsockopt(s->local_fd, SOL_SOCKET, SO_TYPE, &v, &l);
	e->type = v;
	getsockopt(s->local_fd, SOL_SOCKET, SO_PROTOCOL, &v, &l);
	e->proto = v;
	if (e->family == AF_INET6 && !getsockopt(s->local_fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &l)) {
		e->has_v6only = true;
		e->v6only = v;
	}
	e->fown = sk_fown_new();
	e->opts = sk_opts_dump(s->local_fd, who);
	if (!e->fown || !e->opts) {
		inet_sk_entry__free_unpacked(e, NULL);
		return NULL;
	}
	return e;
}

int sk_inet_make(struct file_desc *d, void *arg)
{
	struct sk_fd *s = arg;
	InetSkEntry *e;
	FileEntry *fe;
	char who[96];
	int err;

	snprintf(who, sizeof(who), "task %d fd %d (inet socket %lu)", s->pid, s->fd,
		 (unsigned long)s->ino);
	e = inet_entry_new(d->id, s, who);
	fe = xmalloc(sizeof(*fe));
	err = !e || !fe ? -ENOMEM : inet_fill(s, e, who);
	if (!err && e->proto == IPPROTO_UDP)
		udp_queue_note(s->local_fd, who);
	if (err) {
		if (e)
			inet_sk_entry__free_unpacked(e, NULL);
		free(fe);
		return err == -ENOMEM ? log_err(err, "Failed to dump %s: out of memory", who) : err;
	}
	file_entry__init(fe);
	fe->type = FD_TYPES__INETSK;
	fe->id = d->id;
	fe->isk = e;
	d->fe = fe;
	return 0;
}

/* --- restore --- */

static socklen_t make_sa(const InetSkEntry *e, const uint32_t *addr, size_t n, uint32_t port,
			 struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (void *)ss;
	struct sockaddr_in6 *a6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (e->family == AF_INET6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		if (n == 4)
			memcpy(&a6->sin6_addr, addr, 16);
		return sizeof(*a6);
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	if (n == 1)
		memcpy(&a4->sin_addr, addr, 4);
	return sizeof(*a4);
}

static int check_entry(const InetSkEntry *e)
{
	size_t words = e->family == AF_INET6 ? 4 : 1;

	if (e->family != AF_INET && e->family != AF_INET6)
		return log_err(-EINVAL, "files.img: inet socket %u: family %u unknown", e->ino, e->family);
	if (!((e->type == SOCK_STREAM && e->proto == IPPROTO_TCP) ||
	      (e->type == SOCK_DGRAM && e->proto == IPPROTO_UDP)))
		return log_err(-EOPNOTSUPP, "files.img: inet socket %u: type %u protocol %u not supported",
			       e->ino, e->type, e->proto);
	if ((e->n_src_addr && e->n_src_addr != words) || (e->n_dst_addr && e->n_dst_addr != words) ||
	    e->src_port > 65535 || e->dst_port > 65535)
		return log_err(-EINVAL, "files.img: inet socket %u: bad address or port", e->ino);
	if (e->state != TCP_CLOSE && e->state != TCP_LISTEN && e->state != TCP_ESTABLISHED)
		return log_err(-EOPNOTSUPP, "files.img: inet socket %u: state %u not supported", e->ino,
			       e->state);
	if (e->state == TCP_ESTABLISHED && !e->n_dst_addr)
		return log_err(-EINVAL, "files.img: inet socket %u: connected without a peer address",
			       e->ino);
	return 0;
}

static int open_inet(struct rst_ctx *c, struct rst_file *f)
{
	const InetSkEntry *e = f->fe->isk;
	struct sockaddr_storage src, dst;
	socklen_t sl, dl;
	char who[48];
	int fd, err, one = 1;

	snprintf(who, sizeof(who), "inet socket %u", e->ino);
	fd = sk_socket(c, e->family, e->type, e->proto);
	if (fd < 0)
		return fd;
	err = sk_install(c, f, fd);
	if (err)
		return err;
	fd = f->fd;
	if (e->has_v6only && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){ e->v6only }, sizeof(int)))
		return log_perr(-errno, "Failed to set IPV6_V6ONLY on %s", who);
	sl = make_sa(e, e->src_addr, e->n_src_addr, e->src_port, &src);
	dl = make_sa(e, e->dst_addr, e->n_dst_addr, e->dst_port, &dst);
	if (e->proto == IPPROTO_TCP && e->state == TCP_ESTABLISHED) {
		if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)) < 0)
			return log_perr(-errno, "Failed to put %s in repair mode", who);
		return sk_tcp_restore(c, fd, e->ino, &src, sl, &dst, dl, who);
	}
	/* the port may be shared with connections of the same listener made before */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return log_perr(-errno, "Failed to set SO_REUSEADDR on %s", who);
	if (e->src_port && bind(fd, (struct sockaddr *)&src, sl) < 0)
		return log_perr(-errno, "Failed to bind %s to port %u", who, e->src_port);
	if (e->state == TCP_LISTEN && listen(fd, e->backlog) < 0)
		return log_perr(-errno, "Failed to listen on %s", who);
	if (e->proto == IPPROTO_UDP && e->state == TCP_ESTABLISHED &&
	    connect(fd, (struct sockaddr *)&dst, dl) < 0)
		return log_perr(-errno, "Failed to connect %s to port %u", who, e->dst_port);
	/* SO_REUSEADDR too goes back to the task's value here */
	return sk_opts_restore(fd, e->opts, who) ?: sk_set_flags(fd, e->flags, who);
}

/* An established TCP socket, once all exist: out of repair, options, flags. */
static int finish_tcp(struct rst_ctx *c, struct rst_file *f)
{
	const InetSkEntry *e = f->fe->isk;
	char who[48];

	snprintf(who, sizeof(who), "inet socket %u", e->ino);
	return sk_tcp_finish(c, f->fd, e->ino, who) ?: sk_opts_restore(f->fd, e->opts, who) ?:
	       sk_set_flags(f->fd, e->flags, who);
}

static bool is_established_tcp(const struct rst_file *f)
{
	return f->fe->type == FD_TYPES__INETSK && f->fe->isk->state == TCP_ESTABLISHED &&
	       f->fe->isk->proto == IPPROTO_TCP;
}

void sk_restore_done(struct rst_ctx *c)
{
	int i;

	/* every task is whole: let the peers' packets in */
	for (i = 0; i < c->nr_files; i++)
		if (is_established_tcp(&c->files[i])) {
			sk_unlock_tree(c->tasks[0].pid, c->sk_netns > 0 ? c->sk_netns : -1);
			return;
		}
}

void sk_restore_abort(struct rst_ctx *c)
{
	int i;

	for (i = 0; i < c->nr_files; i++)
		if (c->files[i].fd >= 0 && is_established_tcp(&c->files[i]))
			setsockopt(c->files[i].fd, IPPROTO_TCP, TCP_REPAIR, &(int){ 1 }, sizeof(int));
}

int sk_inet_open_all(struct rst_ctx *c)
{
	int pass, i, err = 0;

	for (i = 0; i < c->nr_files && !err; i++)
		if (c->files[i].fe->type == FD_TYPES__INETSK)
			err = check_entry(c->files[i].fe->isk);
	/* established connections first: then a listener may bind the port they share */
	for (pass = 0; pass < 2 && !err; pass++)
		for (i = 0; i < c->nr_files && !err; i++) {
			struct rst_file *f = &c->files[i];

			if (f->fe->type != FD_TYPES__INETSK || f->fd >= 0 || is_established_tcp(f) != !pass)
				continue;
			err = open_inet(c, f);
		}
	for (i = 0; i < c->nr_files && !err; i++)
		if (is_established_tcp(&c->files[i]))
			err = finish_tcp(c, &c->files[i]);
	return err;
}
