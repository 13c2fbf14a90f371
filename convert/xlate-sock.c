// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sockets (note section 7): a FILE of a socket names its CPT_OBJ_SOCKET by
 * index (cpt_priv). Unix sockets become unix_sk_entry records in files.img,
 * the way the engine's sk-unix.c writes them: inode numbers are made from
 * the socket index (the dump keeps no inode of its own for them), the peer
 * by its index, name, state, shutdown and the options the record holds. What
 * waits in a receive queue (SKB children, queue 1) goes to sk-queues.img
 * once every file is known, with the files passed in SCM_RIGHTS. TCP and
 * UDP sockets go to xlate-inet.c; other families, protocols and TCP states
 * are refused by name (family, type, state).
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "fdinfo.pb-c.h"
#include "log.h"
#include "sk-packet.pb-c.h"
#include "sk-unix.pb-c.h"
#include "xlate-sock.h"

#define CPT_OBJ_SOCKET		8
#define CPT_OBJ_SKB		1030
#define SOCK_REC_LEN		1048	/* the largest record (late RHEL6) */
#define SKB_REC_LEN		40	/* what is read of cpt_skb_image */
#define SKB_QUEUE_RECEIVE	1
#define XL_USK_INO_BASE		0x40000000U	/* unix socket inode = base + index */
#define UNIX_ADDR_MAX		110	/* sizeof(struct sockaddr_un) */
#define MAX_SKB_DATA		(4U << 20)	/* the engine's PEEK_MAX */
#define MAX_SCM_FDS		253

/* Find the SOCKET object with cpt_index @idx: its position and record. */
static int find_sock(struct xlate *x, uint32_t idx, uint64_t *ret_pos, uint8_t *rec,
		     struct cpt_obj_hdr *h)
{
	const struct cpt_section *s = xl_section(x, 9);

	for (uint64_t p = s ? s->pos + s->hdrlen : 0; s && p < s->pos + s->len; p += h->next) {
		int r = cpt_read_obj(x->f, p, s->pos + s->len, CPT_OBJ_SOCKET, "SOCKET", rec,
				     SOCK_REC_LEN, h);

		if (r < 0)
			return r;
		if (get32(rec, 28) == idx) {
			*ret_pos = p;
			return 1;
		}
	}
	return 0;
}

static const char *family_name(unsigned int fam)
{
	return fam == AF_INET ? "AF_INET" : fam == AF_INET6 ? "AF_INET6" :
	       fam == AF_NETLINK ? "AF_NETLINK" : fam == AF_PACKET ? "AF_PACKET" : "unknown-family";
}

static const char *type_name(unsigned int type)
{
	return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "datagram" :
	       type == SOCK_SEQPACKET ? "seqpacket" : type == SOCK_RAW ? "raw" : "other";
}

static const char *const tcp_states[] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV", [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2", [6] = "TIME_WAIT", [7] = "CLOSE", [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK", [10] = "LISTEN", [11] = "CLOSING",
};

/* TCP established or listening, UDP, a closed one: what the engine takes. */
static void inet_refusal(const uint8_t *rec, char *why, size_t size, unsigned int idx,
			 uint64_t pos)
{
	unsigned int type = get16(rec, 40), proto = rec[55], st = rec[46];
	const char *fam = family_name(get16(rec, 42));
	bool tcp = type == SOCK_STREAM && (proto == IPPROTO_TCP || !proto);
	bool udp = type == SOCK_DGRAM && (proto == IPPROTO_UDP || !proto);

	if (!tcp && !udp)
		snprintf(why, size, "an %s %s socket of protocol %u (SOCKET index %u at offset %#" PRIx64 ")",
			 fam, type_name(type), proto, idx, pos);
	else if (tcp && st != 1 && st != 7 && st != 10)
		snprintf(why, size, "an %s TCP socket in state %s (SOCKET index %u at offset %#" PRIx64 ")",
			 fam, st < 12 && tcp_states[st] ? tcp_states[st] : "unknown", idx, pos);
	else if (udp && st != 1 && st != 7)
		snprintf(why, size, "an %s UDP socket in state %u (SOCKET index %u at offset %#" PRIx64 ")",
			 fam, st, idx, pos);
}

