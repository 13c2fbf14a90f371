// SPDX-License-Identifier: GPL-2.0-only
/*
 * POSIX timers and itimers back into a task, with their ids, remaining time
 * and interval, overrun count, and their signal if it was pending.
 *
 * timer_getoverrun() reports the overruns counted when the timer's last
 * signal was delivered, and timer_settime() clears it; no syscall sets it.
 * So a periodic timer with overruns is armed, absolute, as if it had
 * expired (overrun + 1) intervals before its next expiry, and its signal is
 * taken at once inside the task: the kernel counts exactly those overruns
 * and rearms the timer at the dumped remaining time. A timer whose signal
 * was pending is made to expire once more, so that the pending signal is
 * its own again (one signal, overruns counting on) rather than a copy.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <asm/syscall-nr.h>

#include "log.h"
#include "restore.h"
#include "restore_sig.h"

/* timer_create() takes the id it is given (Linux 6.17+): exact restores */
#define PR_TIMER_CREATE_RESTORE_IDS	77
#define RESTORE_IDS_ON			1
#define RESTORE_IDS_OFF			0
#define TIMER_ID_TRIES			4096
#define NSEC				1000000000LL
/* a timer with a pending signal expires again this soon after its restore */
#define REFIRE_NS			(10 * 1000 * 1000LL)
#define SIG_WAIT_MS			2000

struct timer_arg {
	const PosixTimerEntry *e;
	int64_t t0;			/* absolute first expiry to arm */
	bool take;			/* take its signal: overruns counted */
};

static bool hrtimer_clock(uint32_t clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME ||
	       clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM || clk == CLOCK_TAI;
}

static bool is_timer_signal(const siginfo_t *si, const PosixTimerEntry *e)
{
	return si->si_code == SI_TIMER && si->si_signo == (int)e->si_signo &&
	       si->si_timerid == (int)e->it_id;
}

bool rst_timer_signal(const TaskCoreEntry *tc, const siginfo_t *si)
{
	size_t i;

	for (i = 0; tc->timers && i < tc->timers->n_posix; i++)
		if (is_timer_signal(si, tc->timers->posix[i]))
			return true;
	return false;
}

/* The thread a timer's signals go to: its target, or the leader. */
static int timer_thread(const struct rst_task *t, const PosixTimerEntry *e)
{
	int i;

	if (!(e->it_sigev_notify & SIGEV_THREAD_ID))
		return 0;
	for (i = 0; i < t->nr_threads; i++)
		if (t->threads[i] == e->notify_thread_id)
			return i;
	return -1;
}

