// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP and UDP sockets of a cpt dump (note sections 7.1-7.3) as the engine's
 * sk-inet.c and sk-tcp.c write them: an inet_sk_entry in files.img and, for
 * an established connection, tcp-stream-INO.img with what TCP_REPAIR needs.
 * The old kernel kept tcp_sock's own fields, so: the receive queue ends at
 * rcv_nxt and holds the SKBs of queue 1; the send queue ends at write_seq,
 * starts at snd_una and holds the SKBs of queue 2, of which the bytes past
 * snd_nxt were never sent; options from tstamp_ok/sack_ok/wscale_ok, the
 * window from snd_wl1/snd_wnd/max_window/rcv_wnd/rcv_wup, our timestamp
 * clock from the last echo the peer sent (rcv_tsecr). Out-of-order segments
 * (queue 3) are not kept: the peer never had them acknowledged and sends
 * them again. UDP queues are dropped as the engine itself does.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fdinfo.pb-c.h"
#include "log.h"
#include "sk-inet.pb-c.h"
#include "tcp-stream.pb-c.h"
#include "xlate-sock.h"

#define CPT_OBJ_SKB	1030
#define QUEUE_MAX	(64U << 20)	/* the engine's limit on one queue */

struct tcpq {
	uint8_t *buf[2];	/* queue 1 (receive), queue 2 (write) */
	uint32_t len[2];
	bool udp;
	uint32_t nudp;		/* datagrams left out */
};

static int skb_bytes(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	uint32_t *where = arg;	/* [0] hspace, [1] len; set to the data's position */
	uint8_t rec[24];
	int r;

	if (h->type != CPT_OBJ_BITS)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_BITS, "SKB data BITS", rec, sizeof(rec),
			 NULL);
	if (r < 0)
		return r;
	if ((uint64_t)where[0] + where[1] > get32(rec, 16) || get32(rec, 16) > h->next - h->hdrlen)
		return log_err(-EPROTO, "SKB at offset %#" PRIx64 ": cpt_hspace %u + cpt_len %u are past its data",
			       pos, where[0], where[1]);
	*(uint64_t *)(where + 2) = pos + h->hdrlen + where[0];
	return 0;
}

static int skb_one(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct tcpq *q = arg;
	struct cpt_obj_hdr ah = *h;
	uint8_t rec[40];
	uint32_t w[4] = { 0 };
	uint64_t data;
	unsigned int qn;
	uint8_t *b;
	int r;

	if (h->type != CPT_OBJ_SKB)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_SKB, "SKB", rec, sizeof(rec), NULL);
	if (r < 0)
		return r;
	qn = get32(rec, 20);
	q->nudp += q->udp;
	if (q->udp || (qn != 1 && qn != 2))	/* queue 3: out of order, sent again */
		return 0;
	w[0] = get32(rec, 36);
	w[1] = get32(rec, 32);
	ah.content = CPT_CONTENT_ARRAY;
	r = xl_children(x, pos, &ah, skb_bytes, w);
	memcpy(&data, w + 2, sizeof(data));
	if (!r && !data)
		r = log_err(-EPROTO, "SKB at offset %#" PRIx64 ": no data (BITS) child", pos);
	if (!r && q->len[qn - 1] + (uint64_t)w[1] > QUEUE_MAX)
		r = log_err(-EFBIG, "SKB at offset %#" PRIx64 ": a TCP queue over %u bytes", pos, QUEUE_MAX);
	if (r < 0)
		return r;
	b = realloc(q->buf[qn - 1], q->len[qn - 1] + w[1] + 1);
	if (!b)
		return -ENOMEM;
	q->buf[qn - 1] = b;
	r = cpt_pread(x->f, data, b + q->len[qn - 1], w[1], "SKB data");
	q->len[qn - 1] += w[1];
	return r;
}

/* Check the queues against the sequence numbers; the stream image. */
static int write_stream(struct xlate *x, uint64_t pos, const uint8_t *rec, uint32_t ino,
			struct tcpq *q)
{
	TcpStreamEntry t = TCP_STREAM_ENTRY__INIT;
	uint32_t rcv_nxt = get32(rec, 584), snd_nxt = get32(rec, 588), snd_una = get32(rec, 592);
	uint32_t write_seq = get32(rec, 744), copied = get32(rec, 752);
	struct img *img;
	int r;

