// SPDX-License-Identifier: GPL-2.0-only
/*
 * State with values that are easy to tell apart, for the image check of a
 * real dump (crit-dump.t): distinct real/saved uids and r/e/s/fs gids,
 * supplementary groups, a blocked mask per thread and a name per thread, a
 * second thread, a caught and an ignored signal, lowered rlimits, umask 027,
 * a cwd of its own, a pipe with data and a bigger buffer at fds 20/21, an
 * O_APPEND file at fd 30 (close-on-exec) and a directory at fd 31, and 64
 * pages of patterned anonymous memory. It checks after the go that the state
 * is still so (the dump ran with --leave-running).
 */
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wl.h"

#define PAGES		64
#define PIPE_DATA	"crit-dump: bytes left in the pipe\n"

static void on_usr1(int sig)
{
	(void)sig;
}

static void *thread(void *arg)
{
	sigset_t set;

	(void)arg;
	prctl(PR_SET_NAME, "crit-thread");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN + 3);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	wl_wait();
	return NULL;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	wl_check(!sigaction(SIGUSR1, &sa, NULL), "sigaction SIGUSR1");
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGRTMIN + 1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void files(void)
{
	char path[4096];
	int p[2], fd;

	wl_check(!pipe(p), "pipe");
	wl_check(fcntl(p[1], F_SETPIPE_SZ, 128 << 10) >= 0, "F_SETPIPE_SZ");
	wl_check(write(p[1], PIPE_DATA, strlen(PIPE_DATA)) == (ssize_t)strlen(PIPE_DATA), "pipe data");
	wl_check(dup2(p[0], 20) == 20 && dup2(p[1], 21) == 21, "pipe at 20/21");
	close(p[0]);
	close(p[1]);
	snprintf(path, sizeof(path), "%s/data", wl_dir());
	fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0640);
	wl_check(fd >= 0 && write(fd, path, 123) == 123, "data file");
	wl_check(fcntl(fd, F_DUPFD_CLOEXEC, 30) == 30, "data file at 30");
	close(fd);
	fd = open(wl_dir(), O_RDONLY | O_DIRECTORY);
	wl_check(dup2(fd, 31) == 31, "directory at 31");
	close(fd);
	snprintf(path, sizeof(path), "%s/cwd", wl_dir());
	mkdir(path, 0755);
	wl_check(!chdir(path), "chdir");
}

static void creds(void)
{
	gid_t groups[] = { 5000, 5001 };
	struct rlimit nofile = { 777, 4096 }, core = { 4096, 1 << 20 };

	wl_check(!setrlimit(RLIMIT_NOFILE, &nofile) && !setrlimit(RLIMIT_CORE, &core), "rlimits");
	umask(027);
	/* fsuid and euid stay 0: the workload still writes its verdict */
	wl_check(!setgroups(2, groups), "setgroups");
	wl_check(!setresgid(1001, 1002, 1003), "setresgid");
	setfsgid(1004);
	wl_check(!setresuid(2001, 0, 2003), "setresuid");
}

int main(int argc, char **argv)
{
	pthread_t th;
	uint64_t *mem;

	wl_init(argc, argv);
	prctl(PR_SET_NAME, "crit-main");
	mem = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < PAGES * 512; i++)
		mem[i] = i * 0x9e3779b97f4a7c15ULL + 1;
	files();
	creds();
	signals();
	wl_check(!pthread_create(&th, NULL, thread, NULL), "thread");
	wl_ready();
	wl_wait();
	pthread_join(th, NULL);

	uid_t r, e, s;
	char buf[64];

	wl_check(!getresuid(&r, &e, &s) && r == 2001 && e == 0 && s == 2003, "uids");
	wl_check(read(20, buf, sizeof(buf)) == (ssize_t)strlen(PIPE_DATA), "pipe data");
	wl_check(lseek(30, 0, SEEK_CUR) == 123, "file offset");
	for (size_t i = 0; i < PAGES * 512; i++)
		if (mem[i] != i * 0x9e3779b97f4a7c15ULL + 1) {
			wl_fail("memory word %zu", i);
			break;
		}
	return wl_done();
}
