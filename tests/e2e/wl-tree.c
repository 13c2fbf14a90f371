// SPDX-License-Identifier: GPL-2.0-only
/*
 * A process tree across checkpoint/restore: children in their own process
 * group, in another group of the session, in a new session, a grandchild, a
 * zombie whose exit status must survive, and N more children (argv[2],
 * default 5). Each task checks its own parent, group and session; the root
 * collects everyone's exit status after the signal to go on.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

struct kid {
	pid_t pid;
	int want_status;
};

static struct kid kids[256];
static int nkids;

/* A child: record who we are, wait, check it is still so. */
static __attribute__((noreturn)) void child_check(pid_t pgid_to, bool new_session, bool grandchild)
{
	pid_t ppid = getppid(), gc = 0;
	int st;

	if (new_session)
		setsid();
	else if (pgid_to >= 0)
		setpgid(0, pgid_to);
	pid_t pgid = getpgrp(), sid = getsid(0);

	if (grandchild) {
		gc = fork();
		if (gc == 0)
			child_check(-1, false, false);
	}
	wl_wait();
	if (gc) {
		kill(gc, SIGUSR2);
		if (waitpid(gc, &st, 0) != gc || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(20);
	}
	if (getppid() != ppid)
		_exit(11);
	if (getpgrp() != pgid)
		_exit(12);
	if (getsid(0) != sid)
		_exit(13);
	_exit(0);
}

static pid_t spawn(pid_t pgid_to, bool new_session, bool grandchild)
{
	pid_t p = fork();

	if (p == 0)
		child_check(pgid_to, new_session, grandchild);
	kids[nkids++] = (struct kid){ p, 0 };
	return p;
}

int main(int argc, char **argv)
{
	int i, n, st;
	pid_t a, z;

	wl_init(argc, argv);
	n = wl_arg_mib(5);
	if (n > 200)
		n = 200;
	a = spawn(0, false, false);		/* own group */
	spawn(-1, false, true);			/* root's group, with a grandchild */
	spawn(a, false, false);			/* a's group */
	spawn(-1, true, false);			/* a new session */
	for (i = 0; i < n; i++)
		spawn(-1, false, false);
	z = fork();
	if (z == 0)
		_exit(42);
	/* the zombie must be one before we say ready */
	siginfo_t si;
	waitid(P_PID, z, &si, WEXITED | WNOWAIT);
	wl_ready();
	wl_wait();
	for (i = 0; i < nkids; i++)
		kill(kids[i].pid, SIGUSR2);
	for (i = 0; i < nkids; i++) {
		pid_t r = waitpid(kids[i].pid, &st, 0);

		wl_check(r == kids[i].pid, "wait for child %d: %d (%d)", kids[i].pid, r, errno);
		wl_check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d status %#x", kids[i].pid, st);
	}
	wl_check(waitpid(z, &st, 0) == z && WIFEXITED(st) && WEXITSTATUS(st) == 42,
		 "zombie %d exit status %#x", z, st);
	return wl_done();
}
