// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat probes on another task's files, on one child that holds a memfd,
 * mapped: pidfd_open + pidfd_getfd, kcmp(KCMP_FILE), /proc/PID/map_files.
 */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "kerndat-probe.h"
#include "log.h"

#define MEMFD_NAME	"vzcr-kerndat"
#define MEMFD_DATA	"vzcr kerndat probe"

struct fd_reply {
	int err;		/* errno of the failed step, 0 if all went well */
	int fd;			/* the child's memfd */
	unsigned long start, end;	/* where the child mapped it */
};

/* Child: make a memfd with known contents, map it, report, wait for death. */
static int fd_child(void *arg, int wfd)
{
	struct fd_reply rep = { .fd = -1 };
	long page = sysconf(_SC_PAGESIZE);
	void *addr;

	(void)arg;
	rep.fd = memfd_create(MEMFD_NAME, 0);
	if (rep.fd < 0 || pwrite(rep.fd, MEMFD_DATA, sizeof(MEMFD_DATA), 0) < 0 ||
	    ftruncate(rep.fd, page)) {
		rep.err = errno;
		goto out;
	}
	addr = mmap(NULL, page, PROT_READ, MAP_SHARED, rep.fd, 0);
	if (addr == MAP_FAILED) {
		rep.err = errno;
		goto out;
	}
	rep.start = (unsigned long)addr;
	rep.end = rep.start + page;
out:
	kd_reply(wfd, &rep, sizeof(rep));
	return kd_child_idle();
}

/* Does @fd hold the child's memfd? Compare contents. */
static bool is_probe_file(int fd)
{
	char buf[sizeof(MEMFD_DATA)];

	return pread(fd, buf, sizeof(buf), 0) == sizeof(buf) &&
	       !memcmp(buf, MEMFD_DATA, sizeof(buf));
}

static void probe_pidfd(struct kerndat *kd, pid_t pid, int child_fd)
{
	_cleanup_close_ int pidfd = -EBADF, fd = -EBADF;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		kd_no(kd, KD_PIDFD_GETFD, -errno, "pidfd_open");
		return;
	}
	fd = syscall(SYS_pidfd_getfd, pidfd, child_fd, 0);
	if (fd < 0) {
		kd_no(kd, KD_PIDFD_GETFD, -errno, "pidfd_getfd");
		return;
	}
	if (!is_probe_file(fd)) {
		kd_set(kd, KD_PIDFD_GETFD, false, "pidfd_getfd gave a different file");
		return;
	}
	kd_set(kd, KD_PIDFD_GETFD, true, "took the child's fd %d, same file", child_fd);
}

/*
 * @shared_fd was open before the fork, so both tasks hold the same file
 * under that number; the child's memfd is another file.
 */
static void probe_kcmp(struct kerndat *kd, pid_t pid, int shared_fd, int child_fd)
{
	long same, other;

	same = syscall(SYS_kcmp, getpid(), pid, KCMP_FILE, shared_fd, shared_fd);
	if (same < 0) {
		kd_no(kd, KD_KCMP_FILE, -errno, "kcmp");
		return;
	}
	other = syscall(SYS_kcmp, getpid(), pid, KCMP_FILE, shared_fd, child_fd);
	if (other < 0) {
		kd_no(kd, KD_KCMP_FILE, -errno, "kcmp");
		return;
	}
	if (same != 0 || other == 0) {
		kd_set(kd, KD_KCMP_FILE, false, "wrong answers: same file %ld, other file %ld",
		       same, other);
		return;
	}
	kd_set(kd, KD_KCMP_FILE, true, "inherited fd: same, memfd: different");
}

static void probe_map_files(struct kerndat *kd, pid_t pid, const struct fd_reply *rep)
{
	char path[96], target[256];
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", pid, rep->start, rep->end);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		kd_no(kd, KD_MAP_FILES, -errno, "readlink");
		return;
	}
	target[n] = '\0';
	if (strncmp(target, "/memfd:" MEMFD_NAME, strlen("/memfd:" MEMFD_NAME))) {
		kd_set(kd, KD_MAP_FILES, false, "link points to '%s'", target);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kd_no(kd, KD_MAP_FILES, -errno, "open");
		return;
	}
	if (!is_probe_file(fd)) {
		kd_set(kd, KD_MAP_FILES, false, "opened a different file");
		return;
	}
	kd_set(kd, KD_MAP_FILES, true, "readlink and open of a mapped memfd");
}

static void set_all(struct kerndat *kd, int err, const char *what)
{
	kd_no(kd, KD_PIDFD_GETFD, err, what);
	kd_no(kd, KD_KCMP_FILE, err, what);
	kd_no(kd, KD_MAP_FILES, err, what);
}

void kd_probe_task(struct kerndat *kd)
{
	_cleanup_close_ int shared_fd = open("/", O_PATH | O_CLOEXEC);
	struct fd_reply rep;
	struct kd_child c;
	int r;

	if (shared_fd < 0) {
		set_all(kd, -errno, "open /");
		return;
	}
	r = kd_child_start(&c, fd_child, NULL);
	if (r) {
		set_all(kd, r, "fork");
		return;
	}
	r = kd_child_read(&c, &rep, sizeof(rep), KD_TIMEOUT_MS);
	if (r || rep.err) {
		set_all(kd, r ? r : -rep.err, "child memfd");
		kd_child_kill(&c);
		return;
	}
	probe_pidfd(kd, c.pid, rep.fd);
	probe_kcmp(kd, c.pid, shared_fd, rep.fd);
	probe_map_files(kd, c.pid, &rep);
	kd_child_kill(&c);
}
