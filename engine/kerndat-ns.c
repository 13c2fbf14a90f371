// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat namespace probes: which namespace types this kernel creates
 * (unshare each in a child), and whether a time namespace really shifts
 * CLOCK_MONOTONIC for the tasks born in it.
 */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "kerndat-probe.h"
#include "log.h"

static const struct {
	unsigned int flag;
	const char *name;	/* as in /proc/PID/ns/ */
	bool required;
} ns_types[] = {
	{ CLONE_NEWNS, "mnt", true },
	{ CLONE_NEWUTS, "uts", true },
	{ CLONE_NEWIPC, "ipc", true },
	{ CLONE_NEWPID, "pid", true },
	{ CLONE_NEWNET, "net", true },
	{ CLONE_NEWUSER, "user", false },
	{ CLONE_NEWCGROUP, "cgroup", false },
	{ CLONE_NEWTIME, "time", false },
};

#define NR_NS	ARRAY_SIZE(ns_types)

struct ns_reply {
	int err[NR_NS];		/* errno of unshare() per type, 0 if it worked */
};

/*
 * Child: unshare each type on its own. Types refused with EPERM are tried
 * again inside a new user namespace, where an unprivileged prober has the
 * capabilities to create them.
 */
static int ns_child(void *arg, int wfd)
{
	struct ns_reply rep;
	size_t i, user = 0;

	(void)arg;
	for (i = 0; i < NR_NS; i++) {
		if (ns_types[i].flag == CLONE_NEWUSER) {
			user = i;
			continue;
		}
		rep.err[i] = unshare(ns_types[i].flag) ? errno : 0;
	}
	rep.err[user] = unshare(CLONE_NEWUSER) ? errno : 0;
	for (i = 0; i < NR_NS && !rep.err[user]; i++)
		if (rep.err[i] == EPERM)
			rep.err[i] = unshare(ns_types[i].flag) ? errno : 0;
	kd_reply(wfd, &rep, sizeof(rep));
	return 0;
}

/* "mnt uts ... time" for the present types; "; no X: ENAME" for the rest. */
static void ns_detail(struct kerndat *kd, const struct ns_reply *rep, bool *ret_ok)
{
	char have[128] = "", missing[256] = "";
	size_t i, hl = 0, ml = 0;

	*ret_ok = true;
	for (i = 0; i < NR_NS; i++) {
		if (!rep->err[i]) {
			kd->ns_flags |= ns_types[i].flag;
			hl += snprintf(have + hl, sizeof(have) - hl, "%s%s", hl ? " " : "",
				       ns_types[i].name);
			continue;
		}
		if (ns_types[i].required)
			*ret_ok = false;
		ml += snprintf(missing + ml, sizeof(missing) - ml, "; no %s: %s",
			       ns_types[i].name, kd_errname(rep->err[i]));
		if (ml >= sizeof(missing))
			ml = sizeof(missing) - 1;
	}
	kd_set(kd, KD_NAMESPACES, *ret_ok, "%s%s", have, missing);
}

static void probe_namespaces(struct kerndat *kd)
{
	struct ns_reply rep;
	struct kd_child c;
	bool ok;
	int r;

	r = kd_child_start(&c, ns_child, NULL);
	if (r) {
		kd_no(kd, KD_NAMESPACES, r, "fork");
		return;
	}
	r = kd_child_read(&c, &rep, sizeof(rep), KD_TIMEOUT_MS);
	if (r) {
		kd_child_kill(&c);
		kd_no(kd, KD_NAMESPACES, r, "waiting for the probe");
		return;
	}
	kd_child_wait(&c, KD_TIMEOUT_MS);
	ns_detail(kd, &rep, &ok);
}

#define TIMENS_SHIFT	1000	/* seconds added to CLOCK_MONOTONIC */

struct timens_reply {
	int err;
	const char *step;	/* static string: the child is a fork of us */
	long long shift;	/* grandchild's monotonic minus the child's, in s */
};

static int timens_fail(int wfd, struct timens_reply *rep, const char *step)
{
	rep->err = errno;
	rep->step = step;
	kd_reply(wfd, rep, sizeof(*rep));
	return 1;
}

/* Child: new time namespace with shifted offsets; a grandchild reads the clock. */
static int timens_child(void *arg, int wfd)
{
	struct timens_reply rep = { 0 };
	struct timespec before, in = { 0 };
	int fd, len, p[2], status;
	char offs[64];
	pid_t pid;

	(void)arg;
	/* without CAP_SYS_ADMIN, a user namespace of our own gives it */
	if (unshare(CLONE_NEWTIME) &&
	    (errno != EPERM || unshare(CLONE_NEWUSER | CLONE_NEWTIME)))
		return timens_fail(wfd, &rep, "unshare(CLONE_NEWTIME)");
	/* offsets may only be written before the first task enters the ns */
	len = snprintf(offs, sizeof(offs), "monotonic %d 0", TIMENS_SHIFT);
	fd = open("/proc/self/timens_offsets", O_WRONLY);
	if (fd < 0 || write(fd, offs, len) != len)
		return timens_fail(wfd, &rep, "write timens_offsets");
	if (pipe(p))
		return timens_fail(wfd, &rep, "pipe");
	clock_gettime(CLOCK_MONOTONIC, &before);
	pid = fork();
	if (pid < 0)
		return timens_fail(wfd, &rep, "fork into the time namespace");
	if (pid == 0) {
		clock_gettime(CLOCK_MONOTONIC, &in);
		kd_reply(p[1], &in, sizeof(in));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &in, sizeof(in)) != sizeof(in))
		return timens_fail(wfd, &rep, "read the clock in the time namespace");
	waitpid(pid, &status, 0);
	rep.shift = (long long)in.tv_sec - before.tv_sec;
	kd_reply(wfd, &rep, sizeof(rep));
	return 0;
}

static void probe_timens(struct kerndat *kd)
{
	struct timens_reply rep;
	struct kd_child c;
	int r;

	r = kd_child_start(&c, timens_child, NULL);
	if (r) {
		kd_no(kd, KD_TIME_NS, r, "fork");
		return;
	}
	r = kd_child_read(&c, &rep, sizeof(rep), KD_TIMEOUT_MS);
	if (r) {
		kd_child_kill(&c);
		kd_no(kd, KD_TIME_NS, r, "waiting for the probe");
		return;
	}
	kd_child_wait(&c, KD_TIMEOUT_MS);
	if (rep.step)
		kd_no(kd, KD_TIME_NS, -rep.err, rep.step);
	else if (rep.shift < TIMENS_SHIFT - 1 || rep.shift > TIMENS_SHIFT + 1)
		kd_set(kd, KD_TIME_NS, false, "monotonic clock shifted by %llds, not %ds",
		       rep.shift, TIMENS_SHIFT);
	else
		kd_set(kd, KD_TIME_NS, true,
		       "CLOCK_MONOTONIC shifted by %ds in a new time namespace", TIMENS_SHIFT);
}

void kd_probe_ns(struct kerndat *kd)
{
	probe_namespaces(kd);
	probe_timens(kd);
}
