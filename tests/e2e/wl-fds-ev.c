// SPDX-License-Identifier: GPL-2.0-only
/*
 * eventfd, signalfd, timerfd and epoll across checkpoint/restore: counters
 * (one past 32 bits, one EFD_SEMAPHORE), a signalfd's mask that still
 * reads a signal, timers (periodic, relative, absolute on two clocks, one
 * expired and unread) that fire when they should, and epoll sets (nested,
 * a target shared with a child that has its own set and changes the shared
 * one by its fd numbers). Each is checked after the signal to go on.
 * WL_EPOLL_STALE=1: a target registered under an fd number since closed
 * (the dump must refuse it).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

#define BIG_COUNT	0x100000007ULL
#define NS		1000000000LL

static int must(int r, const char *what)
{
	if (r < 0) {
		wl_fail("setup: %s: %s", what, strerror(errno));
		wl_ready();
		exit(wl_done());
	}
	return r;
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static struct timespec ts_of(int64_t ns)
{
	return (struct timespec){ ns / NS, ns % NS };
}

/* --- eventfd --- */
static int efd_big, efd_sem;

static void setup_eventfd(void)
{
	uint64_t v = BIG_COUNT;

	efd_big = must(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd");
	must(write(efd_big, &v, sizeof(v)), "eventfd write");
	efd_sem = must(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK), "eventfd semaphore");
}

static void check_eventfd(void)
{
	uint64_t v = 0;
	int i;

	wl_check(fcntl(efd_big, F_GETFD) == FD_CLOEXEC, "eventfd: FD_CLOEXEC kept");
	wl_check(read(efd_big, &v, sizeof(v)) == sizeof(v) && v == BIG_COUNT,
		 "eventfd: counter %#llx, want %#llx", (unsigned long long)v, BIG_COUNT);
	wl_check(read(efd_big, &v, sizeof(v)) < 0 && errno == EAGAIN,
		 "eventfd: empty after one read, and non-blocking");
	for (i = 0; i < 3; i++)
		wl_check(read(efd_sem, &v, sizeof(v)) == sizeof(v) && v == 1,
			 "eventfd semaphore: read %d gives 1 (got %llu)", i, (unsigned long long)v);
	wl_check(read(efd_sem, &v, sizeof(v)) < 0 && errno == EAGAIN,
		 "eventfd semaphore: empty after three reads");
}

/* --- signalfd --- */
static int sfd;

static void setup_signalfd(void)
{
	sigset_t m;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &m, NULL);
	sfd = must(signalfd(-1, &m, SFD_NONBLOCK), "signalfd");
}

static void check_signalfd(void)
{
	struct signalfd_siginfo si;
	union sigval sv = { .sival_int = 77 };

	wl_check(read(sfd, &si, sizeof(si)) < 0 && errno == EAGAIN, "signalfd: empty, non-blocking");
	sigqueue(getpid(), SIGRTMIN + 3, sv);
	kill(getpid(), SIGUSR1);
	wl_check(read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR1,
		 "signalfd: reads SIGUSR1 (got %u)", si.ssi_signo);
	wl_check(read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == (unsigned)SIGRTMIN + 3 &&
		 si.ssi_int == 77, "signalfd: reads SIGRTMIN+3 with its value (got %u)", si.ssi_signo);
}

/* --- timerfd --- */
static int t_per, t_rel, t_real, t_done, t_mono, t_soon;
static int64_t real_at, mono_at;

static int timer(clockid_t clk, int flags, int64_t val, int64_t iv, int fdflags)
{
	struct itimerspec its = { ts_of(iv), ts_of(val) };
	int fd = must(timerfd_create(clk, fdflags), "timerfd_create");

	must(timerfd_settime(fd, flags, &its, NULL), "timerfd_settime");
	return fd;
}