int xl_sock_refusal(struct xlate *x, uint64_t fpos, const uint8_t *frec, char *why, size_t size)
{
	uint64_t idx = get64(frec, 56), pos;
	uint8_t rec[SOCK_REC_LEN];
	struct cpt_obj_hdr h;
	unsigned int fam, type;
	int r;

	r = idx > UINT32_MAX ? 0 : find_sock(x, idx, &pos, rec, &h);
	if (r < 0)
		return r;
	if (!r)
		return log_err(-EPROTO, "FILE at offset %#" PRIx64 ": field cpt_priv %#" PRIx64 " names no socket of section SOCKET",
			       fpos, idx);
	fam = get16(rec, 42);
	type = get16(rec, 40);
	why[0] = '\0';
	if (fam == AF_INET || fam == AF_INET6)
		inet_refusal(rec, why, size, (unsigned int)idx, pos);
	else if (fam != AF_UNIX)
		snprintf(why, size, "an %s %s socket (SOCKET index %u at offset %#" PRIx64 ")",
			 family_name(fam), type_name(type), (unsigned int)idx, pos);
	else if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		snprintf(why, size, "a unix socket of type %u (SOCKET index %u at offset %#" PRIx64 ")",
			 type, (unsigned int)idx, pos);
	return 0;
}

/* A timeout in jiffies as seconds and microseconds; CPT_NULL: none. */
static void jiffies_tv(const struct xlate *x, uint64_t j, uint64_t *sec, uint64_t *usec)
{
	unsigned int hz = x->f->hdr.hz ?: 1000;

	*sec = *usec = 0;
	if (j == CPT_NULL || j > ((uint64_t)1 << 40))	/* MAX_SCHEDULE_TIMEOUT and the like */
		return;
	*sec = j / hz;
	*usec = (j % hz) * 1000000ULL / hz;
}

SkOptsEntry *xl_sock_opts(const struct xlate *x, const uint8_t *rec)
{
	SkOptsEntry *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	sk_opts_entry__init(o);
	o->so_sndbuf = get32(rec, 100);
	o->so_rcvbuf = get32(rec, 96);
	jiffies_tv(x, get64(rec, 88), &o->so_snd_tmo_sec, &o->so_snd_tmo_usec);
	jiffies_tv(x, get64(rec, 80), &o->so_rcv_tmo_sec, &o->so_rcv_tmo_usec);
	o->has_reuseaddr = true;
	o->reuseaddr = rec[47] != 0;
	o->has_so_priority = true;
	o->so_priority = get32(rec, 68);
	o->has_so_rcvlowat = true;
	o->so_rcvlowat = get32(rec, 72) ?: 1;
	o->has_so_passcred = get16(rec, 42) == AF_UNIX;	/* this kernel has it for unix only */
	o->so_passcred = rec[45] != 0;
	o->has_so_buf_lock = true;
	o->so_buf_lock = rec[50] & 3;	/* SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK */
	return o;
}

/* The bound address of @rec into @e->name (a leading NUL: abstract). */
static int sock_name(uint64_t pos, const uint8_t *rec, UnixSkEntry *e)
{
	uint32_t len = get32(rec, 132);
	size_t n;

	if (len > UNIX_ADDR_MAX)
		return log_err(-EPROTO, "SOCKET at offset %#" PRIx64 ": field cpt_laddrlen %u is over %d",
			       pos, len, UNIX_ADDR_MAX);
	n = len > 2 ? len - 2 : 0;
	if (n && rec[138])	/* a path: up to its NUL */
		n = strnlen((const char *)rec + 138, n);
	e->name.data = malloc(n + 1);
	if (!e->name.data)
		return -ENOMEM;
	memcpy(e->name.data, rec + 138, n);
	e->name.data[n] = '\0';
	e->name.len = n;
	if (n && rec[138] && (rec[401] & 1)) {	/* the bound path was unlinked */
		e->has_deleted = true;
		e->deleted = true;
	}
	return 0;
}

