// SPDX-License-Identifier: GPL-2.0-only
/*
 * cptlive's sockets: what an OpenVZ kernel kept of each (type, state,
 * peer, name, options, the messages waiting in its receive queue) read
 * from our pidfd_getfd copy and unix_diag, and written as the SOCKET
 * section (note section 7) with SKB children. The task keeps its data: a
 * unix queue is read with MSG_PEEK at a moving SO_PEEK_OFF. A TCP
 * connection goes into repair mode (and stays so: cptlive kills the tree,
 * which then closes it without a FIN) and gives the tcp_sock fields the old
 * kernel stored: rcv_nxt, copied_seq, snd_una, snd_nxt, write_seq, options,
 * window, with both queues as SKBs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cptlive.h"
#include "cptw.h"

#define MAX_SOCKS	32
#define MAX_MSGS	32
#define MSG_MAX		65536

struct lmsg {
	char *data;
	size_t len;
};

struct lsock {
	int file;		/* L.files index */
	uint32_t ino, peer_ino;
	int type, state, shutdown;
	struct sockaddr_un name;
	socklen_t namelen;
	int sndbuf, rcvbuf, prio, passcred, userlocks;
	struct timeval rcvtmo, sndtmo;
	struct lmsg msgs[MAX_MSGS];
	int nmsgs;
	int family;
	struct sockaddr_storage local, remote;
	struct tcp_repair_window win;
	struct tcp_info ti;
	uint32_t rcv_nxt, write_seq, inq, outq, unsent, mss, tstamp;
	int nodelay;
	struct lmsg q[2];	/* TCP: receive queue, write queue */
};

static struct lsock socks[MAX_SOCKS];
static int nsocks;

/* unix_diag of socket @ino: its state, peer and shutdown. */
static void diag(struct lsock *s)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0U, .udiag_ino = s->ino,
		       .udiag_show = UDIAG_SHOW_PEER, .udiag_cookie = { ~0U, ~0U } },
	};
	char buf[8192];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	ssize_t n;

	if (nl < 0 || send(nl, &req, sizeof(req), 0) < 0)
		die("unix_diag");
	n = recv(nl, buf, sizeof(buf), 0);
	close(nl);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct unix_diag_msg)) || h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		die("unix_diag reply");
	{
		struct unix_diag_msg *m = NLMSG_DATA(h);
		struct rtattr *a = (struct rtattr *)(m + 1);
		int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));

		s->state = m->udiag_state;
		for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == UNIX_DIAG_PEER)
				memcpy(&s->peer_ino, RTA_DATA(a), 4);
			else if (a->rta_type == UNIX_DIAG_SHUTDOWN)
				s->shutdown = *(uint8_t *)RTA_DATA(a) & 3;
	}
}

/* The messages queued on @fd, peeked: the task keeps them. */
static void peek_queue(struct lsock *s, int fd)
{
	int off = -1, zero = 0;
	socklen_t l = sizeof(off);
	static char buf[MSG_MAX];
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, &l) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)) < 0)
		die("SO_PEEK_OFF");
	while (s->nmsgs < MAX_MSGS && (n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT)) > 0) {
		struct lmsg *m = &s->msgs[s->nmsgs++];

		m->data = malloc(n);
		if (!m->data)
			die("malloc");
		memcpy(m->data, buf, n);
		m->len = n;
	}
	setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off));
}

/* The bytes of TCP queue @q (in repair mode): length @len, peeked. */
static void tcp_queue(int fd, int q, uint32_t *seq, uint32_t len, struct lmsg *m)
{
	socklen_t l = sizeof(*seq);

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) < 0 ||
	    getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, &l) < 0)
		die("TCP_QUEUE_SEQ");
	m->data = malloc(len + 1);
	if (!m->data || (len && recv(fd, m->data, len, MSG_PEEK | MSG_DONTWAIT) != (ssize_t)len))
		die("peek of a TCP queue");
	m->len = len;
}

