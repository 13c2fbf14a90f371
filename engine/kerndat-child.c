// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat probe children: fork, talk back over a pipe, and always reap,
 * with a time limit on every wait so that a probe can never hang or leave a
 * zombie behind.
 */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "kerndat-probe.h"
#include "log.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * There is no event for "a traced child stopped" that does not take over
 * the caller's SIGCHLD handling, so this polls with WNOHANG, backing off
 * from 20 us to 2 ms. Probe children answer within microseconds.
 */
int kd_waitpid(pid_t pid, int options, int timeout_ms, int *ret_status)
{
	long long deadline = now_ms() + timeout_ms;
	struct timespec nap = { 0, 20000 };
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, options | WNOHANG | __WALL);
		if (r == pid) {
			*ret_status = status;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 2000000)
			nap.tv_nsec *= 2;
	}
}

static void child_main(int (*fn)(void *arg, int wfd), void *arg, int wfd, pid_t parent)
{
	/* Die with the prober, even if it is killed before it can reap us. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
	_exit(fn(arg, wfd) & 0xff);
}

int kd_child_start(struct kd_child *c, int (*fn)(void *arg, int wfd), void *arg)
{
	pid_t parent = getpid();
	int p[2];

	c->pid = -1;
	c->fd = -1;
	if (pipe2(p, O_CLOEXEC))
		return log_perr(-errno, "Failed to create a pipe for a probe child");
	c->pid = fork();
	if (c->pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return log_perr(err, "Failed to fork a probe child");
	}
	if (c->pid == 0) {
		close(p[0]);
		child_main(fn, arg, p[1], parent);
	}
	close(p[1]);
	c->fd = p[0];
	return 0;
}

int kd_child_read(struct kd_child *c, void *buf, size_t len, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	size_t done = 0;
	ssize_t n;
	int r;

	/* poll before every read: a child that wrote half and hung must not hang us */
	while (done < len) {
		r = poll(&pfd, 1, deadline > now_ms() ? (int)(deadline - now_ms()) : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(c->fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		done += n;
	}
	return 0;
}

static void child_close(struct kd_child *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->pid = -1;
}

void kd_child_kill(struct kd_child *c)
{
	int status, r;

	if (c->pid <= 0)
		return child_close(c);
	kill(c->pid, SIGKILL);
	/* a traced child may report a stop first: wait until it is gone */
	do
		r = kd_waitpid(c->pid, 0, KD_TIMEOUT_MS, &status);
	while (!r && !WIFEXITED(status) && !WIFSIGNALED(status));
	if (r && r != -ECHILD)
		pr_warn("Failed to reap probe child %d: %s, ignoring", c->pid, kd_errname(r));
	child_close(c);
}

int kd_child_wait(struct kd_child *c, int timeout_ms)
{
	int status, r;

	do
		r = kd_waitpid(c->pid, 0, timeout_ms, &status);
	while (!r && !WIFEXITED(status) && !WIFSIGNALED(status));
	if (r) {
		pr_debug("probe child %d: %s, killing it", c->pid, kd_errname(r));
		kd_child_kill(c);
		return r;
	}
	child_close(c);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int kd_child_idle(void)
{
	for (;;)
		pause();
}

void kd_reply(int fd, const void *buf, size_t len)
{
	if (write_full(fd, buf, len) < 0)
		_exit(126);
}
