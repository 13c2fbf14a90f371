// SPDX-License-Identifier: GPL-2.0-only
/*
 * Established TCP connections through TCP_REPAIR (tcp-stream-INO.img).
 *
 * Dump: the socket goes into repair mode while its task is frozen; then
 * its sequence numbers, both queues (the send queue with what is sent but
 * not acknowledged), the negotiated options and the window are read. A
 * tree that runs on gets the socket out of repair mode without a window
 * probe. A tree that dies keeps it in repair mode until the engine drops
 * its copy: a socket closed in repair mode sends neither FIN nor RST, so
 * a peer outside the tree keeps its connection and the restored socket
 * takes it over (what the peer sends meanwhile is dropped by sk-lock.c).
 *
 * Restore: a socket in repair mode gets the sequence numbers, is bound and
 * "connected" without a packet, gets its options, queues and window, and
 * leaves repair mode; the part of the send queue never sent is sent then.
 */
#define LOG_PREFIX "sk-tcp: "
#include <errno.h>
#include <fcntl.h>
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
#include "image.h"
#include "log.h"
#include "restore.h"
#include "sk-inet.pb-c.h"
#include "sk-priv.h"
#include "tcp-stream.pb-c.h"
#include "xmalloc.h"

/* more than any queue of a socket holds (tcp_rmem/tcp_wmem maxima are far below) */
#define QUEUE_MAX (64U << 20)

int sk_tcp_repair_on(int fd, const char *who)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)) < 0)
		return log_perr(-errno, "Failed to put %s in repair mode", who);
	return 0;
}

void sk_tcp_repair_off(int fd)
{
	int off = TCP_REPAIR_OFF_NO_WP, on = 0;
	socklen_t l = sizeof(on);

	if (getsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, &l) < 0 || !on)
		return;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) < 0)
		pr_warn("Failed to take a TCP socket out of repair mode: %m, ignoring");
}

/* One queue of the socket: its sequence number, length and bytes. */
static int read_queue(int fd, int q, uint32_t *seq, uint32_t *len, char **buf, uint32_t ino)
{
	int n = 0, ioc = q == TCP_RECV_QUEUE ? SIOCINQ : SIOCOUTQ;
	socklen_t l = sizeof(*seq);
	ssize_t got;

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) < 0 ||
	    getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, &l) < 0 || ioctl(fd, ioc, &n) < 0)
		return log_perr(-errno, "Failed to read a queue of TCP socket %u", ino);
	if (n < 0 || (unsigned int)n > QUEUE_MAX)
		return log_err(-EFBIG, "Failed to dump TCP socket %u: a queue of %d bytes", ino, n);
	*len = n;
	*buf = xmalloc(n + 1);
	if (!*buf)
		return -ENOMEM;
	if (!n)
		return 0;
	got = recv(fd, *buf, n, MSG_PEEK | MSG_DONTWAIT);
	if (got != n)
		return got < 0 ? log_perr(-errno, "Failed to peek into a queue of TCP socket %u", ino) :
		       log_err(-EIO, "Failed to dump TCP socket %u: peeked %zd of %d queued bytes", ino,
			       got, n);
	return 0;
}

/* Options negotiated, window, timestamp, NODELAY/CORK. */
static int read_state(int fd, TcpStreamEntry *t, uint32_t ino)
{
	struct tcp_repair_window w;
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	int v, n = 0;

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
		return log_perr(-errno, "Failed to read TCP_INFO of TCP socket %u", ino);
	t->opt_mask = ti.tcpi_options;
	t->snd_wscale = ti.tcpi_snd_wscale;
	t->has_rcv_wscale = true;
	t->rcv_wscale = ti.tcpi_rcv_wscale;
	l = sizeof(v);
	if (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, &l) < 0)
		return log_perr(-errno, "Failed to read the MSS of TCP socket %u", ino);
	t->mss_clamp = v;
	l = sizeof(v);
	if (!getsockopt(fd, IPPROTO_TCP, TCP_TIMESTAMP, &v, &l)) {
		t->has_timestamp = true;
		t->timestamp = v;
	}
	l = sizeof(v);
	t->has_nodelay = !getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &l);
	t->nodelay = v;
	l = sizeof(v);
	t->has_cork = !getsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, &l);
	t->cork = v;
	if (ioctl(fd, SIOCOUTQNSD, &n) < 0)
		return log_perr(-errno, "Failed to read the unsent queue of TCP socket %u", ino);
	t->has_unsq_len = true;
	t->unsq_len = n;
	l = sizeof(w);
	if (getsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &l) < 0)
		return log_perr(-errno, "Failed to read the window of TCP socket %u", ino);
	t->has_snd_wl1 = t->has_snd_wnd = t->has_max_window = t->has_rcv_wnd = t->has_rcv_wup = true;
	t->snd_wl1 = w.snd_wl1;
	t->snd_wnd = w.snd_wnd;
	t->max_window = w.max_window;
	t->rcv_wnd = w.rcv_wnd;
	t->rcv_wup = w.rcv_wup;
	return 0;
}

