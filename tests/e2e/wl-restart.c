// SPDX-License-Identifier: GPL-2.0-only
/*
 * Threads caught inside blocking syscalls by the checkpoint, each of which
 * must go on correctly after the restore: relative clock_nanosleep
 * (restart block: EINTR, the loop sleeps again), absolute clock_nanosleep,
 * read() of a pipe under an SA_RESTART handler (restarted, gets the data
 * written after the restore), wait4() for a child, pause(), and
 * sigsuspend() (whose caller's mask must come back when it returns). The
 * main thread sleeps in nanosleep (wl_wait).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

enum { R_REL, R_ABS, R_READ, R_WAIT, R_PAUSE, R_SUSPEND, NR };

static const char *const names[NR] = { "clock_nanosleep", "clock_nanosleep abs", "read",
				       "wait4", "pause", "sigsuspend" };
static const long nrs[NR] = { SYS_clock_nanosleep, SYS_clock_nanosleep, SYS_read, SYS_wait4,
			      SYS_pause, SYS_rt_sigsuspend };
static pthread_t th[NR];
static pid_t tids[NR];
static int pfd[2];
static pid_t kid;
static __thread volatile int hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

static const char *sleeper(bool absolute)
{
	struct timespec ts = { 3600, 0 };
	int r, eintr = 0;

	if (absolute) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 3600;
	}
	while (!hits) {
		r = clock_nanosleep(CLOCK_MONOTONIC, absolute ? TIMER_ABSTIME : 0, &ts, NULL);
		if (r != EINTR)
			return "clock_nanosleep returned early, not EINTR";
		eintr++;
	}
	return NULL;
}

static const char *reader(void)
{
	char buf[16] = "";
	ssize_t n = read(pfd[0], buf, sizeof(buf));

	if (n != 4 || memcmp(buf, "data", 4))
		return n < 0 ? "read failed (not restarted?)" : "read got wrong data";
	return hits == 1 ? NULL : "read: the SA_RESTART handler did not run";
}

static const char *waiter(void)
{
	int st;

	if (waitpid(kid, &st, 0) != kid)
		return "wait4 failed";
	return WIFEXITED(st) && WEXITSTATUS(st) == 42 ? NULL : "wait4: wrong status";
}

static const char *pauser(void)
{
	int r = pause();

	return r == -1 && errno == EINTR && hits == 1 ? NULL : "pause did not return EINTR";
}

static const char *suspender(void)
{
	sigset_t m, wait, now;

	pthread_sigmask(SIG_SETMASK, NULL, &m);
	wait = m;
	sigdelset(&wait, SIGUSR1);
	while (!hits)
		if (sigsuspend(&wait) != -1 || errno != EINTR)
			return "sigsuspend did not return EINTR";
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	for (int s = 1; s < 64; s++)
		if (sigismember(&now, s) != sigismember(&m, s))
			return "sigsuspend: the caller's mask did not come back";
	return NULL;
}

static void *thread_main(void *arg)
{
	int i = (intptr_t)arg;
	sigset_t m;

	tids[i] = gettid();
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	if (i == R_SUSPEND) {
		sigaddset(&m, SIGUSR1);
		sigaddset(&m, SIGRTMIN + 7);
	}
	pthread_sigmask(SIG_SETMASK, &m, NULL);
	switch (i) {
	case R_REL:
	case R_ABS:
		return (void *)sleeper(i == R_ABS);
	case R_READ:
		return (void *)reader();
	case R_WAIT:
		return (void *)waiter();
	case R_PAUSE:
		return (void *)pauser();
	default:
		return (void *)suspender();
	}
}

/* Has thread @i entered its syscall? (/proc/.../syscall gives its number.) */
static bool in_syscall(int i)
{
	char path[64];
	long nr = -2;
	FILE *f;

	if (!tids[i])
		return false;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tids[i]);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -2;
	fclose(f);
	/* a sleep resumed by the kernel after a stop goes on in restart_syscall */
	return nr == nrs[i] || (i == R_REL && nr == SYS_restart_syscall);
}

/* bounded wait until thread @i is (back) in its syscall */
static bool wait_syscall(int i)
{
	for (int n = 0; n < 5000; n++) {
		struct timespec ts = { 0, 1000 * 1000 };

		if (in_syscall(i))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void start(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(pfd))
		wl_fail("pipe: %s", strerror(errno));
	kid = fork();
	if (kid == 0) {
		wl_wait();
		_exit(42);
	}
	for (int i = 0; i < NR; i++)
		pthread_create(&th[i], NULL, thread_main, (void *)(intptr_t)i);
	for (int i = 0; i < NR; i++)
		if (!wait_syscall(i))
			wl_fail("%s: thread never blocked", names[i]);
}

int main(int argc, char **argv)
{
	int i;

	wl_init(argc, argv);
	start();
	wl_ready();
	wl_wait();
	for (i = 0; i < NR; i++)
		wl_check(wait_syscall(i), "%s: thread not back in its syscall", names[i]);
	/* the handler first: read must be restarted, then gets its data */
	pthread_kill(th[R_READ], SIGUSR1);
	wait_syscall(R_READ);
	if (write(pfd[1], "data", 4) != 4)
		wl_fail("write: %s", strerror(errno));
	kill(kid, SIGUSR2);
	pthread_kill(th[R_REL], SIGUSR1);
	pthread_kill(th[R_ABS], SIGUSR1);
	pthread_kill(th[R_PAUSE], SIGUSR1);
	pthread_kill(th[R_SUSPEND], SIGUSR1);
	for (i = 0; i < NR; i++) {
		void *err;

		pthread_join(th[i], &err);
		wl_check(!err, "%s: %s", names[i], err ? (char *)err : "");
	}
	return wl_done();
}
