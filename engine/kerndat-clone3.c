// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat clone3 set_tid probe, the way restore uses it: a child unshares a
 * pid namespace and forks its init, which asks clone3 for a chosen pid and
 * checks that the new task got it.
 *
 *   prober -> child (unshare CLONE_NEWPID) -> init (pid 1) -> task (KD_SET_TID)
 */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "kerndat-probe.h"
#include "log.h"

/* Any pid but 1 (the init) will do; this one is easy to spot in a trace. */
#define KD_SET_TID	4242

enum clone3_stage {
	ST_OK,
	ST_UNSHARE,	/* unshare(CLONE_NEWPID), also via a user namespace */
	ST_FORK,	/* fork of the namespace init */
	ST_CLONE3,
	ST_WAIT,
	ST_WRONG_PID,	/* clone3 returned or the task saw another pid */
};

static const char *const stage_names[] = {
	[ST_OK] = "ok",
	[ST_UNSHARE] = "unshare(CLONE_NEWPID)",
	[ST_FORK] = "fork of the pid namespace init",
	[ST_CLONE3] = "clone3 with set_tid",
	[ST_WAIT] = "waitpid",
	[ST_WRONG_PID] = "pid",
};

struct clone3_reply {
	int stage;	/* enum clone3_stage */
	int err;	/* errno at that stage */
	int got;	/* pid clone3 returned */
	int userns;	/* the pid namespace needed a user namespace first */
};

static void reply(int wfd, struct clone3_reply *rep, int stage, int err)
{
	rep->stage = stage;
	rep->err = err;
	kd_reply(wfd, rep, sizeof(*rep));
}

/* pid 1 of the new namespace: clone3 a task with pid KD_SET_TID. */
static int ns_init(int wfd, struct clone3_reply *rep)
{
	pid_t tid = KD_SET_TID;
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};
	int status;
	long pid;

	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		reply(wfd, rep, ST_CLONE3, errno);
		return 1;
	}
	if (pid == 0)	/* the new task: no libc state is touched here */
		_exit(getpid() == KD_SET_TID ? 0 : 1);
	rep->got = pid;
	if (waitpid(pid, &status, 0) != pid) {
		reply(wfd, rep, ST_WAIT, errno);
		return 1;
	}
	if (pid != KD_SET_TID || !WIFEXITED(status) || WEXITSTATUS(status)) {
		reply(wfd, rep, ST_WRONG_PID, 0);
		return 1;
	}
	reply(wfd, rep, ST_OK, 0);
	return 0;
}

static int clone3_child(void *arg, int wfd)
{
	struct clone3_reply rep = { 0 };
	int status;
	pid_t pid;

	(void)arg;
	if (unshare(CLONE_NEWPID)) {
		/* without CAP_SYS_ADMIN, a user namespace of our own gives it */
		if (errno != EPERM || unshare(CLONE_NEWUSER | CLONE_NEWPID)) {
			reply(wfd, &rep, ST_UNSHARE, errno);
			return 1;
		}
		rep.userns = 1;
	}
	pid = fork();
	if (pid < 0) {
		reply(wfd, &rep, ST_FORK, errno);
		return 1;
	}
	if (pid == 0) {
		/*
		 * If our parent is killed on a timeout, the whole namespace
		 * goes. (getppid() is 0 here, the parent being outside the
		 * namespace, so a parent that died already is not detected;
		 * the init then runs to its end on its own, which is quick.)
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(ns_init(wfd, &rep));
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

void kd_probe_clone3(struct kerndat *kd)
{
	struct clone3_reply rep;
	struct kd_child c;
	int r;

	r = kd_child_start(&c, clone3_child, NULL);
	if (r) {
		kd_no(kd, KD_CLONE3_SET_TID, r, "fork");
		return;
	}
	r = kd_child_read(&c, &rep, sizeof(rep), KD_TIMEOUT_MS);
	if (r) {
		kd_child_kill(&c);
		kd_no(kd, KD_CLONE3_SET_TID, r, "waiting for the probe");
		return;
	}
	kd_child_wait(&c, KD_TIMEOUT_MS);
	if ((unsigned int)rep.stage >= ARRAY_SIZE(stage_names))
		kd_set(kd, KD_CLONE3_SET_TID, false, "garbled reply from the probe");
	else if (rep.stage == ST_WRONG_PID)
		kd_set(kd, KD_CLONE3_SET_TID, false,
		       "asked for pid %d: clone3 returned %d, or the task saw another pid",
		       KD_SET_TID, rep.got);
	else if (rep.stage != ST_OK)
		kd_no(kd, KD_CLONE3_SET_TID, -rep.err, stage_names[rep.stage]);
	else
		kd_set(kd, KD_CLONE3_SET_TID, true, "pid %d in a new pid namespace%s", KD_SET_TID,
		       rep.userns ? " (inside a user namespace)" : "");
}
