// SPDX-License-Identifier: GPL-2.0-only
/*
 * pidfds across checkpoint/restore: one of a child (non-blocking) that
 * still signals it and sees it exit, and one of the parent itself that
 * the child shares and uses to signal back; the child's pidfd in an epoll
 * set (registered once the pidfd is in place again).
 * WL_PIDFD_OUTSIDE=1: a pidfd of our parent, outside the tree (the dump
 * must refuse it).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif /* PIDFD_NONBLOCK */

static int pfd_child, pfd_self, ep;
static pid_t child;
static volatile sig_atomic_t got_usr1;

static int must(long r, const char *what)
{
	if (r < 0) {
		wl_fail("setup: %s: %s", what, strerror(errno));
		wl_ready();
		exit(wl_done());
	}
	return r;
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* The pid a pidfd names, from its fdinfo; -1 if none. */
static int pid_of(int fd)
{
	char path[64], buf[512];
	const char *p;
	int f, n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	n = f < 0 ? -1 : read(f, buf, sizeof(buf) - 1);
	if (f >= 0)
		close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "Pid:");
	return p ? atoi(p + 4) : -1;
}

/* The child: waits for the go (a signal through the parent's pidfd of it). */
static __attribute__((noreturn)) void child_main(void)
{
	while (!wl_go())
		usleep(20000);
	if (pid_of(pfd_self) != getppid())
		_exit(21);
	if (syscall(SYS_pidfd_send_signal, pfd_self, SIGUSR1, NULL, 0) < 0)
		_exit(22);
	_exit(7);
}

static void setup(void)
{
	signal(SIGUSR1, on_usr1);
	pfd_self = must(syscall(SYS_pidfd_open, getpid(), 0), "pidfd_open self");
	child = must(fork(), "fork");
	if (child == 0)
		child_main();
	/* the set at a lower fd than its target: the target must be in place first */
	ep = must(epoll_create1(0), "epoll_create1");
	pfd_child = must(syscall(SYS_pidfd_open, child, PIDFD_NONBLOCK), "pidfd_open child");
	must(epoll_ctl(ep, EPOLL_CTL_ADD, pfd_child, &(struct epoll_event){ EPOLLIN, { .u64 = 0x99 } }),
	     "epoll_ctl");
	if (getenv("WL_PIDFD_OUTSIDE"))
		must(syscall(SYS_pidfd_open, getppid(), 0), "pidfd_open parent");
}

static void check(void)
{
	struct pollfd p = { pfd_child, POLLIN, 0 };
	struct epoll_event ev = {};
	siginfo_t si = {};
	int n;

	wl_check(pid_of(pfd_child) == child, "pidfd: names the child %d (got %d)", child,
		 pid_of(pfd_child));
	wl_check(pid_of(pfd_self) == getpid(), "pidfd: names ourselves");
	wl_check(fcntl(pfd_child, F_GETFL) & O_NONBLOCK, "pidfd: PIDFD_NONBLOCK kept");
	wl_check(poll(&p, 1, 0) == 0, "pidfd: the child runs");
	wl_check(syscall(SYS_pidfd_send_signal, pfd_child, SIGUSR2, NULL, 0) == 0,
		 "pidfd: signal the child through it");
	/* the child's SIGUSR1 may interrupt the wait */
	while ((n = poll(&p, 1, 5000)) < 0 && errno == EINTR)
		;
	wl_check(n == 1 && (p.revents & POLLIN), "pidfd: the child's exit shows");
	wl_check(epoll_wait(ep, &ev, 1, 5000) == 1 && ev.data.u64 == 0x99,
		 "pidfd: the child's exit shows in the epoll set");
	wl_check(waitid(P_PIDFD, pfd_child, &si, WEXITED) == 0 && si.si_pid == child &&
		 si.si_status == 7, "pidfd: waitid sees the child's status %d", si.si_status);
	wl_check(got_usr1, "pidfd: the child signalled us through the shared pidfd");
}

int main(int argc, char **argv)
{
	wl_init(argc, argv);
	setup();
	wl_ready();
	wl_wait();
	check();
	return wl_done();
}