static int dump_stream(int dfd, int fd, uint32_t ino)
{
	TcpStreamEntry t = TCP_STREAM_ENTRY__INIT;
	_cleanup_free_ char *in = NULL, *out = NULL;
	struct img *img;
	int err;

	err = read_queue(fd, TCP_RECV_QUEUE, &t.inq_seq, &t.inq_len, &in, ino) ?:
	      read_queue(fd, TCP_SEND_QUEUE, &t.outq_seq, &t.outq_len, &out, ino) ?:
	      read_state(fd, &t, ino);
	if (err)
		return err;
	if (t.unsq_len > t.outq_len)
		return log_err(-EIO, "Failed to dump TCP socket %u: %u bytes unsent of %u queued", ino,
			       t.unsq_len, t.outq_len);
	img = img_open(dfd, IMG_TCP_STREAM, O_WRONLY, ino);
	if (!img)
		return -errno;
	err = img_write(img, &t) ?: img_write_raw(img, in, t.inq_len) ?:
	      img_write_raw(img, out, t.outq_len);
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
}

int sk_tcp_dump_streams(struct file_table *t, int dfd)
{
	size_t i;
	int err;

	for (i = 0; i < t->n; i++) {
		const InetSkEntry *e = t->v[i].fe && t->v[i].fe->type == FD_TYPES__INETSK ?
			t->v[i].fe->isk : NULL;

		if (!e || e->proto != IPPROTO_TCP || e->state != TCP_ESTABLISHED)
			continue;
		err = dump_stream(dfd, t->v[i].local_fd, e->ino);
		if (err)
			return err;
	}
	return 0;
}

/* --- restore --- */

static int set_seq(int fd, int q, uint32_t seq, const char *who)
{
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, sizeof(seq)) < 0)
		return log_perr(-errno, "Failed to set the sequence numbers of %s", who);
	return 0;
}

static int set_options(int fd, const TcpStreamEntry *t, const char *who)
{
	struct tcp_repair_opt o[4];
	int n = 0;

	o[n++] = (struct tcp_repair_opt){ TCPOPT_MAXSEG, t->mss_clamp };
	if (t->opt_mask & TCPI_OPT_WSCALE)
		o[n++] = (struct tcp_repair_opt){ TCPOPT_WINDOW,
						  t->snd_wscale + (t->rcv_wscale << 16) };
	if (t->opt_mask & TCPI_OPT_SACK)
		o[n++] = (struct tcp_repair_opt){ TCPOPT_SACK_PERMITTED, 0 };
	if (t->opt_mask & TCPI_OPT_TIMESTAMPS)
		o[n++] = (struct tcp_repair_opt){ TCPOPT_TIMESTAMP, 0 };
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_OPTIONS, o, n * sizeof(o[0])) < 0)
		return log_perr(-errno, "Failed to set the TCP options of %s", who);
	if (t->has_timestamp &&
	    setsockopt(fd, IPPROTO_TCP, TCP_TIMESTAMP, &t->timestamp, sizeof(t->timestamp)) < 0)
		return log_perr(-errno, "Failed to set the TCP timestamp of %s", who);
	return 0;
}

/* Write @len bytes into queue @q (in repair mode: no packet is sent). */
static int fill_queue(int fd, int q, const char *buf, uint32_t len, const char *who)
{
	uint32_t done = 0;

	if (q != TCP_NO_QUEUE && setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) < 0)
		return log_perr(-errno, "Failed to select a queue of %s", who);
	while (done < len) {
		ssize_t n = send(fd, buf + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n <= 0)
			return log_perr(n < 0 ? -errno : -EIO, "Failed to queue %u bytes into %s", len, who);
		done += n;
	}
	return 0;
}

static int set_window(int fd, const TcpStreamEntry *t, const char *who)
{
	struct tcp_repair_window w = { t->snd_wl1, t->snd_wnd, t->max_window, t->rcv_wnd, t->rcv_wup };

	if (!t->has_snd_wl1)
		return 0;	/* an image from before TCP_REPAIR_WINDOW */
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof(w)) < 0)
		return log_perr(-errno, "Failed to set the window of %s", who);
	return 0;
}