static void inet_sock(struct lsock *s, int fd)
{
	socklen_t l = sizeof(s->local);
	int on = 1, v;

	getsockname(fd, (struct sockaddr *)&s->local, &l);
	l = sizeof(s->remote);
	getpeername(fd, (struct sockaddr *)&s->remote, &l);
	l = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &s->type, &l);
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf, &l);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, &l);
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l);
	s->state = v ? 10 : 1;
	if (v || s->type != SOCK_STREAM)
		return;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)) < 0)
		die("TCP_REPAIR");
	if (ioctl(fd, SIOCINQ, &v) < 0)
		die("SIOCINQ");
	s->inq = v;
	if (ioctl(fd, SIOCOUTQ, &v) < 0)
		die("SIOCOUTQ");
	s->outq = v;
	if (ioctl(fd, SIOCOUTQNSD, &v) < 0)
		die("SIOCOUTQNSD");
	s->unsent = v;
	tcp_queue(fd, TCP_RECV_QUEUE, &s->rcv_nxt, s->inq, &s->q[0]);
	tcp_queue(fd, TCP_SEND_QUEUE, &s->write_seq, s->outq, &s->q[1]);
	l = sizeof(s->ti);
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &s->ti, &l);
	l = sizeof(s->win);
	if (getsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &s->win, &l) < 0)
		die("TCP_REPAIR_WINDOW");
	l = sizeof(int);
	getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &s->mss, &l);
	getsockopt(fd, IPPROTO_TCP, TCP_TIMESTAMP, &s->tstamp, &l);
	getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &s->nodelay, &l);
}

static int sysctl_int(const char *name)
{
	char p[64];
	FILE *f;
	int v = -1;

	snprintf(p, sizeof(p), "/proc/sys/net/core/%s", name);
	f = fopen(p, "r");
	if (!f || fscanf(f, "%d", &v) != 1)
		die(p);
	fclose(f);
	return v;
}

static void one_sock(int k)
{
	struct lfile *f = &L.files[k];
	struct lsock *s = &socks[nsocks];
	int pidfd = syscall(SYS_pidfd_open, f->pid, 0), fd, dom = 0;
	socklen_t l = sizeof(int);

	if (nsocks == MAX_SOCKS)
		die("too many sockets");
	fd = pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, f->fd, 0);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) < 0)
		die("pidfd_getfd of a socket");
	memset(s, 0, sizeof(*s));
	s->family = dom;
	if (dom == AF_INET) {
		s->file = k;
		inet_sock(s, fd);
		close(fd);
		close(pidfd);
		nsocks++;
		return;
	}
	if (dom != AF_UNIX) {
		errno = EAFNOSUPPORT;
		die("a socket neither AF_UNIX nor AF_INET");
	}
	s->file = k;
	s->ino = f->ino;
	s->namelen = sizeof(s->name);
	l = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &s->type, &l);
	getsockname(fd, (struct sockaddr *)&s->name, &s->namelen);
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf, &l);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, &l);
	getsockopt(fd, SOL_SOCKET, SO_PRIORITY, &s->prio, &l);
	getsockopt(fd, SOL_SOCKET, SO_PASSCRED, &s->passcred, &l);
	l = sizeof(struct timeval);
	getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &s->rcvtmo, &l);
	getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &s->sndtmo, &l);
	/* sizes other than the defaults were set: the old kernel's SOCK_*BUF_LOCK */
	s->userlocks = (s->sndbuf != sysctl_int("wmem_default")) |
		       (s->rcvbuf != sysctl_int("rmem_default")) << 1;
	diag(s);
	if (s->state != 10)	/* a listener's queue holds connections */
		peek_queue(s, fd);
	close(fd);
	close(pidfd);
	nsocks++;
}

void sock_collect(void)
{
	for (int k = 0; k < L.nfiles; k++)
		if (S_ISSOCK(L.files[k].i_mode) && L.files[k].fd >= 0)
			one_sock(k);
}

uint64_t sock_index(int file)
{
	for (int i = 0; i < nsocks; i++)
		if (socks[i].file == file)
			return i;
	return NUL64;
}

static int index_of_ino(uint32_t ino)
{
	for (int i = 0; i < nsocks; i++)
		if (socks[i].ino == ino)
			return i;
	return -1;
}

static uint64_t jiffies(const struct timeval *tv)
{
	if (!tv->tv_sec && !tv->tv_usec)
		return NUL64;	/* MAX_SCHEDULE_TIMEOUT */
	return tv->tv_sec * 1000ULL + tv->tv_usec / 1000;	/* HZ 1000 */
}

