// SPDX-License-Identifier: GPL-2.0-only
/*
 * seccomp filters across checkpoint/restore: the main thread installs a
 * filter that fails getppid() with errno 41, then a thread adds
 * two that fail getpgrp() with 42 and getppid() with 43 (a chain of three,
 * the first shared; the newest filter decides between equal actions). After
 * the restore each thread's syscalls are filtered exactly as before, and
 * /proc shows the same number of filters.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wl.h"

static int deny(int nr, int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int filters(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/thread-self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "Seccomp_filters: %d", &n);
	if (f)
		fclose(f);
	return n;
}

static bool denied(long nr, int err)
{
	errno = 0;
	return syscall(nr) == -1 && errno == err;
}

static char thread_fail[128];
static volatile int thread_ready;

static void *thread_main(void *arg)
{
	int before;

	(void)arg;
	/* the newest of equal actions wins: getppid fails with 43 here, not 41 */
	if (deny(SYS_getpgrp, 42) || deny(SYS_getppid, 43))
		snprintf(thread_fail, sizeof(thread_fail), "thread: seccomp: %d", errno);
	before = filters();
	thread_ready = 1;
	wl_wait();
	if (!denied(SYS_getppid, 43) || !denied(SYS_getpgrp, 42))
		snprintf(thread_fail, sizeof(thread_fail), "thread: filters do not act in order");
	else if (filters() != before)
		snprintf(thread_fail, sizeof(thread_fail), "thread: %d filters, had %d", filters(),
			 before);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int before;

	wl_init(argc, argv);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (deny(SYS_getppid, 41)) {
		wl_fail("seccomp: %d", errno);
		return wl_done();
	}
	before = filters();
	pthread_create(&t, NULL, thread_main, NULL);
	while (!thread_ready)
		usleep(1000);
	wl_ready();
	wl_wait();
	pthread_join(t, NULL);
	wl_check(!thread_fail[0], "%s", thread_fail);
	wl_check(denied(SYS_getppid, 41), "main thread: getppid not filtered");
	wl_check(syscall(SYS_getpgrp) == getpgid(0), "main thread: getpgrp filtered");
	wl_check(filters() == before, "main thread: %d filters, had %d", filters(), before);
	return wl_done();
}
