// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the namespace dumpers and restorers: a forked helper
 * inside a task's namespaces, programs (ip, nft, tar), image ids, sysctls.
 */
#define LOG_PREFIX "ns: "
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "log.h"
#include "ns_util.h"

/* Wait for @child; its exit code is a positive errno (0: success). */
static int wait_child(pid_t child, const char *what)
{
	int status;

	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return log_perr(-errno, "Failed to wait for %s (pid %d)", what, child);
	if (WIFSIGNALED(status))
		return log_err(-EIO, "Failed to run %s: killed by signal %d", what,
			       WTERMSIG(status));
	return -WEXITSTATUS(status);
}

/* The helper of ns_run_in(): its result as exit code, its first error to @errfd. */
static void __attribute__((noreturn)) run_helper(int pidfd, pid_t pid, int nstypes,
						 int (*fn)(void *arg), void *arg, int errfd)
{
	int ret;

	log_reset_first();	/* the parent's errors are not ours to report */
	/* one setns for all: the kernel switches them together */
	if (setns(pidfd, nstypes) < 0)
		ret = log_perr(-errno, "Failed to enter the namespaces 0x%x of task %d", nstypes,
			       pid);
	else
		ret = fn(arg);
	if (ret < 0)
		log_first_send(errfd);
	_exit(ret < 0 ? (-ret & 0xff) : 0);
}

int ns_run_in(pid_t pid, int nstypes, int (*fn)(void *arg), void *arg)
{
	_cleanup_close_ int pidfd = syscall(SYS_pidfd_open, pid, 0);
	_cleanup_close_ int rfd = -EBADF, wfd = -EBADF;
	int pfd[2], ret;
	pid_t child;

	if (pidfd < 0)
		return log_perr(-errno, "Failed to open a pidfd of task %d", pid);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to make the error pipe of a namespace helper");
	rfd = pfd[0];
	wfd = pfd[1];
	child = fork();
	if (child < 0)
		return log_perr(-errno, "Failed to fork a helper for the namespaces of task %d",
				pid);
	if (child == 0)
		run_helper(pidfd, pid, nstypes, fn, arg, wfd);
	closep(&wfd);
	ret = wait_child(child, "a namespace helper");
	if (ret < 0) {
		/* the helper logged the cause: it becomes our first error too */
		log_first_recv(rfd);
		pr_debug("The helper in the namespaces of task %d failed: %d", pid, ret);
	}
	return ret;
}

int ns_id(pid_t pid, const char *ns, uint32_t *ret_id)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	if (stat(path, &st) < 0)
		return log_perr(-errno, "Failed to stat '%s'", path);
	*ret_id = (uint32_t)st.st_ino;
	return 0;
}

/* "PREFIX<digits>SUFFIX": the number into *ret. */
static bool match_id(const char *name, const char *prefix, const char *suffix, uint32_t *ret)
{
	size_t lp = strlen(prefix), ls = strlen(suffix), ln = strlen(name);
	unsigned long long v = 0;
	const char *p;

	if (ln <= lp + ls || strncmp(name, prefix, lp) || strcmp(name + ln - ls, suffix))
		return false;
	for (p = name + lp; p < name + ln - ls; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*ret = (uint32_t)v;
	return true;
}

int ns_find_image(int dfd, const char *prefix, const char *suffix, uint32_t *ret_id)
{
	_cleanup_closedir_ DIR *d = NULL;
	/* a description of our own: the caller's fd offset stays as it is */
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), found = 0;
	struct dirent *de;
	uint32_t id;

	if (fd < 0)
		return log_perr(-errno, "Failed to open the image directory (fd %d)", dfd);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return log_perr(-errno, "Failed to list the image directory");
	}
	while ((de = readdir(d))) {
		if (!match_id(de->d_name, prefix, suffix, &id))
			continue;
		if (found++)
			return log_err(-EINVAL, "Failed to pick the %s*%s image: %u and %u (nested namespaces are not supported)",
				       prefix, suffix, *ret_id, id);
		*ret_id = id;
	}
	return found;
}

int ns_need_image(int dfd, const char *prefix, uint32_t *ret_id)
{
	int ret = ns_find_image(dfd, prefix, ".img", ret_id);

	if (ret == 0)
		return log_err(-ENOENT, "Failed to find %sID.img in the image directory", prefix);
	return ret < 0 ? ret : 0;
}

const char *ns_prog(const char *name)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
	static char path[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return path;
	}
	return NULL;
}

static void spawn_child(char *const argv[], int in_fd, int out_fd)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(in_fd >= 0 ? in_fd : null, 0) < 0 ||
	    dup2(out_fd >= 0 ? out_fd : null, 1) < 0)
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

int ns_spawn(char *const argv[], int in_fd, int out_fd, const char *what)
{
	char cmd[256] = "";
	pid_t child;
	size_t i, n;
	int ret;

	fflush(NULL);
	child = fork();
	if (child < 0)
		return log_perr(-errno, "Failed to fork for '%s'", argv[0]);
	if (child == 0)
		spawn_child(argv, in_fd, out_fd);
	ret = wait_child(child, argv[0]);
	if (ret == 0)
		return 0;
	for (i = 0, n = 0; argv[i] && n < sizeof(cmd) - 1; i++)
		n += snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i ? " " : "", argv[i]);
	return log_err(-EIO, "Failed to run '%s' for %s: exit status %d", cmd, what, -ret);
}

int ns_sysctl_get(const char *path, char *buf, size_t size)
{
	_cleanup_free_ char *full = NULL, *text = NULL;
	ssize_t n;

	if (asprintf(&full, "/proc/sys/%s", path) < 0)
		return -ENOMEM;
	n = read_file_at(AT_FDCWD, full, 4096, &text);
	if (n < 0)
		return log_perr((int)n, "Failed to read '%s'", full);
	while (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	if ((size_t)n >= size)
		return log_err(-EOVERFLOW, "Failed to read '%s': %zd bytes, room for %zu", full, n,
			       size - 1);
	memcpy(buf, text, n + 1);
	return 0;
}

int ns_sysctl_get_u64(const char *path, uint64_t *ret)
{
	char buf[32], *end;
	int r = ns_sysctl_get(path, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	*ret = strtoull(buf, &end, 10);
	if (errno || end == buf || *end)
		return log_err(-EINVAL, "Failed to parse /proc/sys/%s: '%s' is not a number", path,
			       buf);
	return 0;
}

int ns_sysctl_set(const char *path, const char *value)
{
	_cleanup_free_ char *full = NULL;
	int ret;

	if (asprintf(&full, "/proc/sys/%s", path) < 0)
		return -ENOMEM;
	ret = write_file_at(AT_FDCWD, full, value);
	if (ret < 0)
		return log_perr(ret, "Failed to write '%s' to '%s'", value, full);
	return 0;
}

int ns_sysctl_set_u64(const char *path, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return ns_sysctl_set(path, buf);
}
