// SPDX-License-Identifier: GPL-2.0-only
/*
 * A file the engine must refuse to checkpoint, chosen by $WL_REFUSE:
 * eventfd, epoll, signalfd, timerfd, inotify, unix (socketpair), tcp,
 * memfd, pty, tun, pidfd, io_uring, flock, posix (fcntl lock), ofd (OFD lock), flock-mmap (a
 * flock kept only by a mapping of the file, its fd closed). An unlinked
 * file open at a lower fd makes the dump write a ghost image before it
 * meets the refused fd (the image must go with the rest). The dump must
 * fail and leave the task untouched: after the signal to go on it checks
 * that its object still is what it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

static int fd, fd2, ghost;
static char lock_path[4096];

static void lock_file(int cmd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };

	snprintf(lock_path, sizeof(lock_path), "%s/locked", wl_dir());
	fd = open(lock_path, O_RDWR | O_CREAT, 0644);
	if (cmd == 0)
		flock(fd, LOCK_EX);
	else if (fcntl(fd, cmd, &fl) < 0)
		wl_fail("lock: %s", strerror(errno));
}

/* Is the lock still there? Asked through another open file description. */
static bool flock_held(void)
{
	int o = open(lock_path, O_RDWR);
	bool held = flock(o, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;

	close(o);
	return held;
}

static bool rec_lock_held(int cmd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int o = open(lock_path, O_RDWR);

	fcntl(o, cmd, &fl);
	close(o);
	return fl.l_type != F_UNLCK;
}

/* A process's own POSIX locks never conflict with it: ask from a child. */
static bool posix_held(void)
{
	pid_t p = fork();
	int st;

	if (p == 0)
		_exit(rec_lock_held(F_GETLK) ? 0 : 1);
	return waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv)
{
	const char *k = getenv("WL_REFUSE") ?: "";
	uint64_t v = 0;
	int sv[2];
	sigset_t ss;

	wl_init(argc, argv);
	snprintf(lock_path, sizeof(lock_path), "%s/unlinked", wl_dir());
	ghost = open(lock_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (ghost < 0 || write(ghost, "ghost", 5) != 5 || unlink(lock_path))
		wl_fail("unlinked file: %s", strerror(errno));
	if (!strcmp(k, "eventfd")) {
		fd = eventfd(42, 0);
	} else if (!strcmp(k, "epoll")) {
		struct epoll_event ev = { .events = EPOLLIN };

		fd = epoll_create1(0);
		fd2 = eventfd(1, 0);
		epoll_ctl(fd, EPOLL_CTL_ADD, fd2, &ev);
	} else if (!strcmp(k, "signalfd")) {
		sigemptyset(&ss);
		sigaddset(&ss, SIGURG);
		fd = signalfd(-1, &ss, 0);
	} else if (!strcmp(k, "timerfd")) {
		fd = timerfd_create(CLOCK_MONOTONIC, 0);
	} else if (!strcmp(k, "inotify")) {
		fd = inotify_init1(0);
	} else if (!strcmp(k, "unix")) {
		fd = socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ? -1 : sv[0];
		fd2 = sv[1];
	} else if (!strcmp(k, "tcp")) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
	} else if (!strcmp(k, "memfd")) {
		fd = memfd_create("wl-memfd", 0);
	} else if (!strcmp(k, "pty")) {
		fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	} else if (!strcmp(k, "tun")) {
		fd = open("/dev/net/tun", O_RDWR);
	} else if (!strcmp(k, "pidfd")) {
		fd = syscall(SYS_pidfd_open, getpid(), 0);
	} else if (!strcmp(k, "io_uring")) {
		struct { uint32_t w[30]; } params = {};	/* struct io_uring_params, zeroed */

		fd = syscall(SYS_io_uring_setup, 4, &params);
	} else if (!strcmp(k, "flock")) {
		lock_file(0);
	} else if (!strcmp(k, "flock-mmap")) {
		lock_file(0);
		if (ftruncate(fd, 4096) || mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
			wl_fail("mmap: %s", strerror(errno));
		close(fd);
		fd = 0;
	} else if (!strcmp(k, "posix")) {
		lock_file(F_SETLK);
	} else if (!strcmp(k, "ofd")) {
		lock_file(F_OFD_SETLK);
	} else {
		wl_fail("unknown WL_REFUSE '%s'", k);
	}
	if (fd < 0)
		wl_fail("setup of %s: %s", k, strerror(errno));
	wl_ready();
	wl_wait();
	if (!strcmp(k, "eventfd"))
		wl_check(read(fd, &v, 8) == 8 && v == 42, "eventfd value %llu", (unsigned long long)v);
	else if (!strcmp(k, "unix"))
		wl_check(write(fd2, "u", 1) == 1 && read(fd, &v, 1) == 1, "socketpair works");
	else if (!strcmp(k, "flock") || !strcmp(k, "flock-mmap"))
		wl_check(flock_held(), "flock still held");
	else if (!strcmp(k, "posix"))
		wl_check(posix_held(), "POSIX lock still held");
	else if (!strcmp(k, "ofd"))
		wl_check(rec_lock_held(F_OFD_GETLK), "OFD lock still held");
	else
		wl_check(fcntl(fd, F_GETFD) >= 0, "%s fd still open", k);
	wl_check(pread(ghost, sv, 5, 0) == 5 && !memcmp(sv, "ghost", 5), "unlinked file intact");
	return wl_done();
}
