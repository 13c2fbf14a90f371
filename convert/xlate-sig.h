/* SPDX-License-Identifier: GPL-2.0-only */
/* Pending-signal queues of a core image, built from cpt SIGINFO records. */
#ifndef VZCR_CONVERT_XLATE_SIG_H
#define VZCR_CONVERT_XLATE_SIG_H

#include "siginfo.pb-c.h"
#include "xlate.h"

#define XL_MAX_PTIMERS	64
#define XL_MAX_SIGQ	4096	/* queued signals per queue (the old default RLIMIT_SIGPENDING is less) */
#define XL_SIGINFO_LEN	128

struct xl_sigq {
	SignalQueueEntry q;
	SiginfoEntry *ents;
	SiginfoEntry **ptrs;
	uint8_t (*bufs)[XL_SIGINFO_LEN];
	size_t n, cap;
	bool init;
};

/* Append the siginfo of the SIGINFO record at @pos. */
int xl_sigq_add(struct xlate *x, struct xl_sigq *q, uint64_t pos, const struct cpt_obj_hdr *h);
/*
 * Signals of the pending @mask with no siginfo queued (the old kernel kept
 * none, or the writer left it out) get one from the kernel (SI_KERNEL).
 * @which names the queue in messages.
 */
int xl_sigq_mask(struct xl_sigq *q, uint64_t mask, const char *which);
/* A pending POSIX timer signal, which the dump leaves out of the queue. */
int xl_sigq_timer(struct xl_sigq *q, uint32_t signo, uint32_t timer_id, uint32_t overrun,
		  uint64_t value);
void xl_sigq_free(struct xl_sigq *q);

#endif /* VZCR_CONVERT_XLATE_SIG_H */
