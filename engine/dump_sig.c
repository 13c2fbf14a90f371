// SPDX-License-Identifier: GPL-2.0-only
/* Signal and timer state of a task: sigactions, pending signals, timers. */
#define LOG_PREFIX "dump: "
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/time.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "dump_sig.h"
#include "log.h"
#include "xmalloc.h"

#define NSIG_KERNEL 64

int dump_sigactions(struct infect *inf, TaskCoreEntry *tc)
{
	int sig, n = 0;

	tc->sigactions = xzalloc(sizeof(*tc->sigactions) * NSIG_KERNEL);
	if (!tc->sigactions)
		return -ENOMEM;
	for (sig = 1; sig <= NSIG_KERNEL; sig++) {
		struct arch_ksigaction ka;
		SaEntry *sa;
		long r;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		r = infect_call(inf, "read a sigaction", NR_rt_sigaction, sig, 0, inf->scratch, ARCH_KSIGSET_SIZE,
				0, 0);
		if (r < 0)
			return r;
		r = infect_peek(inf, inf->scratch, &ka, sizeof(ka));
		if (r < 0)
			return r;
		sa = xmalloc(sizeof(*sa));
		if (!sa)
			return -ENOMEM;
		sa_entry__init(sa);
		sa->sigaction = ka.handler;
		sa->flags = ka.flags;
		sa->restorer = ka.restorer;
		sa->mask = ka.mask;
		tc->sigactions[n++] = sa;
	}
	tc->n_sigactions = n;
	return 0;
}

/* Queued signals of @tid, private or (@shared) process-wide, with their siginfo. */
int dump_pending(pid_t tid, bool shared, SignalQueueEntry **ret)
{
	struct __ptrace_peeksiginfo_args a = { .flags = shared ? PTRACE_PEEKSIGINFO_SHARED : 0,
					     .nr = 1 };
	SignalQueueEntry *q = xmalloc(sizeof(*q));
	siginfo_t si;

	if (!q)
		return -ENOMEM;
	signal_queue_entry__init(q);
	for (a.off = 0;; a.off++) {
		SiginfoEntry *e, **nv;
		long n = ptrace(PTRACE_PEEKSIGINFO, tid, &a, &si);

		if (n < 0) {
			signal_queue_entry__free_unpacked(q, NULL);
			return log_perr(-errno, "Failed to peek the signals of %d", tid);
		}
		if (n == 0)
			break;
		e = xmalloc(sizeof(*e));
		nv = xrealloc(q->signals, (q->n_signals + 1) * sizeof(*nv));
		if (!e || !nv) {
			free(e);
			if (nv)
				q->signals = nv;
			signal_queue_entry__free_unpacked(q, NULL);
			return -ENOMEM;
		}
		siginfo_entry__init(e);
		e->siginfo.len = sizeof(si);
		e->siginfo.data = xmalloc(sizeof(si));
		if (e->siginfo.data)
			memcpy(e->siginfo.data, &si, sizeof(si));
		q->signals = nv;
		q->signals[q->n_signals++] = e;
	}
	*ret = q;
	return 0;
}

static ItimerEntry *itimer_entry(const struct itimerval *v)
{
	ItimerEntry *e = xmalloc(sizeof(*e));

	if (!e)
		return NULL;
	itimer_entry__init(e);
	e->isec = v->it_interval.tv_sec;
	e->iusec = v->it_interval.tv_usec;
	e->vsec = v->it_value.tv_sec;
	e->vusec = v->it_value.tv_usec;
	return e;
}

static int dump_itimers(struct infect *inf, TaskTimersEntry *t)
{
	ItimerEntry **slots[] = { &t->real, &t->virt, &t->prof };
	int which;

	for (which = 0; which < 3; which++) {
		struct itimerval v;
		long r = infect_call(inf, "read an itimer", NR_getitimer, which, inf->scratch,
				     0, 0, 0, 0);

		if (r < 0)
			return r;
		r = infect_peek(inf, inf->scratch, &v, sizeof(v));
		if (r < 0)
			return r;
		*slots[which] = itimer_entry(&v);
		if (!*slots[which])
			return -ENOMEM;
	}
	return 0;
}

int dump_timers(struct infect *inf, pid_t pid, TaskCoreEntry *tc)
{
	TaskTimersEntry *t = xmalloc(sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	task_timers_entry__init(t);
	tc->timers = t;
	err = dump_itimers(inf, t);
	if (err)
		return err;
	return dump_posix_timers(inf, pid, t);
}
