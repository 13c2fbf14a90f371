// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timers across checkpoint/restore: the three itimers (intervals exact,
 * remaining time sane, signals keep coming), POSIX timers with SIGEV_SIGNAL
 * and a value, SIGEV_THREAD_ID to one thread, SIGEV_NONE, a disarmed one, one
 * on the process CPU clock;
 * ids kept (with a hole), remaining time and interval, the overrun count of
 * a timer whose signal waited blocked, and that signal itself still pending.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

#define MS		1000000L
#define SIG_PLAIN	(SIGRTMIN + 4)
#define SIG_OVR		(SIGRTMIN + 5)
#define SIG_THR		(SIGRTMIN + 6)
#define SIG_CPU		(SIGRTMIN + 7)

enum { T_PLAIN, T_GAP, T_OVR, T_THR, T_NONE, T_IDLE, T_LONG, T_CPU, NT };

static timer_t tm[NT];
static struct itimerspec before[NT];
static int overrun_before;
static volatile int alrm, vtalrm, prof, plain_runs, plain_bad, thr_runs, thr_wrong,
		    cpu_runs, cpu_bad;
static volatile int go_thread, thread_ready;
static pid_t thr_tid;

static void on_itimer(int sig)
{
	if (sig == SIGALRM)
		alrm++;
	else if (sig == SIGVTALRM)
		vtalrm++;
	else
		prof++;
}

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIG_PLAIN) {
		plain_runs++;
		if (si->si_code != SI_TIMER || si->si_value.sival_int != 0x1234 ||
		    si->si_timerid != (int)(intptr_t)tm[T_PLAIN])
			plain_bad++;
	} else if (sig == SIG_CPU) {
		cpu_runs++;
		if (si->si_timerid != (int)(intptr_t)tm[T_CPU] || si->si_value.sival_int != 3)
			cpu_bad++;
	} else {
		thr_runs++;
		if (gettid() != thr_tid || si->si_value.sival_int != 77)
			thr_wrong++;
	}
}