static int grow_buf(int fd, int opt, uint32_t len, const char *who)
{
	int cur = 0, want = len * 2 + (256 << 10);
	socklen_t l = sizeof(cur);

	if (!len)
		return 0;
	getsockopt(fd, SOL_SOCKET, opt == SO_SNDBUFFORCE ? SO_SNDBUF : SO_RCVBUF, &cur, &l);
	if (cur >= want)
		return 0;
	/* the kernel doubles what it is given */
	if (setsockopt(fd, SOL_SOCKET, opt, &(int){ want / 2 }, sizeof(int)) < 0)
		return log_perr(-errno, "Failed to make room for %u queued bytes in %s", len, who);
	return 0;
}

static int read_stream(struct rst_ctx *c, uint32_t ino, TcpStreamEntry **ret, char **ret_buf)
{
	struct img *img = img_open(c->dfd, IMG_TCP_STREAM, O_RDONLY, ino);
	TcpStreamEntry *t = NULL;
	char *buf = NULL;
	int ret_ = -EINVAL;

	if (!img)
		return -errno;
	if (img_read(img, (void **)&t) <= 0)
		ret_ = log_err(-EIO, "%s: no entry", img_path(img));
	else if (t->inq_len > QUEUE_MAX || t->outq_len > QUEUE_MAX || t->unsq_len > t->outq_len)
		ret_ = log_err(-EINVAL, "%s: queues of %u and %u bytes (%u unsent) out of range",
			       img_path(img), t->inq_len, t->outq_len, t->unsq_len);
	else if (!(buf = xmalloc((size_t)t->inq_len + t->outq_len + 1)))
		ret_ = -ENOMEM;
	else
		ret_ = img_read_raw(img, buf, (size_t)t->inq_len + t->outq_len);
	img_close(img);
	if (ret_ < 0) {
		free(buf);
		if (t)
			img_free_entry(t);
		return ret_;
	}
	*ret = t;
	*ret_buf = buf;
	return 0;
}

int sk_tcp_restore(struct rst_ctx *c, int fd, uint32_t ino, const void *src, int srclen,
		   const void *dst, int dstlen, const char *who)
{
	_cleanup_free_ char *buf = NULL;
	TcpStreamEntry *t = NULL;
	int err;

	err = read_stream(c, ino, &t, &buf);
	if (err)
		return err;
	/*
	 * room for the queues as they were (autotuning had grown the buffers);
	 * sk_opts_restore() puts the buffer locks back as the task had them
	 */
	err = grow_buf(fd, SO_SNDBUFFORCE, t->outq_len, who) ?:
	      grow_buf(fd, SO_RCVBUFFORCE, t->inq_len, who);
	/* in repair mode bind takes the port whoever has it (SK_FORCE_REUSE) */
	err = err ?: set_seq(fd, TCP_SEND_QUEUE, t->outq_seq - t->outq_len, who) ?:
	      set_seq(fd, TCP_RECV_QUEUE, t->inq_seq - t->inq_len, who);
	if (!err && bind(fd, src, srclen) < 0)
		err = log_perr(-errno, "Failed to bind %s", who);
	if (!err && connect(fd, dst, dstlen) < 0)
		err = log_perr(-errno, "Failed to connect %s in repair mode", who);
	err = err ?: set_options(fd, t, who) ?:
	      fill_queue(fd, TCP_RECV_QUEUE, buf, t->inq_len, who) ?:
	      fill_queue(fd, TCP_SEND_QUEUE, buf + t->inq_len, t->outq_len - t->unsq_len, who) ?:
	      set_window(fd, t, who);
	img_free_entry(t);
	return err;
}

int sk_tcp_finish(struct rst_ctx *c, int fd, uint32_t ino, const char *who)
{
	_cleanup_free_ char *buf = NULL;
	TcpStreamEntry *t = NULL;
	int off = TCP_REPAIR_OFF, err;

	err = read_stream(c, ino, &t, &buf);
	if (err)
		return err;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) < 0)
		err = log_perr(-errno, "Failed to take %s out of repair mode", who);
	/* what the task had queued but TCP had not sent yet goes the normal way */
	err = err ?: fill_queue(fd, TCP_NO_QUEUE, buf + t->inq_len + t->outq_len - t->unsq_len,
				t->unsq_len, who);
	if (!err && t->has_nodelay &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ t->nodelay }, sizeof(int)) < 0)
		err = log_perr(-errno, "Failed to set TCP_NODELAY on %s", who);
	if (!err && t->has_cork &&
	    setsockopt(fd, IPPROTO_TCP, TCP_CORK, &(int){ t->cork }, sizeof(int)) < 0)
		err = log_perr(-errno, "Failed to set TCP_CORK on %s", who);
	img_free_entry(t);
	return err;
}
