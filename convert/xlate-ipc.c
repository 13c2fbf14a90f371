// SPDX-License-Identifier: GPL-2.0-only
/*
 * SysV IPC of the container (note section 9.5) as the engine's ns_ipc*.c
 * write it, for the ipc namespace of a CT restore: ipcns-var-1.img from
 * the VEINFO limits (Linux defaults where the dump has 0), ipcns-sem-1.img
 * from SYSV_SEM (semval of each pair), ipcns-msg-1.img from SYSV_MSG with
 * every message, ipcns-shm-1.img from the INODEs that start with a
 * SYSV_SHM record (the segment's pages follow it). Objects keep their ids
 * and keys. Semaphore undo lists (SYSVSEM_UNDO) are refused by xlate.c.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ipc-msg.pb-c.h"
#include "ipc-sem.pb-c.h"
#include "ipc-shm.pb-c.h"
#include "ipc-var.pb-c.h"
#include "log.h"
#include "xlate.h"

#define IPC_NS_ID		1
#define CPT_OBJ_SYSV_SHM	11
#define CPT_OBJ_SYSV_SEM	1029
#define CPT_OBJ_SYSVMSG		1049
#define CPT_OBJ_SYSVMSG_MSG	1050
#define SEM_MAX			32000	/* semaphores in a set (SEMMSL's top) */
#define MSG_MAX_LEN		(16U << 20)	/* the engine's own limit */
#define SHM_MAX_LEN		(1ULL << 30)
#define SHM_DEFAULT		(UINT64_MAX - (1ULL << 24))	/* Linux's SHMMAX and SHMALL */

static const uint8_t zero[8];

static void desc(const uint8_t *rec, IpcDescEntry *d)
{
	ipc_desc_entry__init(d);
	d->key = (uint32_t)get64(rec, 16);
	d->uid = (uint32_t)get64(rec, 24);
	d->gid = (uint32_t)get64(rec, 32);
	d->cuid = (uint32_t)get64(rec, 40);
	d->cgid = (uint32_t)get64(rec, 48);
	d->mode = (uint32_t)get64(rec, 56);
	d->id = (uint32_t)get64(rec, 72);
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ?: def;
}

static int write_var(struct xlate *x)
{
	const struct cpt_section *s = xl_section(x, 1);
	IpcVarEntry e = IPC_VAR_ENTRY__INIT;
	uint8_t rec[56] = { 0 };
	uint32_t sem[4];
	int r = 0;

	if (s && s->nobjs)
		r = cpt_read_obj(x->f, s->pos + s->hdrlen, s->pos + s->len, CPT_OBJ_VEINFO, "VEINFO",
				 rec, sizeof(rec), NULL);
	if (r < 0)
		return r;
	sem[0] = or_default(get32(rec, 40), 32000);
	sem[1] = or_default(get32(rec, 44), 1024000000);
	sem[2] = or_default(get32(rec, 48), 500);
	sem[3] = or_default(get32(rec, 52), 32000);
	e.sem_ctls = sem;
	e.n_sem_ctls = 4;
	e.shm_ctlmax = get32(rec, 16) ?: SHM_DEFAULT;
	e.shm_ctlall = get32(rec, 20) ?: SHM_DEFAULT;
	e.shm_ctlmni = or_default(get32(rec, 24), 4096);
	e.msg_ctlmax = or_default(get32(rec, 28), 8192);
	e.msg_ctlmni = or_default(get32(rec, 32), 32000);
	e.msg_ctlmnb = or_default(get32(rec, 36), 16384);
	e.mq_queues_max = 256;	/* POSIX queues: the old kernels had none in a CT */
	e.mq_msg_max = 10;
	e.mq_msgsize_max = 8192;
	return img_write_single(x->dfd, IMG_IPC_VAR, IPC_NS_ID, &e);
}

