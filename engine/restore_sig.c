// SPDX-License-Identifier: GPL-2.0-only
/* Signals back into a task: sigactions, then (last) timers and pending signals. */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <asm/syscall-nr.h>

#include "log.h"
#include "restore.h"
#include "restore_sig.h"

int rst_sigactions(struct infect *inf, const TaskCoreEntry *tc)
{
	size_t i = 0;
	int sig;

	for (sig = 1; sig <= 64 && i < tc->n_sigactions; sig++) {
		const SaEntry *sa = tc->sigactions[i];
		struct arch_ksigaction ka = { sa->sigaction, sa->flags, sa->restorer, sa->mask };
		long r;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		i++;
		/* from here on a breakpoint's SIGTRAP would reset it to SIG_DFL */
		if (sig == SIGTRAP && ka.handler == (uintptr_t)SIG_IGN)
			inf->trap = false;
		r = infect_poke(inf, inf->scratch, &ka, sizeof(ka));
		if (!r)
			r = infect_call(inf, "set a sigaction", NR_rt_sigaction, sig, inf->scratch, 0, ARCH_KSIGSET_SIZE,
					0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int rst_in_thread(struct rst_task *t, pid_t tid, int (*fn)(struct infect *, const void *),
		  const void *arg)
{
	struct infect tinf;
	int err, err2;

	if (tid == t->pid)
		return fn(&t->inf, arg);
	err = infect_attach_scratch(&tinf, rst_htid(t, tid), t->scratch, INFECT_SCRATCH_SIZE);
	if (err)
		return err;
	err = fn(&tinf, arg);
	err2 = infect_stop(&tinf);
	return err ?: err2;
}

struct queue_arg {
	pid_t tgid, tid;		/* as the task sees them */
	const TaskCoreEntry *tc;
	const SignalQueueEntry *q;
	bool shared;
};

/* One signal back in its queue: the task sends it to itself, so any si_code goes. */
static int queue_one(struct infect *inf, const struct queue_arg *a, const siginfo_t *si)
{
	long r;

	r = infect_poke(inf, inf->scratch, si, sizeof(*si));
	if (r)
		return r;
	if (a->shared)
		r = infect_call(inf, "queue a signal", NR_rt_sigqueueinfo, a->tgid, si->si_signo,
				inf->scratch, 0, 0, 0);
	else
		r = infect_call(inf, "queue a signal", NR_rt_tgsigqueueinfo, a->tgid, a->tid,
				si->si_signo, inf->scratch, 0, 0);
	if (si->si_signo == SIGTRAP)
		inf->trap = false;	/* a breakpoint's SIGTRAP would merge with it */
	return r < 0 ? r : 0;
}

/* Queue @a->q's signals again in order, the process's or one thread's. */
static int queue_signals(struct infect *inf, const void *arg)
{
	const struct queue_arg *a = arg;
	size_t i;
	int err;

	for (i = 0; a->q && i < a->q->n_signals; i++) {
		const ProtobufCBinaryData *b = &a->q->signals[i]->siginfo;
		siginfo_t si;

		if (b->len != sizeof(si))
			return log_err(-EINVAL, "core-%d.img: siginfo of %zu bytes", inf->tid, b->len);
		memcpy(&si, b->data, sizeof(si));
		/* the timer raised it again itself */
		if (rst_timer_signal(a->tc, &si))
			continue;
		err = queue_one(inf, a, &si);
		if (err)
			return err;
	}
	return 0;
}

int rst_signals(struct rst_task *t)
{
	const TaskCoreEntry *tc = t->cores[0]->tc;
	struct queue_arg a = { t->pid, t->pid, tc, tc->signals_s, true };
	int i, err;

	err = rst_timers(t) ?: queue_signals(&t->inf, &a);
	for (i = 0; !err && i < t->nr_threads; i++) {
		const ThreadCoreEntry *th = t->cores[i]->thread_core;

		a.q = th ? th->signals_p : NULL;
		a.shared = false;
		a.tid = t->threads[i];
		if (a.q && a.q->n_signals)
			err = rst_in_thread(t, t->threads[i], queue_signals, &a);
	}
	return err;
}
