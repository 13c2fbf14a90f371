// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signal state across checkpoint/restore: every sigaction (handler, flags,
 * mask, restorer) exactly as the kernel holds it, ignored and default
 * dispositions, per-thread blocked masks and sigaltstacks, pending signals
 * of the process and of single threads with their siginfo (sigqueue values,
 * kill and tgkill senders, several queued real-time signals in order). After
 * the restore the handlers must run, on the alternate stack where asked.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

#define NTHREADS	2
#define STK		(64 << 10)

struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

static struct ksigaction before[65];
static volatile int go_threads;
static pthread_t th[NTHREADS];
static pid_t th_tid[NTHREADS];
static volatile int th_ready[NTHREADS];

/* what the handlers saw, per thread */
static __thread volatile int usr1_runs, usr1_code, usr1_val, usr1_onstack;
static __thread char *alt_lo;
static volatile int hup_runs, hup_self_blocked, hup_mask_ok;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	char here;

	(void)sig;
	(void)uc;
	usr1_runs++;
	usr1_code = si->si_code;
	usr1_val = si->si_value.sival_int;
	usr1_onstack = alt_lo && &here >= alt_lo && &here < alt_lo + STK;
}

static void on_hup(int sig)
{
	sigset_t cur;

	(void)sig;
	hup_runs++;
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	hup_self_blocked = sigismember(&cur, SIGHUP);
	hup_mask_ok = sigismember(&cur, SIGWINCH);
}

static void on_nothing(int sig)
{
	(void)sig;
}

static void read_all(struct ksigaction *ka)
{
	for (int s = 1; s <= 64; s++)
		if (s != SIGKILL && s != SIGSTOP)
			syscall(SYS_rt_sigaction, s, NULL, &ka[s], 8);
}

static void set_action(int sig, void (*h)(int), int flags, int masked)
{
	struct sigaction sa = { .sa_handler = h, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	if (masked)
		sigaddset(&sa.sa_mask, masked);
	sigaction(sig, &sa, NULL);
}

static void setup_actions(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1,
				.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK };

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGRTMIN + 9);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGUSR1, &sa, NULL);
	set_action(SIGHUP, on_hup, SA_NODEFER | SA_RESETHAND, SIGWINCH);
	set_action(SIGPIPE, SIG_IGN, 0, 0);
	set_action(SIGURG, SIG_IGN, SA_RESTART, 0);
	set_action(SIGWINCH, on_nothing, SA_NOCLDSTOP, SIGPIPE);
	set_action(SIGRTMIN + 9, on_nothing, SA_RESTART | SA_NODEFER, SIGRTMIN + 10);
	set_action(SIGTERM, SIG_DFL, 0, 0);
}

static void altstack(void)
{
	stack_t ss = { .ss_size = STK };

	alt_lo = ss.ss_sp = malloc(STK);
	sigaltstack(&ss, NULL);
}

static bool altstack_is(const char *lo, size_t size, int flags)
{
	stack_t ss;

	if (sigaltstack(NULL, &ss))
		return false;
	return (char *)ss.ss_sp == lo && ss.ss_size == size && ss.ss_flags == flags;
}

/*
 * sigtimedwait for @sig now; checks sender, code and value. The raw syscall:
 * glibc's wrapper reports SI_TKILL as SI_USER.
 */
static const char *take(int sig, int code, int val)
{
	static __thread char why[128];
	struct timespec zero = { 0, 0 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, sig);
	if (syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8) != sig)
		snprintf(why, sizeof(why), "signal %d (value %d) not pending", sig, val);
	else if (si.si_code != code || si.si_pid != getpid() || si.si_uid != getuid())
		snprintf(why, sizeof(why), "signal %d: code %d pid %d, want %d %d", sig,
			 si.si_code, si.si_pid, code, getpid());
	else if (code == SI_QUEUE && si.si_value.sival_int != val)
		snprintf(why, sizeof(why), "signal %d: value %d, want %d", sig,
			 si.si_value.sival_int, val);
	else
		return NULL;
	return why;
}

static bool nothing_pending(int sig)
{
	sigset_t set;

	sigpending(&set);
	return !sigismember(&set, sig);
}

static void thread_mask(int i, sigset_t *m)
{
	sigemptyset(m);
	/* shared pending signals stay pending: every thread blocks them */
	sigaddset(m, SIGRTMIN + 1);
	sigaddset(m, SIGQUIT);
	sigaddset(m, SIGUSR2);
	sigaddset(m, SIGRTMIN + 3 + i);
	sigaddset(m, i ? SIGTSTP : SIGTTIN);
}