static int write_sems(struct xlate *x, struct img *img)
{
	const struct cpt_section *s = xl_section(x, 14);
	struct cpt_obj_hdr h;
	uint8_t rec[96];
	int r;

	for (uint64_t p = s ? s->pos + s->hdrlen : 0; s && p < s->pos + s->len; p += h.next) {
		IpcSemEntry e = IPC_SEM_ENTRY__INIT;
		IpcDescEntry d;
		uint64_t n;
		uint8_t *pairs;
		uint16_t *vals;

		r = cpt_read_obj(x->f, p, s->pos + s->len, CPT_OBJ_SYSV_SEM, "SYSV_SEM", rec,
				 sizeof(rec), &h);
		if (r < 0)
			return r;
		n = (h.next - h.hdrlen) / 8;
		if (!n || n > SEM_MAX)
			return log_err(-EPROTO, "SYSV_SEM at offset %#" PRIx64 ": %" PRIu64 " semaphores, not 1..%d",
				       p, n, SEM_MAX);
		desc(rec, &d);
		e.desc = &d;
		e.nsems = n;
		pairs = malloc(n * 8);
		vals = calloc((n * 2 + 7) / 8, 8);
		r = pairs && vals ? cpt_pread(x->f, p + h.hdrlen, pairs, n * 8, "semaphore values") :
				    -ENOMEM;
		for (uint64_t i = 0; !r && i < n; i++)
			vals[i] = (uint16_t)get32(pairs, i * 8);	/* semval; sempid is not kept */
		if (!r)
			r = img_write(img, &e) ?: img_write_raw(img, vals, (n * 2 + 7) & ~7ULL);
		free(pairs);
		free(vals);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One message: u32 length, an ipc_msg, the text padded to 8 bytes. */
static int write_msg(struct xlate *x, struct img *img, uint64_t pos, const struct cpt_obj_hdr *h)
{
	IpcMsg m = IPC_MSG__INIT;
	uint8_t rec[32], head[36];
	_cleanup_free_ uint8_t *text = NULL;
	uint32_t n;
	int r;

	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_SYSVMSG_MSG, "SYSVMSG_MSG", rec,
			 sizeof(rec), NULL);
	if (r < 0)
		return r;
	m.mtype = get64(rec, 16);
	m.msize = (uint32_t)get64(rec, 24);
	if (get64(rec, 24) > h->next - h->hdrlen || m.msize > MSG_MAX_LEN)
		return log_err(-EPROTO, "SYSVMSG_MSG at offset %#" PRIx64 ": field cpt_size %" PRIu64 " is past the record or over %u",
			       pos, get64(rec, 24), MSG_MAX_LEN);
	text = calloc(1, ((size_t)m.msize + 7) & ~(size_t)7 ?: 1);
	if (!text)
		return -ENOMEM;
	r = cpt_pread(x->f, pos + h->hdrlen, text, m.msize, "message text");
	n = (uint32_t)ipc_msg__get_packed_size(&m);
	memcpy(head, &n, 4);
	ipc_msg__pack(&m, head + 4);
	return r ?: img_write_raw(img, head, n + 4) ?:
	       img_write_raw(img, text, ((size_t)m.msize + 7) & ~(size_t)7);
}

struct msgq {
	struct img *img;
	uint32_t n;
	bool count;	/* the first pass counts, the second writes */
};

static int msg_child(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct msgq *q = arg;

	if (h->type != CPT_OBJ_SYSVMSG_MSG)
		return 0;
	q->n++;
	return q->count ? 0 : write_msg(x, q->img, pos, h);
}

static int write_msgs(struct xlate *x, struct img *img)
{
	const struct cpt_section *s = xl_section(x, 30);
	struct cpt_obj_hdr h;
	uint8_t rec[128];
	int r;

	for (uint64_t p = s ? s->pos + s->hdrlen : 0; s && p < s->pos + s->len; p += h.next) {
		IpcMsgEntry e = IPC_MSG_ENTRY__INIT;
		struct msgq q = { img, 0, true };
		struct cpt_obj_hdr ah;
		IpcDescEntry d;

		r = cpt_read_obj(x->f, p, s->pos + s->len, CPT_OBJ_SYSVMSG, "SYSVMSG", rec,
				 sizeof(rec), &h);
		if (r < 0)
			return r;
		ah = h;
		ah.content = CPT_CONTENT_ARRAY;
		desc(rec, &d);
		e.desc = &d;
		e.qbytes = (uint32_t)get64(rec, 120);
		r = xl_children(x, p, &ah, msg_child, &q);
		e.qnum = q.n;
		q.count = false;
		if (!r)
			r = img_write(img, &e) ?: xl_children(x, p, &ah, msg_child, &q);
		if (r < 0)
			return r;
	}
	return 0;
}

struct shmseg {
	uint8_t *buf;
	uint64_t size;
};

static int shm_pages(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct shmseg *g = arg;
	uint8_t rec[32];
	uint64_t s, e;
	int r;

	if (h->type != CPT_OBJ_PAGES)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_PAGES, "SysV shm PAGES", rec,
			 sizeof(rec), NULL);
	if (r < 0)
		return r;
	s = get64(rec, 16);
	e = get64(rec, 24);
	if (s > e || e > ((g->size + XL_PAGE - 1) & ~(XL_PAGE - 1)) || e - s > h->next - h->hdrlen)
		return log_err(-EPROTO, "SysV shm PAGES at offset %#" PRIx64 ": offsets %#" PRIx64 "-%#" PRIx64 " are past the %" PRIu64 "-byte segment or its data",
			       pos, s, e, g->size);
	if (s >= g->size)
		return 0;
	return cpt_pread(x->f, pos + h->hdrlen, g->buf + s, (e > g->size ? g->size : e) - s,
			 "SysV shm pages");
}

