// SPDX-License-Identifier: GPL-2.0-only
/*
 * Running a command in a running CT: a helper process joins its cgroup,
 * then setns() into its cgroup, ipc, uts, net, pid and mount namespaces
 * (mount last: it changes our root and cwd), chroots to its root and forks,
 * since a new pid namespace applies to children only. The command's exit
 * status is returned, or with --detach 0 once it is forked: it runs on as a
 * daemon of the CT.
 *
 * The vzcr process itself never changes its namespaces, root or cgroup: a
 * helper does, and ends with _exit(). Built with ASAN=1, LeakSanitizer's
 * check at exit clones a tracer into the pid namespace for children; after
 * setns(CLONE_NEWPID) that is the CT's, where the tracer's getppid() is 0,
 * so the tracer takes its parent for dead and exits, and vzcr waits for it
 * in a sched_yield() loop forever (tests/ns/ct.t spun at 60% CPU).
 */
#define LOG_PREFIX "exec: "
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "log.h"

static const struct {
	const char *name;
	int flag;
} ct_ns[] = {
	{ "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
};

#define NR_NS (sizeof(ct_ns) / sizeof(ct_ns[0]))

static int open_ns(const struct ct_state *st, int fds[NR_NS], int *rootfd)
{
	char path[64];
	size_t i;

	for (i = 0; i < NR_NS; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", st->init_pid, ct_ns[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return log_perr(-errno, "Failed to open '%s'", path);
	}
	snprintf(path, sizeof(path), "/proc/%d/root", st->init_pid);
	*rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*rootfd < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	return 0;
}

static int enter_ns(const struct ct *ct, const struct ct_state *st, int fds[NR_NS], int rootfd)
{
	size_t i;
	int ret;

	/* opened, now make sure they belong to the CT's init and not to a reused pid */
	if (ct_proc_starttime(st->init_pid) != st->init_start)
		return log_err(-ESRCH, "CT %s: init %d exited", ct->id, st->init_pid);
	ret = ct_cgroup_attach(st->cgroup, getpid());
	if (ret < 0)
		return ret;
	for (i = 0; i < NR_NS; i++)
		if (setns(fds[i], ct_ns[i].flag) < 0)
			return log_perr(-errno, "Failed to enter the %s namespace of CT %s",
					ct_ns[i].name, ct->id);
	if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return log_perr(-errno, "Failed to change root to that of CT %s", ct->id);
	return 0;
}

/*
 * --detach: a daemon that holds no file of the host (a checkpoint refuses
 * those): its own session, stdio on the CT's /dev/null, no other fd; and a
 * child of the CT's init (a checkpoint wants every task in init's tree):
 * its parent, in the CT's pid namespace, exits, which hands it to the
 * reaper of that namespace.
 */
static void detach(void)
{
	int fd = open("/dev/null", O_RDWR);
	pid_t pid;

	if (fd < 0 || setsid() < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	syscall(SYS_close_range, 3, ~0U, 0);
	pid = fork();
	if (pid != 0)
		_exit(pid < 0 ? 126 : 0);
}

/* In the helper: enter the CT, run @argv there, return its status or -errno. */
static int run_in_ct(struct ct *ct, const struct ct_state *st, char *const argv[], bool detached)
{
	char *const envp[] = { "PATH=/sbin:/bin:/usr/sbin:/usr/bin", "HOME=/root", "TERM=linux",
			       NULL };
	int fds[NR_NS], rootfd = -EBADF, status, ret;
	size_t i;
	pid_t pid;

	for (i = 0; i < NR_NS; i++)
		fds[i] = -EBADF;
	ret = open_ns(st, fds, &rootfd);
	if (ret == 0)
		ret = enter_ns(ct, st, fds, rootfd);
	for (i = 0; i < NR_NS; i++)
		closep(&fds[i]);
	closep(&rootfd);
	if (ret < 0)
		return ret;
	pid = fork();
	if (pid < 0)
		return log_perr(-errno, "Failed to fork in CT %s", ct->id);
	if (pid == 0) {
		if (detached)
			detach();
		clearenv();
		for (i = 0; envp[i]; i++)
			putenv(envp[i]);
		execvp(argv[0], argv);
		fprintf(stderr, "vzcr exec: Failed to execute '%s' in CT %s: %m\n", argv[0], ct->id);
		_exit(127);
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return log_perr(-errno, "Failed to wait for '%s'", argv[0]);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int ct_exec(struct ct *ct, const struct ct_state *st, char *const argv[], bool detached)
{
	_cleanup_close_ int rfd = -EBADF, wfd = -EBADF;
	int pfd[2], status, ret;
	pid_t helper;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to make a pipe for CT %s", ct->id);
	rfd = pfd[0];
	wfd = pfd[1];
	fflush(NULL);
	helper = fork();
	if (helper < 0)
		return log_perr(-errno, "Failed to fork a helper for CT %s", ct->id);
	if (helper == 0) {
		log_reset_first();
		ret = run_in_ct(ct, st, argv, detached);
		if (ret < 0)
			log_first_send(wfd);	/* the cause, for our summary */
		_exit(ret < 0 ? (-ret & 0xff) : ret);
	}
	signal(SIGINT, SIG_IGN);	/* the command gets ^C, we wait for it */
	signal(SIGQUIT, SIG_IGN);
	closep(&wfd);
	while (waitpid(helper, &status, 0) < 0)
		if (errno != EINTR)
			return log_perr(-errno, "Failed to wait for the helper in CT %s", ct->id);
	/* an error text means the helper failed, not the command */
	if (log_first_recv(rfd) > 0)
		return WIFEXITED(status) && WEXITSTATUS(status) ? -WEXITSTATUS(status) : -EIO;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