/* A buffer of queue @queue (1 receive, 2 write). */
static void skb(struct cptw *w, const struct lmsg *m, int owner, uint32_t queue)
{
	size_t o = w_obj(w, 1030, L.rhel5 ? 120 : 168, 1), b;

	w32(w, o + 16, owner);
	w32(w, o + 20, queue);
	w32(w, o + 32, m->len);
	b = w_obj(w, 4103, 24, 2);
	w32(w, b + 16, m->len);
	w_data(w, m->data, m->len);
	w_end(w, b);
	w_end(w, o);
}

/* The inet and TCP part of the record (note section 7.2). */
static void inet_fields(struct cptw *w, size_t o, const struct lsock *k)
{
	const struct sockaddr_in *lo = (const void *)&k->local, *re = (const void *)&k->remote;

	w->d[o + 55] = k->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	memcpy(w->d + o + 424, &lo->sin_addr, 4);
	memcpy(w->d + o + 428, &lo->sin_addr, 4);
	memcpy(w->d + o + 422, &lo->sin_port, 2);
	memcpy(w->d + o + 416, &re->sin_addr, 4);
	memcpy(w->d + o + 420, &re->sin_port, 2);
	w16(w, o + 64, 128);	/* a listener's backlog */
	if (k->state != 1)
		return;
	w32(w, o + 584, k->rcv_nxt);
	w32(w, o + 752, k->rcv_nxt - k->inq);	/* copied_seq */
	w32(w, o + 744, k->write_seq);
	w32(w, o + 592, k->write_seq - k->outq);	/* snd_una */
	w32(w, o + 588, k->write_seq - k->unsent);	/* snd_nxt */
	w->d[o + 756] = !!(k->ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	w->d[o + 757] = !!(k->ti.tcpi_options & TCPI_OPT_WSCALE);
	w->d[o + 758] = !!(k->ti.tcpi_options & TCPI_OPT_SACK);
	w->d[o + 760] = k->ti.tcpi_snd_wscale;
	w->d[o + 761] = k->ti.tcpi_rcv_wscale;
	w->d[o + 762] = k->nodelay ? 1 : 0;
	w16(w, o + 654, k->mss);
	w32(w, o + 648, k->mss);
	w32(w, o + 768, k->tstamp);	/* rcv_tsecr: our clock as the peer echoes it */
	w32(w, o + 632, k->win.snd_wl1);
	w32(w, o + 636, k->win.snd_wnd);
	w32(w, o + 640, k->win.max_window);
	w32(w, o + 736, k->win.rcv_wnd);
	w32(w, o + 740, k->win.rcv_wup);
}

static void tcp_skbs(struct cptw *w, const struct lsock *k, int idx)
{
	for (int q = 0; q < 2; q++)
		if (k->q[q].len)
			skb(w, &k->q[q], idx, q + 1);
}

void sect_socks(struct cptw *w)
{
	size_t s = w_sect(w, 9);

	for (int i = 0; i < nsocks; i++) {
		const struct lsock *k = &socks[i];
		size_t o = w_obj(w, 8, L.rhel5 ? 912 : 1048, 1);
		int peer = k->peer_ino ? index_of_ino(k->peer_ino) : -1;

		w64(w, o + 16, L.files[k->file].obj);
		w32(w, o + 24, UINT32_MAX);
		w32(w, o + 28, i);
		w16(w, o + 40, k->type);
		w16(w, o + 42, k->family);
		w->d[o + 45] = k->passcred;
		w->d[o + 46] = k->state;
		w->d[o + 49] = k->shutdown;
		w->d[o + 50] = k->userlocks;
		w32(w, o + 68, k->prio);
		w64(w, o + 80, jiffies(&k->rcvtmo));
		w64(w, o + 88, jiffies(&k->sndtmo));
		w32(w, o + 96, k->rcvbuf);
		w32(w, o + 100, k->sndbuf);
		if (k->family == AF_INET) {
			inet_fields(w, o, k);
			tcp_skbs(w, k, i);
			w_end(w, o);
			continue;
		}
		w32(w, o + 132, k->namelen);
		memcpy(w->d + o + 136, &k->name, k->namelen);
		w32(w, o + 396, peer < 0 ? UINT32_MAX : (uint32_t)peer);
		w->d[o + 400] = peer >= 0 && index_of_ino(socks[peer].peer_ino) == i;
		for (int m = 0; m < k->nmsgs; m++)
			skb(w, &k->msgs[m], peer < 0 ? -1 : peer, 1);
		w_end(w, o);
	}
	w_end(w, s);
}
