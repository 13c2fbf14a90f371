// SPDX-License-Identifier: GPL-2.0-only
/* Signals and timers back into a task: sigactions, itimers, POSIX timers, pending. */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <time.h>

#include <asm/syscall-nr.h>

#include "log.h"
#include "restore.h"
#include "restore_sig.h"

/* timer_create() takes the id it is given (Linux 6.17+): exact restores */
#define PR_TIMER_CREATE_RESTORE_IDS	77
#define RESTORE_IDS_ON			1
#define TIMER_ID_TRIES			4096

struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

int rst_sigactions(struct infect *inf, const TaskCoreEntry *tc)
{
	size_t i = 0;
	int sig;

	for (sig = 1; sig <= 64 && i < tc->n_sigactions; sig++) {
		const SaEntry *sa = tc->sigactions[i];
		struct ksigaction ka = { sa->sigaction, sa->flags, sa->restorer, sa->mask };
		long r;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		i++;
		r = infect_poke(inf, inf->scratch, &ka, sizeof(ka));
		if (!r)
			r = infect_call(inf, "set a sigaction", NR_rt_sigaction, sig, inf->scratch, 0, 8,
					0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

static int set_itimer(struct infect *inf, int which, const ItimerEntry *e)
{
	struct itimerval v = {
		.it_interval = { e->isec, e->iusec },
		.it_value = { e->vsec, e->vusec },
	};
	long r;

	if (!e->vsec && !e->vusec)
		return 0;
	r = infect_poke(inf, inf->scratch, &v, sizeof(v));
	if (!r)
		r = infect_call(inf, "set an itimer", NR_setitimer, which, inf->scratch, 0, 0, 0, 0);
	return r < 0 ? r : 0;
}

/* timer_create(@e) until it gets @e's id; returns 0 or -errno. */
static int create_timer(struct infect *inf, const PosixTimerEntry *e, bool exact_ids)
{
	struct sigevent sev = {};
	int tries, id = -1;
	long r;

	sev.sigev_notify = e->it_sigev_notify;
	sev.sigev_signo = e->si_signo;
	sev.sigev_value.sival_ptr = (void *)(uintptr_t)e->sival_ptr;
	if (e->has_notify_thread_id)
		sev._sigev_un._tid = e->notify_thread_id;
	for (tries = 0; tries < TIMER_ID_TRIES && id != (int)e->it_id; tries++) {
		int want = e->it_id;

		r = infect_poke(inf, inf->scratch, &sev, sizeof(sev)) ?:
		    infect_poke(inf, inf->scratch + sizeof(sev), &want, sizeof(want));
		if (!r)
			r = infect_call(inf, "create a POSIX timer", NR_timer_create, e->clock_id,
					inf->scratch, inf->scratch + sizeof(sev), 0, 0, 0);
		if (!r)
			r = infect_peek(inf, inf->scratch + sizeof(sev), &id, sizeof(id));
		if (r < 0)
			return r;
		/* without exact ids, ids come in order: burn the ones below */
		if (id != (int)e->it_id && (exact_ids || id > (int)e->it_id ||
		    infect_call(inf, "delete a POSIX timer", NR_timer_delete, id, 0, 0, 0, 0, 0) < 0))
			break;
	}
	if (id != (int)e->it_id)
		return log_err(-EEXIST, "Failed to recreate POSIX timer %u in task %d (got id %d)",
			       e->it_id, inf->tid, id);
	return 0;
}

static int set_posix_timer(struct infect *inf, const PosixTimerEntry *e, bool exact_ids)
{
	struct itimerspec its = {
		.it_interval = { e->isec, e->insec },
		.it_value = { e->vsec, e->vnsec },
	};
	long r = create_timer(inf, e, exact_ids);

	if (r < 0 || (!e->vsec && !e->vnsec))
		return r;
	r = infect_poke(inf, inf->scratch, &its, sizeof(its));
	if (!r)
		r = infect_call(inf, "arm a POSIX timer", NR_timer_settime, e->it_id, 0,
				inf->scratch, 0, 0, 0);
	return r < 0 ? r : 0;
}

int rst_timers(struct infect *inf, const TaskCoreEntry *tc)
{
	const TaskTimersEntry *t = tc->timers;
	bool exact = false;
	size_t i;
	int err;

	if (!t)
		return 0;
	if (t->n_posix) {
		long r = infect_call(inf, "ask for exact timer ids", NR_prctl,
				     PR_TIMER_CREATE_RESTORE_IDS, RESTORE_IDS_ON, 0, 0, 0, 0);

		exact = r == 0;
	}
	for (i = 0; i < t->n_posix; i++) {
		err = set_posix_timer(inf, t->posix[i], exact);
		if (err)
			return err;
	}
	if (exact)
		infect_call(inf, "end exact timer ids", NR_prctl, PR_TIMER_CREATE_RESTORE_IDS, 0, 0, 0,
			    0, 0);
	return set_itimer(inf, ITIMER_REAL, t->real) ?: set_itimer(inf, ITIMER_VIRTUAL, t->virt) ?:
	       set_itimer(inf, ITIMER_PROF, t->prof);
}

/* Queue @q's signals again: process-wide from the leader, or to one thread. */
int rst_pending(struct infect *inf, pid_t tgid, const SignalQueueEntry *q, bool shared)
{
	size_t i;

	for (i = 0; q && i < q->n_signals; i++) {
		const ProtobufCBinaryData *b = &q->signals[i]->siginfo;
		siginfo_t si;
		long r;

		if (b->len != sizeof(si))
			return log_err(-EINVAL, "core-%d.img: siginfo of %zu bytes", inf->tid, b->len);
		memcpy(&si, b->data, sizeof(si));
		r = infect_poke(inf, inf->scratch, &si, sizeof(si));
		if (r)
			return r;
		/* sent by the task to itself, so any si_code is allowed */
		if (shared)
			r = infect_call(inf, "queue a signal", NR_rt_sigqueueinfo, tgid, si.si_signo,
					inf->scratch, 0, 0, 0);
		else
			r = infect_call(inf, "queue a signal", NR_rt_tgsigqueueinfo, tgid, inf->tid,
					si.si_signo, inf->scratch, 0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}