static void handle(int sig, void (*h)(int), void (*a)(int, siginfo_t *, void *))
{
	struct sigaction sa = { .sa_flags = SA_RESTART };

	if (a) {
		sa.sa_sigaction = a;
		sa.sa_flags |= SA_SIGINFO;
	} else {
		sa.sa_handler = h;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void make_timer(int i, clockid_t clk, int notify, int sig, int val, pid_t tid)
{
	struct sigevent sev = { .sigev_notify = notify, .sigev_signo = sig };

	sev.sigev_value.sival_int = val;
	sev._sigev_un._tid = tid;
	if (timer_create(clk, &sev, &tm[i]))
		wl_fail("timer_create %d: %s", i, strerror(errno));
}

static void arm(int i, long value_ns, long interval_ns)
{
	struct itimerspec its = {
		.it_value = { value_ns / 1000000000L, value_ns % 1000000000L },
		.it_interval = { interval_ns / 1000000000L, interval_ns % 1000000000L },
	};

	timer_settime(tm[i], 0, &its, NULL);
}

static void burn(void)
{
	for (volatile int i = 0; i < 200000; i++)
		;
}

static void *thread_main(void *arg)
{
	sigset_t m;

	(void)arg;
	thr_tid = gettid();
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIG_OVR);
	sigaddset(&m, SIG_PLAIN);
	pthread_sigmask(SIG_SETMASK, &m, NULL);
	thread_ready = 1;
	while (!go_thread)
		pause();
	return NULL;
}

static int64_t ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* wait until SIG_OVR fired and two more periods passed, then take it */
static void make_overrun(void)
{
	struct timespec zero = { 0, 0 }, t0, t;
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIG_OVR);
	arm(T_OVR, 20 * MS, 100 * MS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct timespec ts = { 0, 5 * MS };

		nanosleep(&ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (ns(&t) - ns(&t0) < 20 * MS + 250 * MS);
	if (sigtimedwait(&set, &si, &zero) != SIG_OVR)
		wl_fail("the overrun timer did not fire");
	overrun_before = timer_getoverrun(tm[T_OVR]);
	wl_check(overrun_before >= 2, "overrun %d before the dump", overrun_before);
}

static void setup(void)
{
	struct itimerval real = { { 0, 100000 }, { 0, 100000 } };
	struct itimerval cpu = { { 0, 10000 }, { 0, 10000 } };

	handle(SIGALRM, on_itimer, NULL);
	handle(SIGVTALRM, on_itimer, NULL);
	handle(SIGPROF, on_itimer, NULL);
	handle(SIG_PLAIN, NULL, on_timer);
	handle(SIG_THR, NULL, on_timer);
	handle(SIG_CPU, NULL, on_timer);
	setitimer(ITIMER_REAL, &real, NULL);
	setitimer(ITIMER_VIRTUAL, &cpu, NULL);
	cpu.it_interval.tv_usec = 20000;
	setitimer(ITIMER_PROF, &cpu, NULL);
	make_timer(T_PLAIN, CLOCK_MONOTONIC, SIGEV_SIGNAL, SIG_PLAIN, 0x1234, 0);
	make_timer(T_GAP, CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
	make_timer(T_OVR, CLOCK_MONOTONIC, SIGEV_SIGNAL, SIG_OVR, 99, 0);
	make_timer(T_THR, CLOCK_MONOTONIC, SIGEV_THREAD_ID, SIG_THR, 77, thr_tid);
	make_timer(T_NONE, CLOCK_REALTIME, SIGEV_NONE, 0, 0, 0);
	make_timer(T_IDLE, CLOCK_BOOTTIME, SIGEV_SIGNAL, SIG_PLAIN, 5, 0);
	make_timer(T_LONG, CLOCK_MONOTONIC, SIGEV_SIGNAL, SIG_PLAIN, 0x1234, 0);
	make_timer(T_CPU, CLOCK_PROCESS_CPUTIME_ID, SIGEV_SIGNAL, SIG_CPU, 3, 0);
	timer_delete(tm[T_GAP]);	/* a hole in the ids */
	arm(T_PLAIN, 50 * MS, 50 * MS);
	arm(T_THR, 30 * MS, 30 * MS);
	arm(T_NONE, 1000000 * MS, 7000 * MS);
	arm(T_LONG, 500000 * MS, 0);
	arm(T_CPU, 15 * MS, 15 * MS);
}

/* the same timer (same id) with the same interval and a sane remaining time */
static void check_timer(int i, struct timespec *since)
{
	struct itimerspec now;
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!wl_check(!timer_gettime(tm[i], &now), "timer %d: %s", i, strerror(errno)))
		return;
	wl_check(ns(&now.it_interval) == ns(&before[i].it_interval),
		 "timer %d: interval %lld, was %lld", i, (long long)ns(&now.it_interval),
		 (long long)ns(&before[i].it_interval));
	if (i == T_IDLE) {
		wl_check(!ns(&now.it_value), "timer %d got armed", i);
		return;
	}
	wl_check(ns(&now.it_value) > 0, "timer %d: disarmed", i);
	if (i == T_CPU)		/* CPU time: samples, see check_itimer() */
		wl_check(ns(&now.it_value) <= ns(&now.it_interval) + 50 * MS,
			 "timer %d: %lld ns left", i, (long long)ns(&now.it_value));
	else if (ns(&before[i].it_value) > ns(&before[i].it_interval))
		wl_check(ns(&now.it_value) <= ns(&before[i].it_value) &&
			 ns(&now.it_value) > ns(&before[i].it_value) - (ns(&t) - ns(since)) - 1000 * MS,
			 "timer %d: %lld ns left, was %lld", i, (long long)ns(&now.it_value),
			 (long long)ns(&before[i].it_value));
	else
		wl_check(ns(&now.it_value) <= ns(&now.it_interval), "timer %d: %lld ns left", i,
			 (long long)ns(&now.it_value));
}

/*
 * CPU-time itimers sample a user/system split the kernel rescales: what is
 * left may show more than an interval. Real time is exact.
 */
static void check_itimer(int which, long interval_us, long slack_us)
{
	struct itimerval v;

	getitimer(which, &v);
	wl_check(v.it_interval.tv_sec == 0 && v.it_interval.tv_usec == interval_us,
		 "itimer %d: interval %ld us", which, (long)v.it_interval.tv_usec);
	wl_check(v.it_value.tv_sec == 0 && v.it_value.tv_usec > 0 &&
		 v.it_value.tv_usec <= interval_us + slack_us, "itimer %d: %ld us left", which,
		 (long)v.it_value.tv_usec);
}

static int take_ovr(siginfo_t *si, const struct timespec *wait)
{
	sigset_t set;
	int sig, tries = 0;

	sigemptyset(&set);
	sigaddset(&set, SIG_OVR);
	/* the other timers' handlers interrupt the wait: EINTR is no answer */
	do
		sig = sigtimedwait(&set, si, wait);
	while (sig < 0 && errno == EINTR && ++tries < 1000);
	return sig;
}

/*
 * The overrun count of the last delivery; the signal pending since the dump
 * is the timer's own: one signal only, however long it waits, counting
 * overruns on; once taken, the timer runs again.
 */
static void check_overrun(void)
{
	struct timespec zero = { 0, 0 }, wait = { 2, 0 }, t0, t;
	siginfo_t si;
	int sig;

	wl_check(timer_getoverrun(tm[T_OVR]) == overrun_before, "overrun %d, was %d",
		 timer_getoverrun(tm[T_OVR]), overrun_before);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct timespec ts = { 0, 10 * MS };

		nanosleep(&ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (ns(&t) - ns(&t0) < 250 * MS);
	for (int k = 0; k < 2; k++) {
		sig = take_ovr(&si, &wait);
		if (wl_check(sig == SIG_OVR, "no overrun signal %d", k))
			wl_check(si.si_code == SI_TIMER && si.si_value.sival_int == 99 &&
				 si.si_timerid == (int)(intptr_t)tm[T_OVR],
				 "overrun signal %d: code %d value %d", k, si.si_code,
				 si.si_value.sival_int);
		if (k)
			break;
		wl_check(timer_getoverrun(tm[T_OVR]) >= 2, "overrun %d after 250 ms pending",
			 timer_getoverrun(tm[T_OVR]));
		wl_check(take_ovr(&si, &zero) < 0, "two overrun signals were pending");
	}
}

/* every timer signal keeps coming: bounded wait for a few more of each */
static void check_signals_come(void)
{
	int a = alrm, v = vtalrm, p = prof, pl = plain_runs, th = thr_runs, c = cpu_runs;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		burn();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((alrm < a + 3 || vtalrm < v + 3 || prof < p + 3 || plain_runs < pl + 3 ||
		  thr_runs < th + 3 || cpu_runs < c + 3) && ns(&t) - ns(&t0) < 10000 * MS);
	wl_check(alrm >= a + 3, "SIGALRM stopped (%d)", alrm - a);
	wl_check(vtalrm >= v + 3, "SIGVTALRM stopped (%d)", vtalrm - v);
	wl_check(prof >= p + 3, "SIGPROF stopped (%d)", prof - p);
	wl_check(plain_runs >= pl + 3, "the SIGEV_SIGNAL timer stopped (%d)", plain_runs - pl);
	wl_check(thr_runs >= th + 3, "the SIGEV_THREAD_ID timer stopped (%d)", thr_runs - th);
	wl_check(cpu_runs >= c + 3, "the CPU-time timer stopped (%d)", cpu_runs - c);
	wl_check(!cpu_bad, "CPU-time timer: %d bad siginfos", cpu_bad);
	wl_check(!plain_bad, "SIGEV_SIGNAL timer: %d bad siginfos", plain_bad);
	wl_check(!thr_wrong, "SIGEV_THREAD_ID timer: %d signals to the wrong thread", thr_wrong);
}

/*
 * A child whose ITIMER_REAL fired with SIGALRM blocked: what is left is 0,
 * the interval stays, and the kernel rearms the timer when the pending
 * SIGALRM is taken. Exit status: 0 pass, else the failed step.
 */
static pid_t alarm_child(void)
{
	struct itimerval v = { { 0, 50000 }, { 0, 10000 } };
	struct timespec wait = { 2, 0 };
	sigset_t set, pend;
	pid_t p = fork();
	int k;

	if (p)
		return p;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	setitimer(ITIMER_REAL, &v, NULL);
	do {
		struct timespec ts = { 0, MS };

		nanosleep(&ts, NULL);
		sigpending(&pend);
	} while (!sigismember(&pend, SIGALRM));
	wl_wait();
	getitimer(ITIMER_REAL, &v);
	if (v.it_interval.tv_sec || v.it_interval.tv_usec != 50000 || v.it_value.tv_usec)
		_exit(2);
	for (k = 0; k < 2; k++) {
		int sig;

		do
			sig = sigtimedwait(&set, NULL, &wait);
		while (sig < 0 && errno == EINTR);
		if (sig != SIGALRM)
			_exit(3 + k);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	struct timespec since;
	pthread_t t;
	sigset_t m;
	pid_t kid, r;
	int i, st = 0;

	wl_init(argc, argv);
	sigemptyset(&m);
	sigaddset(&m, SIG_OVR);
	sigaddset(&m, SIG_THR);
	pthread_sigmask(SIG_SETMASK, &m, NULL);
	pthread_create(&t, NULL, thread_main, NULL);
	while (!thread_ready)
		sched_yield();
	setup();
	kid = alarm_child();
	make_overrun();
	for (i = 0; i < NT; i++)
		if (i != T_GAP)
			timer_gettime(tm[i], &before[i]);
	clock_gettime(CLOCK_MONOTONIC, &since);
	wl_ready();
	wl_wait();
	for (i = 0; i < NT; i++)
		if (i != T_GAP)
			check_timer(i, &since);
	check_itimer(ITIMER_REAL, 100000, 0);
	check_itimer(ITIMER_VIRTUAL, 10000, 50000);
	check_itimer(ITIMER_PROF, 20000, 50000);
	check_overrun();
	check_signals_come();
	kill(kid, SIGUSR2);
	r = waitpid(kid, &st, 0);
	wl_check(r == kid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "child with a pending SIGALRM: %d, status %#x: %s", r, st, strerror(errno));
	go_thread = 1;
	pthread_kill(t, SIGUSR2);
	pthread_join(t, NULL);
	return wl_done();
}
