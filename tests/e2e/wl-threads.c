// SPDX-License-Identifier: GPL-2.0-only
/*
 * Threads across checkpoint/restore: N pthreads (argv[2], default 4), each
 * with its own TLS values, signal mask, name and robust-list head, some
 * spinning and some sleeping; after the restore every thread checks its
 * own state, its tid, that rseq still reports a valid CPU, and the process
 * can still create and join new threads.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wl.h"

#define MAXT 64

static __thread uint64_t tls_word = 7;
static __thread char tls_buf[64];
static atomic_int ready;

struct th {
	pthread_t t;
	int idx;
	pid_t tid;
	char fail[128];
};

static struct th ths[MAXT];

static void *thread_main(void *arg)
{
	struct th *me = arg;
	sigset_t set, got;
	char name[16], want[16];
	volatile uint64_t spin = 0;
	struct robust_list_head *head;
	size_t len;

	me->tid = syscall(SYS_gettid);
	tls_word = 0x1000 + me->idx;
	snprintf(tls_buf, sizeof(tls_buf), "thread-%d", me->idx);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + (me->idx % 8));
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	snprintf(want, sizeof(want), "wl-th-%d", me->idx);
	prctl(PR_SET_NAME, want);
	syscall(SYS_get_robust_list, 0, &head, &len);
	void *head0 = head;
	atomic_fetch_add(&ready, 1);
	while (!wl_go()) {
		if (me->idx % 2)
			spin++;		/* busy: stopped anywhere in user code */
		else
			usleep(5000);	/* asleep: stopped in a syscall */
	}
	pthread_sigmask(SIG_SETMASK, NULL, &got);
	prctl(PR_GET_NAME, name);
	syscall(SYS_get_robust_list, 0, &head, &len);
	if (me->tid != syscall(SYS_gettid))
		snprintf(me->fail, sizeof(me->fail), "tid %d became %ld", me->tid, syscall(SYS_gettid));
	else if (tls_word != (uint64_t)(0x1000 + me->idx) || strncmp(tls_buf, "thread-", 7))
		snprintf(me->fail, sizeof(me->fail), "thread %d TLS", me->idx);
	else if (!sigismember(&got, SIGUSR1) || !sigismember(&got, SIGRTMIN + (me->idx % 8)) ||
		 sigismember(&got, SIGUSR2))
		snprintf(me->fail, sizeof(me->fail), "thread %d signal mask", me->idx);
	else if (strcmp(name, want))
		snprintf(me->fail, sizeof(me->fail), "thread %d name '%s'", me->idx, name);
	else if ((void *)head != head0)
		snprintf(me->fail, sizeof(me->fail), "thread %d robust list", me->idx);
	else if (sched_getcpu() < 0)
		snprintf(me->fail, sizeof(me->fail), "thread %d: no cpu from rseq", me->idx);
	return NULL;
}

static void *noop(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	int i, n;
	sigset_t set;

	wl_init(argc, argv);
	n = wl_arg_mib(4);
	if (n > MAXT)
		n = MAXT;
	tls_word = 42;
	/* SIGUSR2 goes to the main thread only: the others block it */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++) {
		ths[i].idx = i;
		pthread_create(&ths[i].t, NULL, thread_main, &ths[i]);
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (atomic_load(&ready) < n)
		usleep(1000);
	wl_ready();
	wl_wait();
	for (i = 0; i < n; i++) {
		pthread_join(ths[i].t, NULL);
		wl_check(!ths[i].fail[0], "%s", ths[i].fail);
	}
	wl_check(tls_word == 42, "main thread TLS");
	pthread_t t;
	void *ret = NULL;
	wl_check(!pthread_create(&t, NULL, noop, (void *)0x5) && !pthread_join(t, &ret) &&
		 ret == (void *)0x5, "new thread after restore");
	return wl_done();
}