/* An INODE whose first child is a SYSV_SHM record: one segment. */
static int write_shm_one(struct xlate *x, struct img *img, uint64_t ino, const struct cpt_obj_hdr *ih)
{
	IpcShmEntry e = IPC_SHM_ENTRY__INIT;
	struct cpt_obj_hdr h;
	struct shmseg g;
	IpcDescEntry d;
	uint8_t rec[128];
	int r;

	if (ih->next <= ih->hdrlen)
		return 0;
	r = cpt_read_obj(x->f, ino + ih->hdrlen, ino + ih->next, UINT32_MAX, "INODE child", rec,
			 sizeof(rec), &h);
	if (r < 0 || h.type != CPT_OBJ_SYSV_SHM)
		return r;
	desc(rec, &d);
	d.id = get32(rec, 72);
	e.desc = &d;
	e.size = g.size = get64(rec, 80);
	if (g.size > SHM_MAX_LEN)
		return log_err(-EFBIG, "SYSV_SHM at offset %#" PRIx64 ": field cpt_segsz %" PRIu64 " is over %llu",
			       ino + ih->hdrlen, g.size, SHM_MAX_LEN);
	g.buf = calloc(1, g.size + 4);
	if (!g.buf)
		return -ENOMEM;
	r = xl_children(x, ino, ih, shm_pages, &g);
	if (!r)
		r = img_write(img, &e) ?: img_write_raw(img, g.buf, g.size) ?:
		    img_write_raw(img, zero, (4 - (g.size & 3)) & 3);
	free(g.buf);
	return r;
}

static int write_shms(struct xlate *x, struct img *img)
{
	const struct cpt_section *s = xl_section(x, 12);
	struct cpt_obj_hdr h;
	int r;

	for (uint64_t p = s ? s->pos + s->hdrlen : 0; s && p < s->pos + s->len; p += h.next) {
		r = cpt_read_obj(x->f, p, s->pos + s->len, CPT_OBJ_INODE, "INODE", NULL, 0, &h) ?:
		    write_shm_one(x, img, p, &h);
		if (r < 0)
			return r;
	}
	return 0;
}

int xl_write_ipc(struct xlate *x)
{
	static const struct {
		int type;
		int (*fn)(struct xlate *x, struct img *img);
	} kinds[] = {
		{ IMG_IPCNS_SHM, write_shms },
		{ IMG_IPCNS_SEM, write_sems },
		{ IMG_IPCNS_MSG, write_msgs },
	};
	int r = write_var(x);

	for (size_t i = 0; !r && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct img *img = img_open(x->dfd, kinds[i].type, O_WRONLY, IPC_NS_ID);

		r = img ? kinds[i].fn(x, img) : -errno;
		if (r)
			img_abort(img);
		else
			r = img_close(img);
	}
	return r;
}