static void setup_timerfd(void)
{
	struct pollfd p;

	t_per = timer(CLOCK_MONOTONIC, 0, NS / 20, NS / 20, 0);
	t_rel = timer(CLOCK_MONOTONIC, 0, 3600 * NS, 0, TFD_NONBLOCK);
	real_at = now_ns(CLOCK_REALTIME) + 3600 * NS;
	t_real = timer(CLOCK_REALTIME, TFD_TIMER_ABSTIME, real_at, 0, TFD_NONBLOCK);
	t_done = timer(CLOCK_MONOTONIC, 0, 1000, 0, TFD_NONBLOCK);
	p = (struct pollfd){ t_done, POLLIN, 0 };
	must(poll(&p, 1, 5000) == 1 ? 0 : -1, "timer expiry");
	mono_at = now_ns(CLOCK_MONOTONIC) + 3 * NS / 2;
	t_mono = timer(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME, mono_at, 0, TFD_NONBLOCK);
	t_soon = timer(CLOCK_BOOTTIME, 0, 3 * NS, 0, TFD_NONBLOCK);
}

static int64_t left(int fd, int64_t *iv)
{
	struct itimerspec its = {};

	timerfd_gettime(fd, &its);
	if (iv)
		*iv = its.it_interval.tv_sec * NS + its.it_interval.tv_nsec;
	return its.it_value.tv_sec * NS + its.it_value.tv_nsec;
}

/* Wait for @fd to fire; when it did, on @clk. */
static int64_t fired_at(int fd, clockid_t clk)
{
	struct pollfd p = { fd, POLLIN, 0 };
	uint64_t n = 0;

	if (poll(&p, 1, 10000) != 1 || read(fd, &n, sizeof(n)) != sizeof(n) || n != 1)
		return -1;
	return now_ns(clk);
}

/*
 * Does @fd expire at @want on @clk, give or take what the dump's own reading
 * of the clock costs (EXACT)? The kernel reads the clock between our two
 * reads, so the expiry is bracketed whatever the scheduler does; a timer
 * that fired meanwhile (0 left) must be past @want.
 */
#define EXACT	(NS / 100)

static bool expires_at(int fd, clockid_t clk, int64_t want)
{
	int64_t t0 = now_ns(clk), l = left(fd, NULL), t1 = now_ns(clk);

	if (!l)
		return t1 >= want - EXACT;
	return want >= t0 + l - EXACT && want <= t1 + l + EXACT;
}

/* what a loaded machine may add between a timer's expiry and our wakeup */
#define SLACK	NS

static void check_timerfd(void)
{
	int64_t boot = now_ns(CLOCK_BOOTTIME), soon = left(t_soon, NULL);
	int64_t iv, l, start = now_ns(CLOCK_MONOTONIC), at;
	uint64_t n = 0;

	l = left(t_per, &iv);
	wl_check(iv == NS / 20 && l > 0 && l <= NS / 20, "timerfd periodic: interval %lld, left %lld",
		 (long long)iv, (long long)l);
	wl_check(read(t_per, &n, sizeof(n)) == sizeof(n) && n >= 1, "timerfd periodic: fires");
	l = left(t_rel, NULL);
	wl_check(l > 3000 * NS && l <= 3600 * NS, "timerfd relative: %lld ns left", (long long)l);
	wl_check(expires_at(t_real, CLOCK_REALTIME, real_at),
		 "timerfd absolute realtime: expires at its time on the clock");
	wl_check(read(t_done, &n, sizeof(n)) == sizeof(n) && n == 1,
		 "timerfd expired before the dump: 1 expiration to read (got %llu)",
		 (unsigned long long)n);
	/* absolute: at its time on the clock, or at once if that passed */
	wl_check(expires_at(t_mono, CLOCK_MONOTONIC, mono_at),
		 "timerfd absolute monotonic: expires at its time on the clock");
	at = fired_at(t_mono, CLOCK_MONOTONIC);
	wl_check(at >= mono_at && at < (start > mono_at ? start : mono_at) + SLACK,
		 "timerfd absolute monotonic: fired %lld ns after its time (restored %lld ns after)",
		 (long long)(at - mono_at), (long long)(start - mono_at));
	/* relative: the time it had left at the dump runs from the restore on */
	wl_check(soon > 0 && soon < 3 * NS, "timerfd relative: %lld ns left, not run out while stopped",
		 (long long)soon);
	at = fired_at(t_soon, CLOCK_BOOTTIME);
	wl_check(at >= boot + soon && at < boot + soon + SLACK,
		 "timerfd relative: fired %lld ns after the time left", (long long)(at - boot - soon));
}

