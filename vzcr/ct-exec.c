// SPDX-License-Identifier: GPL-2.0-only
/*
 * Running a command in a running CT: join its cgroup, then setns() into its
 * cgroup, ipc, uts, net, pid and mount namespaces (mount last: it changes
 * our root and cwd), chroot to its root and fork, since a new pid namespace
 * applies to children only. The command's exit status is returned, or with
 * --detach 0 once it is forked: it runs on as a daemon of the CT.
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

int ct_exec(struct ct *ct, const struct ct_state *st, char *const argv[], bool detached)
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
	signal(SIGINT, SIG_IGN);	/* the command gets ^C, we wait for it */
	signal(SIGQUIT, SIG_IGN);
	if (waitpid(pid, &status, 0) < 0)
		return log_perr(-errno, "Failed to wait for '%s'", argv[0]);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