/* The peer's inode if it is a socket of a file the set will hold, else 0. */
static int sock_peer(struct xlate *x, uint64_t pos, const uint8_t *rec, uint32_t *ret)
{
	uint32_t pidx = get32(rec, 396);
	uint8_t prec[SOCK_REC_LEN];
	struct cpt_obj_hdr h;
	uint64_t ppos;
	int r;

	*ret = 0;
	if (pidx == UINT32_MAX)
		return 0;
	r = find_sock(x, pidx, &ppos, prec, &h);
	if (r < 0)
		return r;
	if (!r)
		return log_err(-EPROTO, "SOCKET at offset %#" PRIx64 ": field cpt_peer %u names no socket",
			       pos, pidx);
	if (get16(prec, 42) != AF_UNIX)
		return log_err(-EPROTO, "SOCKET at offset %#" PRIx64 ": its peer %u is no unix socket",
			       pos, pidx);
	if (get64(prec, 16) != CPT_NULL)
		*ret = XL_USK_INO_BASE + pidx;
	return 0;
}

/* Remember a socket whose queue is written once every file is known. */
static int queue_later(struct xlate *x, uint64_t pos, uint32_t id)
{
	struct xl_sockq *q = realloc(x->sockq, (x->nsockq + 1) * sizeof(*q));

	if (!q)
		return -ENOMEM;
	x->sockq = q;
	q[x->nsockq++] = (struct xl_sockq){ .pos = pos, .id = id };
	return 0;
}

int xl_sock_write(struct xlate *x, uint64_t fpos, const uint8_t *frec, struct xl_file *xf)
{
	FileEntry fe = FILE_ENTRY__INIT;
	UnixSkEntry e = UNIX_SK_ENTRY__INIT;
	FownEntry fown = FOWN_ENTRY__INIT;
	uint8_t rec[SOCK_REC_LEN];
	struct cpt_obj_hdr h;
	uint64_t pos;
	uint32_t idx = (uint32_t)get64(frec, 56);
	int r;

	r = find_sock(x, idx, &pos, rec, &h);
	if (r <= 0)
		return r ?: log_err(-EPROTO, "FILE at offset %#" PRIx64 ": no socket %u", fpos, idx);
	if (get16(rec, 42) != AF_UNIX)
		return xl_inet_write(x, pos, rec, frec, xf, XL_USK_INO_BASE + idx);
	e.id = xf->id;
	e.ino = XL_USK_INO_BASE + idx;
	e.type = get16(rec, 40);
	e.state = rec[46];
	e.flags = get32(frec, 16) & ~O_CLOEXEC;
	e.fown = &fown;
	e.opts = xl_sock_opts(x, rec);
	if (e.state == TCP_LISTEN)
		e.backlog = get16(rec, 64);
	if (rec[49] & 3) {
		e.has_shutdown = true;
		e.shutdown = rec[49] & 3;	/* RCV_SHUTDOWN 1, SEND_SHUTDOWN 2 */
	}
	r = !e.opts ? -ENOMEM : sock_name(pos, rec, &e) ?: sock_peer(x, pos, rec, &e.peer);
	fe.type = xf->type = FD_TYPES__UNIXSK;
	fe.id = xf->id;
	fe.usk = &e;
	if (!r)
		r = img_write(x->files_img, &fe) ?: queue_later(x, pos, xf->id);
	free(e.opts);
	free(e.name.data);
	return r;
}

struct skb_arg {
	uint32_t id;
	uint32_t rights[MAX_SCM_FDS];
	size_t nrights;
	uint64_t data_pos;	/* of the BITS child: headroom, then the data */
	uint32_t data_size;
};

/* The children of an SKB: its bytes (BITS) and the files it carries. */
static int skb_child(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct skb_arg *a = arg;
	uint8_t rec[32];
	int r;

	if (h->type == CPT_OBJ_BITS) {
		r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_BITS, "SKB data BITS", rec, 24,
				 NULL);
		a->data_pos = pos + h->hdrlen;
		a->data_size = get32(rec, 16);
		if (!r && a->data_size > h->next - h->hdrlen)
			r = log_err(-EPROTO, "SKB data BITS at offset %#" PRIx64 ": field cpt_size %u is past the record",
				    pos, a->data_size);
		return r;
	}
	if (h->type != CPT_OBJ_FILEDESC)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_FILEDESC, "SKB FILEDESC", rec, 32, NULL);
	if (r < 0)
		return r;
	if (a->nrights == MAX_SCM_FDS)
		return log_err(-EPROTO, "SKB FILEDESC at offset %#" PRIx64 ": more than %d files in one message",
			       pos, MAX_SCM_FDS);
	r = xl_file_id(x, get64(rec, 24), &a->rights[a->nrights], NULL);
	if (!r && !a->rights[a->nrights])
		return xl_unsupported(x, "a file passed in a unix message (FILEDESC at offset %#" PRIx64 ") that was left out", pos);
	a->nrights += !r;
	return r;
}