/* --- epoll --- */
static int ep1, ep2, ep_pipe[2], ep_efd, ep_inner_efd;
static pid_t child;

/* The child: its own set on the shared pipe; MOD in the shared set by its fds. */
static __attribute__((noreturn)) void child_main(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x5555 }, got[4];
	int ep3 = epoll_create1(0);

	if (ep3 < 0 || epoll_ctl(ep3, EPOLL_CTL_ADD, ep_pipe[0], &ev) < 0)
		_exit(20);
	while (!wl_go())
		usleep(20000);
	if (epoll_wait(ep3, got, 4, 1000) != 1 || got[0].data.u64 != 0x5555)
		_exit(21);
	ev.data.u64 = 0x6666;
	if (epoll_ctl(ep1, EPOLL_CTL_MOD, ep_efd, &ev) < 0)
		_exit(22);
	_exit(0);
}

static void ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	must(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "epoll_ctl");
}

static void setup_epoll(void)
{
	ep1 = must(epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
	ep2 = must(epoll_create1(0), "epoll_create1");
	must(pipe(ep_pipe), "pipe");
	must(write(ep_pipe[1], "x", 1), "pipe write");
	ep_efd = must(eventfd(1, 0), "eventfd");
	ep_inner_efd = must(eventfd(1, 0), "eventfd");
	ep_add(ep2, ep_inner_efd, EPOLLIN, 0x4444);
	ep_add(ep1, ep_pipe[0], EPOLLIN, 0x1111);
	ep_add(ep1, ep_efd, EPOLLIN | EPOLLET, 0x2222);
	ep_add(ep1, ep2, EPOLLIN, 0x3333);
	ep_add(ep1, ep_pipe[1], EPOLLOUT | EPOLLONESHOT, 0x7777);
	if (getenv("WL_EPOLL_STALE")) {
		int stale = must(eventfd(0, 0), "eventfd");

		ep_add(ep1, stale, EPOLLIN, 0x8888);
		must(dup(stale), "dup");	/* the file lives on, its fd number does not */
		close(stale);
	}
	child = must(fork(), "fork");
	if (child == 0)
		child_main();
}

static void check_epoll(void)
{
	struct epoll_event got[8], ev = { .events = EPOLLIN };
	int n, i, st;

	kill(child, SIGUSR2);
	wl_check(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st),
		 "epoll child: status %#x", st);
	n = epoll_wait(ep1, got, 8, 1000);
	wl_check(n == 4, "epoll: %d ready targets, want 4", n);
	for (i = 0; i < n; i++)
		wl_check(got[i].data.u64 == 0x1111 || got[i].data.u64 == 0x6666 ||
			 got[i].data.u64 == 0x3333 || got[i].data.u64 == 0x7777,
			 "epoll: unexpected data %#llx", (unsigned long long)got[i].data.u64);
	/* one-shot: reported once, then disarmed */
	n = epoll_wait(ep1, got, 8, 0);
	for (i = 0; i < n; i++)
		wl_check(got[i].data.u64 != 0x7777, "epoll: one-shot target reported twice");
	n = epoll_wait(ep2, got, 8, 0);
	wl_check(n == 1 && got[0].data.u64 == 0x4444, "epoll nested: inner set has its target");
	wl_check(epoll_ctl(ep1, EPOLL_CTL_DEL, ep_pipe[0], NULL) == 0,
		 "epoll: target deleted by its fd number");
	wl_check(epoll_ctl(ep1, EPOLL_CTL_ADD, ep2, &ev) < 0 && errno == EEXIST,
		 "epoll: nested set is registered already");
	wl_check(fcntl(ep1, F_GETFD) == FD_CLOEXEC, "epoll: FD_CLOEXEC kept");
}

int main(int argc, char **argv)
{
	wl_init(argc, argv);
	setup_eventfd();
	setup_signalfd();
	setup_timerfd();
	setup_epoll();
	wl_ready();
	wl_wait();
	check_eventfd();
	check_signalfd();
	check_timerfd();
	check_epoll();
	return wl_done();
}