	if (write_seq - snd_una != q->len[1] || write_seq - snd_nxt > q->len[1])
		return log_err(-EPROTO, "SOCKET at offset %#" PRIx64 ": cpt_write_seq %u, cpt_snd_una %u and cpt_snd_nxt %u disagree with the %u bytes of its write queue",
			       pos, write_seq, snd_una, snd_nxt, q->len[1]);
	if (rcv_nxt - copied != q->len[0])
		return log_err(-EPROTO, "SOCKET at offset %#" PRIx64 ": cpt_rcv_nxt %u and cpt_copied_seq %u disagree with the %u bytes of its receive queue",
			       pos, rcv_nxt, copied, q->len[0]);
	t.inq_len = q->len[0];
	t.inq_seq = rcv_nxt;
	t.outq_len = q->len[1];
	t.outq_seq = write_seq;
	t.has_unsq_len = true;
	t.unsq_len = write_seq - snd_nxt;
	t.opt_mask = (rec[756] ? 1 : 0) | (rec[758] ? 2 : 0) | (rec[757] ? 4 : 0);
	t.snd_wscale = rec[760];
	t.has_rcv_wscale = true;
	t.rcv_wscale = rec[761];
	t.mss_clamp = get16(rec, 654) ?: get32(rec, 648);
	if (rec[756]) {
		t.has_timestamp = true;
		t.timestamp = get32(rec, 768);
	}
	t.has_nodelay = t.has_cork = true;
	t.nodelay = rec[762] & 1;	/* TCP_NAGLE_OFF */
	t.cork = !!(rec[762] & 2);	/* TCP_NAGLE_CORK */
	t.has_snd_wl1 = t.has_snd_wnd = t.has_max_window = t.has_rcv_wnd = t.has_rcv_wup = true;
	t.snd_wl1 = get32(rec, 632);
	t.snd_wnd = get32(rec, 636);
	t.max_window = get32(rec, 640);
	t.rcv_wnd = get32(rec, 736);
	t.rcv_wup = get32(rec, 740);
	img = img_open(x->dfd, IMG_TCP_STREAM, O_WRONLY, ino);
	if (!img)
		return -errno;
	r = img_write(img, &t) ?: img_write_raw(img, q->buf[0], q->len[0]) ?:
	    img_write_raw(img, q->buf[1], q->len[1]);
	if (r) {
		img_abort(img);
		return r;
	}
	return img_close(img);
}

/* Local or remote address and port of @rec into @e. */
static void addrs(const uint8_t *rec, InetSkEntry *e, uint32_t *src, uint32_t *dst)
{
	bool v6 = e->family == AF_INET6;

	e->src_port = be16toh(get16(rec, 422));
	e->dst_port = be16toh(get16(rec, 420));
	e->src_addr = src;
	e->dst_addr = dst;
	e->n_src_addr = e->n_dst_addr = v6 ? 4 : 1;
	memcpy(src, rec + (v6 ? 520 : 428), v6 ? 16 : 4);	/* the bound address */
	memcpy(dst, rec + (v6 ? 536 : 416), v6 ? 16 : 4);
	if (!v6 && !src[0] && e->state == TCP_ESTABLISHED)
		memcpy(src, rec + 424, 4);	/* the source address it connected from */
}

int xl_inet_write(struct xlate *x, uint64_t pos, const uint8_t *rec, const uint8_t *frec,
		  struct xl_file *xf, uint32_t ino)
{
	FileEntry fe = FILE_ENTRY__INIT;
	InetSkEntry e = INET_SK_ENTRY__INIT;
	FownEntry fown = FOWN_ENTRY__INIT;
	struct cpt_obj_hdr h;
	struct tcpq q = { .udp = get16(rec, 40) != SOCK_STREAM };
	uint32_t src[4] = { 0 }, dst[4] = { 0 };
	int r;

	e.id = xf->id;
	e.ino = ino;
	e.family = get16(rec, 42);
	e.type = get16(rec, 40);
	e.proto = e.type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	e.state = rec[46];
	e.flags = get32(frec, 16) & ~O_CLOEXEC;
	e.fown = &fown;
	e.opts = xl_sock_opts(x, rec);
	if (e.state == TCP_LISTEN)
		e.backlog = get16(rec, 64);
	if (e.family == AF_INET6) {
		e.has_v6only = true;
		e.v6only = rec[577];
	}
	if (rec[49] & 3) {
		e.has_shutdown = true;
		e.shutdown = rec[49] & 3;
	}
	addrs(rec, &e, src, dst);
	r = e.opts ? cpt_read_obj(x->f, pos, x->f->size, UINT32_MAX, "SOCKET", NULL, 0, &h) : -ENOMEM;
	h.content = CPT_CONTENT_ARRAY;
	if (!r)
		r = xl_children(x, pos, &h, skb_one, &q);
	if (!r && q.nudp)
		pr_warn("UDP socket %u: %u queued datagrams left out (as the engine does)", ino, q.nudp);
	if (!r && e.proto == IPPROTO_TCP && e.state == TCP_ESTABLISHED)
		r = write_stream(x, pos, rec, ino, &q);
	fe.type = xf->type = FD_TYPES__INETSK;
	fe.id = xf->id;
	fe.isk = &e;
	if (!r)
		r = img_write(x->files_img, &fe);
	free(q.buf[0]);
	free(q.buf[1]);
	free(e.opts);
	return r;
}
