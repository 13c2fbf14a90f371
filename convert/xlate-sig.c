// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pending signals: a cpt SIGINFO record (note 4.6) becomes the 128-byte
 * siginfo_t of x86_64 that core images carry. Late RHEL6 records hold the
 * raw _sifields union; older ones only the common fields, from which the
 * union is rebuilt by signal class (kill/rt: pid, uid, value; SIGCHLD: pid,
 * uid, status, times).
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xlate-sig.h"

#define SIGINFO_REC_LEN		184	/* late RHEL6, with cpt_sifields */
#define SIFIELDS_OFF		72
#define SIFIELDS_LEN		112

static void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void put64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

/* A zeroed slot at the end of @q. */
static uint8_t *grow(struct xl_sigq *q)
{
	if (!q->init) {
		signal_queue_entry__init(&q->q);
		q->init = true;
	}
	if (q->n == XL_MAX_SIGQ)
		return NULL;
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 8;
		SiginfoEntry *e = realloc(q->ents, cap * sizeof(*e));
		SiginfoEntry **p = e ? realloc(q->ptrs, cap * sizeof(*p)) : NULL;
		uint8_t (*b)[XL_SIGINFO_LEN] = p ? realloc(q->bufs, cap * sizeof(*b)) : NULL;

		if (e)
			q->ents = e;
		if (p)
			q->ptrs = p;
		if (!b)
			return NULL;
		q->bufs = b;
		q->cap = cap;
	}
	memset(q->bufs[q->n], 0, XL_SIGINFO_LEN);
	return q->bufs[q->n++];
}

/* Pointers into the arrays, set once they stop moving. */
static void finish(struct xl_sigq *q)
{
	for (size_t i = 0; i < q->n; i++) {
		siginfo_entry__init(&q->ents[i]);
		q->ents[i].siginfo.data = q->bufs[i];
		q->ents[i].siginfo.len = XL_SIGINFO_LEN;
		q->ptrs[i] = &q->ents[i];
	}
	q->q.signals = q->ptrs;
	q->q.n_signals = q->n;
}

int xl_sigq_add(struct xlate *x, struct xl_sigq *q, uint64_t pos, const struct cpt_obj_hdr *h)
{
	uint8_t rec[SIGINFO_REC_LEN], *si;
	uint32_t signo;
	int r;

	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_SIGINFO, "SIGINFO", rec, sizeof(rec),
			 NULL);
	if (r < 0)
		return r;
	signo = get32(rec, 20);
	if (signo < 1 || signo > 64)
		return log_err(-EPROTO, "SIGINFO at offset %#" PRIx64 ": field cpt_signo %u is not a signal",
			       pos, signo);
	si = grow(q);
	if (!si)
		return log_err(-E2BIG, "SIGINFO at offset %#" PRIx64 ": more than %d queued signals",
			       pos, XL_MAX_SIGQ);
	put32(si, 0, signo);
	put32(si, 4, get32(rec, 24));
	put32(si, 8, get32(rec, 28));
	if (h->hdrlen >= SIGINFO_REC_LEN) {
		memcpy(si + 16, rec + SIFIELDS_OFF, SIFIELDS_LEN);
	} else {
		put32(si, 16, get32(rec, 40));	/* pid */
		put32(si, 20, get32(rec, 44));	/* uid */
		put64(si, 24, get64(rec, 32));	/* value, or status for SIGCHLD */
		if (signo == SIGCHLD) {
			put64(si, 32, get64(rec, 48));
			put64(si, 40, get64(rec, 56));
		}
	}
	finish(q);
	return 0;
}

static bool queued(const struct xl_sigq *q, uint32_t signo)
{
	for (size_t i = 0; i < q->n; i++)
		if (get32(q->bufs[i], 0) == signo)
			return true;
	return false;
}

int xl_sigq_mask(struct xl_sigq *q, uint64_t mask, const char *which)
{
	for (uint32_t sig = 1; sig <= 64; sig++) {
		uint8_t *si;

		if (!(mask & (1ULL << (sig - 1))) || queued(q, sig))
			continue;
		si = grow(q);
		if (!si)
			return log_err(-E2BIG, "Failed to queue %s signal %u: more than %d queued", which,
				       sig, XL_MAX_SIGQ);
		put32(si, 0, sig);
		put32(si, 8, (uint32_t)SI_KERNEL);
	}
	if (!q->init) {
		signal_queue_entry__init(&q->q);
		q->init = true;
	}
	finish(q);
	return 0;
}

int xl_sigq_timer(struct xl_sigq *q, uint32_t signo, uint32_t timer_id, uint32_t overrun,
		  uint64_t value)
{
	uint8_t *si = grow(q);

	if (!si)
		return log_err(-E2BIG, "Failed to queue the signal of timer %u: more than %d queued",
			       timer_id, XL_MAX_SIGQ);
	put32(si, 0, signo);
	put32(si, 8, (uint32_t)SI_TIMER);
	put32(si, 16, timer_id);
	put32(si, 20, overrun);
	put64(si, 24, value);
	finish(q);
	return 0;
}

void xl_sigq_free(struct xl_sigq *q)
{
	free(q->ents);
	free(q->ptrs);
	free(q->bufs);
}