static bool timer_pending(const struct rst_task *t, const PosixTimerEntry *e)
{
	int th = timer_thread(t, e);
	const SignalQueueEntry *q;
	size_t i;

	if (th < 0 || !t->cores[th]->thread_core)
		return false;
	q = e->it_sigev_notify & SIGEV_THREAD_ID ? t->cores[th]->thread_core->signals_p :
						   t->cores[0]->tc->signals_s;
	for (i = 0; q && i < q->n_signals; i++) {
		siginfo_t si;

		if (q->signals[i]->siginfo.len != sizeof(si))
			continue;
		memcpy(&si, q->signals[i]->siginfo.data, sizeof(si));
		if (is_timer_signal(&si, e))
			return true;
	}
	return false;
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

static int settime(struct infect *inf, const PosixTimerEntry *e, int flags, int64_t value)
{
	struct itimerspec its = {
		.it_interval = { e->isec, e->insec },
		.it_value = { value / NSEC, value % NSEC },
	};
	long r = infect_poke(inf, inf->scratch, &its, sizeof(its));

	if (!r)
		r = infect_call(inf, "arm a POSIX timer", NR_timer_settime, e->it_id, flags,
				inf->scratch, 0, 0, 0);
	return r < 0 ? r : 0;
}

/* The task's clock @clk now, in ns (its time namespace, not ours). */
static int64_t task_clock(struct infect *inf, uint32_t clk)
{
	struct timespec ts;
	long r = infect_call(inf, "read a clock", NR_clock_gettime, clk, inf->scratch, 0, 0, 0, 0);

	if (!r)
		r = infect_peek(inf, inf->scratch, &ts, sizeof(ts));
	return r < 0 ? r : ts.tv_sec * NSEC + ts.tv_nsec;
}

/* Take the timer's first signal in the thread it goes to: overruns counted. */
static int take_signal(struct infect *inf, const PosixTimerEntry *e)
{
	struct timespec wait = { SIG_WAIT_MS / 1000, 0 };
	uint64_t set = 1ULL << (e->si_signo - 1);
	unsigned long si_at = inf->scratch + 64;
	int tries;

	for (tries = 0; tries < 16; tries++) {
		siginfo_t si;
		long r = infect_poke(inf, inf->scratch, &set, sizeof(set)) ?:
			 infect_poke(inf, inf->scratch + 32, &wait, sizeof(wait));

		if (!r)
			r = infect_call(inf, "take a timer signal", NR_rt_sigtimedwait, inf->scratch,
					si_at, inf->scratch + 32, 8, 0, 0);
		if (r >= 0)
			r = infect_peek(inf, si_at, &si, sizeof(si));
		if (r < 0)
			return r;
		if (is_timer_signal(&si, e))
			return 0;
		pr_debug("Task %d: took signal %d of another timer (%d)", inf->tid, si.si_signo,
			 si.si_timerid);
	}
	return log_err(-EAGAIN, "Failed to take the signal of POSIX timer %u in task %d",
		       e->it_id, inf->tid);
}

static int arm_abs(struct infect *inf, const void *arg)
{
	const struct timer_arg *a = arg;
	int err = settime(inf, a->e, TIMER_ABSTIME, a->t0);

	if (err || !a->take)
		return err;
	err = take_signal(inf, a->e);
	if (err)
		return err;
	if (infect_call(inf, "read a timer overrun", NR_timer_getoverrun, a->e->it_id, 0, 0, 0,
			0, 0) != (long)a->e->overrun)
		pr_warn("Task %d: POSIX timer %u lost its overrun count %u, ignoring", inf->tid,
			a->e->it_id, a->e->overrun);
	return 0;
}

/*
 * Wait until signal @signo (of POSIX timer @timer_id, or -1) is queued for
 * @tid or (@shared) its process: a timer armed to fire raised it itself.
 */
static int wait_signal(pid_t tid, bool shared, int signo, int timer_id)
{
	struct __ptrace_peeksiginfo_args pa = { 0, shared ? PTRACE_PEEKSIGINFO_SHARED : 0, 1 };
	int ms;

	for (ms = 0; ms < SIG_WAIT_MS; ms++) {
		siginfo_t si;
		long n;

		for (pa.off = 0; (n = ptrace(PTRACE_PEEKSIGINFO, tid, &pa, &si)) == 1; pa.off++)
			if (si.si_signo == signo && (timer_id < 0 || (si.si_code == SI_TIMER &&
						     si.si_timerid == timer_id)))
				return 0;
		if (n < 0)
			return log_perr(-errno, "Failed to peek the signals of %d", tid);
		usleep(1000);
	}
	return log_err(-ETIMEDOUT, "Task %d: a timer did not raise signal %d", tid, signo);
}

static bool takes_signal(const PosixTimerEntry *e)
{
	int64_t iv = e->isec * NSEC + e->insec, v = e->vsec * NSEC + e->vnsec;

	/* overruns are counted for periodic timers whose last signal was delivered */
	return e->overrun && iv && v <= iv && hrtimer_clock(e->clock_id) &&
	       (e->it_sigev_notify & ~SIGEV_THREAD_ID) == SIGEV_SIGNAL;
}

static int arm_timer(struct rst_task *t, const PosixTimerEntry *e)
{
	int64_t iv = e->isec * NSEC + e->insec, v = e->vsec * NSEC + e->vnsec, now;
	bool pend = timer_pending(t, e) && hrtimer_clock(e->clock_id);
	struct timer_arg a = { e, 0, takes_signal(e) };
	int th = timer_thread(t, e), err;

	if (th < 0)
		return log_err(-EINVAL, "POSIX timer %u of task %d targets thread %d, not in it",
			       e->it_id, t->pid, e->notify_thread_id);
	if (e->overrun && !a.take)
		pr_warn("Task %d: POSIX timer %u comes back without its overrun count, ignoring",
			t->pid, e->it_id);
	if (!a.take && !pend)
		return v ? settime(&t->inf, e, 0, v) : 0;
	now = task_clock(&t->inf, e->clock_id);
	if (now < 0)
		return now;
	if (pend)
		v = iv && iv < 2 * REFIRE_NS ? iv / 2 : REFIRE_NS;
	a.t0 = now + v - (a.take ? (int64_t)(e->overrun + 1) * iv : 0);
	if (a.t0 <= 0) {
		pr_warn("Task %d: POSIX timer %u: clock too young for %u overruns, ignoring",
			t->pid, e->it_id, e->overrun);
		a.take = false;
		a.t0 = now + v;
	}
	err = rst_in_thread(t, t->threads[th], arm_abs, &a);
	return err ?: pend ? wait_signal(t->hthreads[th], !(e->it_sigev_notify & SIGEV_THREAD_ID),
					 e->si_signo, e->it_id) : 0;
}

static int set_itimer(struct infect *inf, int which, const ItimerEntry *e)
{
	struct itimerval v;
	bool fired;
	long r;

	if (!e || (!e->vsec && !e->vusec && (which != ITIMER_REAL || (!e->isec && !e->iusec))))
		return 0;
	v.it_interval.tv_sec = e->isec;
	v.it_interval.tv_usec = e->iusec;
	v.it_value.tv_sec = e->vsec;
	v.it_value.tv_usec = e->vusec;
	/*
	 * Only an interval left: ITIMER_REAL fired and waits for its SIGALRM to
	 * be taken to rearm. setitimer() cannot set that state, a timer that
	 * fires at once does; the SIGALRM it raises stands for the pending one.
	 */
	fired = !v.it_value.tv_sec && !v.it_value.tv_usec;
	if (fired)
		v.it_value.tv_usec = 1;
	r = infect_poke(inf, inf->scratch, &v, sizeof(v));
	if (!r)
		r = infect_call(inf, "set an itimer", NR_setitimer, which, inf->scratch, 0, 0, 0, 0);
	if (r < 0)
		return r;
	return fired ? wait_signal(inf->tid, true, SIGALRM, -1) : 0;
}

static int create_timers(struct infect *inf, const TaskTimersEntry *tt)
{
	bool exact;
	size_t i;
	int err = 0;

	const unsigned long on[6] = { PR_TIMER_CREATE_RESTORE_IDS, RESTORE_IDS_ON };
	long r;

	err = infect_syscall(inf, &r, NR_prctl, on);
	if (err)
		return err;
	/* older kernels: -EINVAL, and ids are handed out in order */
	exact = r == 0;
	if (!exact)
		pr_debug("Task %d: no exact timer ids (%ld), creating them in order", inf->tid, r);
	for (i = 0; !err && i < tt->n_posix; i++)
		err = create_timer(inf, tt->posix[i], exact);
	if (exact && infect_call(inf, "end exact timer ids", NR_prctl,
				 PR_TIMER_CREATE_RESTORE_IDS, RESTORE_IDS_OFF, 0, 0, 0, 0) < 0 && !err)
		err = -EINVAL;
	return err;
}

int rst_timers(struct rst_task *t)
{
	const TaskTimersEntry *tt = t->cores[0]->tc->timers;
	struct infect *inf = &t->inf;
	size_t i;
	int pass, err = 0;

	if (!tt)
		return 0;
	if (tt->n_posix)
		err = create_timers(inf, tt);
	/* timers whose signal is taken first: no other timer runs to get in the way */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; !err && i < tt->n_posix; i++)
			if (takes_signal(tt->posix[i]) == !pass)
				err = arm_timer(t, tt->posix[i]);
	return err ?: set_itimer(inf, ITIMER_REAL, tt->real) ?:
	       set_itimer(inf, ITIMER_VIRTUAL, tt->virt) ?: set_itimer(inf, ITIMER_PROF, tt->prof);
}