static void *thread_main(void *arg)
{
	int i = (intptr_t)arg;
	const char *err = NULL;
	sigset_t m, now;

	th_tid[i] = gettid();
	if (i == 0)
		altstack();
	thread_mask(i, &m);
	pthread_sigmask(SIG_SETMASK, &m, NULL);
	th_ready[i] = 1;
	while (!go_threads) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	for (int s = 1; s <= 64 && !err; s++)
		if (sigismember(&m, s) != sigismember(&now, s))
			err = "thread mask differs";
	if (!err && i == 0 && !altstack_is(alt_lo, STK, 0))
		err = "thread 0: sigaltstack differs";
	if (!err && i == 1 && !altstack_is(NULL, 0, SS_DISABLE))
		err = "thread 1: has a sigaltstack";
	/* its own queue: two values in order, then a tgkill */
	if (!err && i == 0)
		err = take(SIGRTMIN + 3, SI_QUEUE, 201) ?: take(SIGRTMIN + 3, SI_QUEUE, 202) ?:
		      take(SIGTTIN, SI_TKILL, 0);
	if (!err && i == 1 && !nothing_pending(SIGRTMIN + 3))
		err = "thread 1 sees thread 0's signal";
	if (!err && i == 1 && !nothing_pending(SIGRTMIN + 2))
		err = "thread 1 sees the main thread's signal";
	/* the SA_ONSTACK handler on this thread's own alternate stack */
	if (!err && i == 0) {
		pthread_kill(pthread_self(), SIGUSR1);
		if (usr1_runs != 1 || !usr1_onstack || usr1_code != SI_TKILL)
			err = "thread 0: SIGUSR1 handler not run on the alternate stack";
	}
	return (void *)err;
}

static void queue_pending(void)
{
	union sigval v;

	/* process-wide: three real-time values in order and a kill() */
	for (v.sival_int = 101; v.sival_int <= 103; v.sival_int++)
		sigqueue(getpid(), SIGRTMIN + 1, v);
	kill(getpid(), SIGQUIT);
	/* thread 0's own, and the main thread's own */
	v.sival_int = 201;
	pthread_sigqueue(th[0], SIGRTMIN + 3, v);
	v.sival_int = 202;
	pthread_sigqueue(th[0], SIGRTMIN + 3, v);
	syscall(SYS_tgkill, getpid(), th_tid[0], SIGTTIN);
	v.sival_int = 301;
	pthread_sigqueue(pthread_self(), SIGRTMIN + 2, v);
	raise(SIGINT);
}

static void check_actions(void)
{
	struct ksigaction after[65];

	read_all(after);
	for (int s = 1; s <= 64; s++)
		if (s != SIGKILL && s != SIGSTOP)
			wl_check(!memcmp(&before[s], &after[s], sizeof(after[s])),
				 "sigaction %d: %#lx/%#lx/%#lx/%#lx, was %#lx/%#lx/%#lx/%#lx", s,
				 (long)after[s].handler, (long)after[s].flags,
				 (long)after[s].restorer, (long)after[s].mask,
				 (long)before[s].handler, (long)before[s].flags,
				 (long)before[s].restorer, (long)before[s].mask);
}

static void check_main_pending(void)
{
	const char *err;

	err = take(SIGRTMIN + 1, SI_QUEUE, 101) ?: take(SIGRTMIN + 1, SI_QUEUE, 102) ?:
	      take(SIGRTMIN + 1, SI_QUEUE, 103) ?: take(SIGQUIT, SI_USER, 0) ?:
	      take(SIGRTMIN + 2, SI_QUEUE, 301) ?: take(SIGINT, SI_TKILL, 0);
	wl_check(!err, "main thread: %s", err ?: "");
	wl_check(nothing_pending(SIGRTMIN + 1), "a fourth SIGRTMIN+1 is pending");
}

static void check_handlers(void)
{
	struct sigaction sa;
	union sigval v = { .sival_int = 55 };

	sigqueue(getpid(), SIGUSR1, v);
	wl_check(usr1_runs == 1 && usr1_code == SI_QUEUE && usr1_val == 55,
		 "SIGUSR1 handler: %d runs, code %d, value %d", usr1_runs, usr1_code, usr1_val);
	wl_check(usr1_onstack, "SIGUSR1 handler not on the alternate stack");
	raise(SIGHUP);
	wl_check(hup_runs == 1, "SIGHUP handler ran %d times", hup_runs);
	wl_check(!hup_self_blocked, "SA_NODEFER: SIGHUP blocked in its handler");
	wl_check(hup_mask_ok, "sa_mask: SIGWINCH not blocked in the SIGHUP handler");
	sigaction(SIGHUP, NULL, &sa);
	wl_check(sa.sa_handler == SIG_DFL, "SA_RESETHAND: SIGHUP still has a handler");
	raise(SIGPIPE);
	raise(SIGURG);
	wl_check(altstack_is(alt_lo, STK, 0), "main thread: sigaltstack differs");
}

int main(int argc, char **argv)
{
	sigset_t m, now;
	int i;

	wl_init(argc, argv);
	setup_actions();
	altstack();
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, thread_main, (void *)(intptr_t)i);
	for (i = 0; i < NTHREADS; i++)
		while (!th_ready[i])
			sched_yield();
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN + 1);
	sigaddset(&m, SIGRTMIN + 2);
	sigaddset(&m, SIGQUIT);
	sigaddset(&m, SIGINT);
	pthread_sigmask(SIG_SETMASK, &m, NULL);
	queue_pending();
	read_all(before);
	wl_ready();
	wl_wait();
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	for (int s = 1; s <= 64; s++)
		wl_check(sigismember(&m, s) == sigismember(&now, s), "main mask: signal %d", s);
	wl_check(usr1_runs == 0 && hup_runs == 0, "a handler ran before the restore");
	check_actions();
	go_threads = 1;
	for (i = 0; i < NTHREADS; i++) {
		void *err;

		pthread_join(th[i], &err);
		wl_check(!err, "thread %d: %s", i, err ? (char *)err : "");
	}
	check_main_pending();
	check_handlers();
	return wl_done();
}