static int write_skb(struct xlate *x, struct skb_arg *a, uint32_t hspace, uint32_t len,
		     uint64_t pos)
{
	SkPacketEntry pe = SK_PACKET_ENTRY__INIT;
	ScmEntry scm = SCM_ENTRY__INIT, *scms[1] = { &scm };
	_cleanup_free_ uint8_t *buf = NULL;
	int r;

	if (len > MAX_SKB_DATA || (uint64_t)hspace + len > a->data_size)
		return log_err(-EPROTO, "SKB at offset %#" PRIx64 ": fields cpt_hspace %u + cpt_len %u are past its data (%u bytes) or over %u",
			       pos, hspace, len, a->data_size, MAX_SKB_DATA);
	buf = malloc(len ?: 1);
	if (!buf)
		return -ENOMEM;
	r = cpt_pread(x->f, a->data_pos + hspace, buf, len, "SKB data");
	if (r < 0)
		return r;
	if (!x->skq_img) {
		x->skq_img = img_open(x->dfd, IMG_SK_QUEUES, O_WRONLY, 0);
		if (!x->skq_img)
			return -errno;
	}
	pe.id_for = a->id;
	pe.length = len;
	if (a->nrights) {
		scm.type = SCM_RIGHTS;
		scm.rights = a->rights;
		scm.n_rights = a->nrights;
		pe.scm = scms;
		pe.n_scm = 1;
	}
	return img_write(x->skq_img, &pe) ?: img_write_raw(x->skq_img, buf, len);
}

static int skb(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct skb_arg a = { .id = *(uint32_t *)arg };
	struct cpt_obj_hdr ah = *h;
	uint8_t rec[SKB_REC_LEN];
	int r;

	if (h->type != CPT_OBJ_SKB)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_SKB, "SKB", rec, sizeof(rec), NULL);
	if (r < 0 || get32(rec, 20) != SKB_QUEUE_RECEIVE)
		return r;
	ah.content = CPT_CONTENT_ARRAY;	/* its children follow whatever it says */
	r = xl_children(x, pos, &ah, skb_child, &a);
	if (!r && !a.data_pos)
		r = log_err(-EPROTO, "SKB at offset %#" PRIx64 ": no data (BITS) child", pos);
	return r ?: write_skb(x, &a, get32(rec, 36), get32(rec, 32), pos);
}

int xl_sock_queues(struct xlate *x)
{
	int r = 0;

	/* xl_file_id() of passed files may add sockets: the list grows as we go */
	for (size_t i = 0; !r && i < x->nsockq; i++) {
		struct xl_sockq q = x->sockq[i];
		struct cpt_obj_hdr h;

		r = cpt_read_obj(x->f, q.pos, x->f->size, CPT_OBJ_SOCKET, "SOCKET", NULL, 0, &h);
		h.content = CPT_CONTENT_ARRAY;
		if (!r)
			r = xl_children(x, q.pos, &h, skb, &q.id);
	}
	free(x->sockq);
	x->sockq = NULL;
	x->nsockq = 0;
	r = img_close(x->skq_img) ?: r;
	x->skq_img = NULL;
	return r;
}

/* Sockets no file holds: connections not yet accepted. */
int xl_sock_check(struct xlate *x)
{
	const struct cpt_section *s = xl_section(x, 9);
	uint8_t rec[SOCK_REC_LEN];
	struct cpt_obj_hdr h;
	int r;

	for (uint64_t p = s ? s->pos + s->hdrlen : 0; s && p < s->pos + s->len; p += h.next) {
		r = cpt_read_obj(x->f, p, s->pos + s->len, CPT_OBJ_SOCKET, "SOCKET", rec,
				 sizeof(rec), &h);
		if (r < 0)
			return r;
		if (get64(rec, 16) != CPT_NULL)
			continue;
		r = xl_unsupported(x, "an %s %s socket no file holds (not yet accepted; SOCKET at offset %#" PRIx64 ")",
				   get16(rec, 42) == AF_UNIX ? "AF_UNIX" : family_name(get16(rec, 42)),
				   type_name(get16(rec, 40)), p);
		if (r < 0)
			return r;
	}
	return 0;
}
