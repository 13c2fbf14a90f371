// SPDX-License-Identifier: GPL-2.0-only
/*
 * A thread frozen inside a system call (orig_rax >= 0) shows the kernel's
 * restart code in rax. The ERESTART* codes are folded as signal delivery
 * would (the call runs again). -ERESTART_RESTARTBLOCK needs the old
 * kernel's restart block, which no other kernel has: restart_syscall would
 * return -EINTR. For an interrupted nanosleep (restart fn 1, note 4.3) the
 * dump says how long was left and where the caller wants the rest written
 * (rmtp): that time is put at rmtp in the task's pages and the registers
 * re-issue clock_nanosleep(clock, 0, rmtp, rmtp), so the sleep goes on for
 * what was left. An interrupted poll (fn 3, RHEL6) is re-issued with the
 * milliseconds it had left. Otherwise (no rmtp, its page not in the dump,
 * another restart) the fold gives -EINTR, as vzcr's own checkpoints do.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xlate.h"

#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516
#define NR_RESTART_SYSCALL	219
#define NR_CLOCK_NANOSLEEP	230
#define SYSCALL_INSN_LEN	2
#define RESTART_NANOSLEEP	1
#define RESTART_POLL		3
#define NR_POLL			7
#define MAX_CLOCK		11	/* CLOCK_TAI */

static void fold(UserX86RegsEntry *g)
{
	switch ((int64_t)g->ax) {
	case -ERESTARTSYS: case -ERESTARTNOINTR: case -ERESTARTNOHAND:
		g->ax = g->orig_ax;
		g->ip -= SYSCALL_INSN_LEN;
		break;
	case -ERESTART_RESTARTBLOCK:
		g->ax = NR_RESTART_SYSCALL;
		g->ip -= SYSCALL_INSN_LEN;
		break;
	}
	g->orig_ax = (uint64_t)-1;
}

/* The nanosleep restart block: 1 when the sleep goes on, 0 when it cannot. */
static int nanosleep_again(struct xlate *x, const struct xl_task *t, uint32_t pid,
			   UserX86RegsEntry *g)
{
	const uint8_t *rb = t->rec + 480;	/* fn, then four u64 arguments */
	bool old = x->f->hdr.version < 0x800;	/* 2.6.18 kept them in another order */
	uint64_t ns = get64(rb, old ? 8 : 32), rmtp = get64(rb, old ? 24 : 16);
	uint64_t clock = get64(rb, old ? 32 : 8);
	uint64_t ts[2] = { ns / 1000000000ULL, ns % 1000000000ULL };
	int r;

	if (get64(rb, 0) != RESTART_NANOSLEEP || !rmtp || clock > MAX_CLOCK)
		return 0;
	r = xl_mm_poke(x, get64(t->rec, 96), pid, rmtp, ts, sizeof(ts));
	if (r <= 0)
		return r;
	pr_debug("Thread %u: its nanosleep goes on for %" PRIu64 " ns, the rest at %#" PRIx64,
		 t->pid, ns, rmtp);
	g->ax = NR_CLOCK_NANOSLEEP;
	g->di = clock;
	g->si = 0;	/* relative, as the interrupted sleep was */
	g->dx = rmtp;
	g->r10 = rmtp;
	g->ip -= SYSCALL_INSN_LEN;
	g->orig_ax = (uint64_t)-1;
	return 1;
}

/* The poll restart block (RHEL6): ufds, (has_timeout << 32) | nfds, ns left. */
static int poll_again(struct xlate *x, const struct xl_task *t, UserX86RegsEntry *g)
{
	const uint8_t *rb = t->rec + 480;
	uint64_t nfds = get64(rb, 16), ns = get64(rb, 24);

	if (x->f->hdr.version < 0x800 || get64(rb, 0) != RESTART_POLL)
		return 0;
	g->ax = NR_POLL;
	g->di = get64(rb, 8);
	g->si = (uint32_t)nfds;
	/* rounded up: a poll that had time left must not return at once */
	g->dx = nfds >> 32 ? (ns + 999999) / 1000000 : (uint64_t)-1;
	g->ip -= SYSCALL_INSN_LEN;
	g->orig_ax = (uint64_t)-1;
	return 1;
}

int xl_restart(struct xlate *x, const struct xl_task *t, uint32_t pid, UserX86RegsEntry *g)
{
	int r = 0;

	if ((int64_t)g->orig_ax < 0)
		return 0;
	if ((int64_t)g->ax == -ERESTART_RESTARTBLOCK)
		r = nanosleep_again(x, t, pid, g) ?: poll_again(x, t, g);
	if (r == 0)
		fold(g);
	return r < 0 ? r : 0;
}
