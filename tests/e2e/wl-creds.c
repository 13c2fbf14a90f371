// SPDX-License-Identifier: GPL-2.0-only
/*
 * Credentials and per-task settings across checkpoint/restore (run as
 * root). Child 1 becomes another user with kept capabilities: uids, gids,
 * groups, capability sets (effective, permitted, inheritable, bounding,
 * ambient), securebits, no_new_privs. Child 2 changes its settings:
 * personality, rlimits, comm, umask, nice, parent-death signal, dumpable,
 * child-subreaper, oom_score_adj. Each checks itself after the restore.
 */
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

static int capget_sets(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &h, d);
}

static int capset_sets(const struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capset, &h, d);
}

#define CAPS_PRM ((1U << CAP_CHOWN) | (1U << CAP_NET_RAW) | (1U << CAP_KILL))
#define CAPS_EFF ((1U << CAP_CHOWN) | (1U << CAP_NET_RAW))
#define CAPS_INH (1U << CAP_NET_RAW)

static int user_child(void)
{
	struct __user_cap_data_struct d[2] = {};
	gid_t groups[3] = { 100, 200, 300 }, got[8];
	uid_t r, e, s;
	gid_t gr, ge, gs;

	prctl(PR_CAPBSET_DROP, CAP_SYS_MODULE);
	setgroups(3, groups);
	prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS | SECBIT_NO_SETUID_FIXUP);
	if (setresgid(1001, 1002, 1003) || setresuid(2001, 2002, 2003))
		return 30;
	d[0].permitted = CAPS_PRM;
	d[0].effective = CAPS_EFF;
	d[0].inheritable = CAPS_INH;
	if (capset_sets(d))
		return 31;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0))
		return 32;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	wl_wait();
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	if (r != 2001 || e != 2002 || s != 2003 || gr != 1001 || ge != 1002 || gs != 1003)
		return 10;
	if (getgroups(8, got) != 3 || got[0] != 100 || got[2] != 300)
		return 11;
	memset(d, 0, sizeof(d));
	if (capget_sets(d) || d[0].permitted != CAPS_PRM || d[0].effective != CAPS_EFF ||
	    d[0].inheritable != CAPS_INH || d[1].permitted)
		return 12;
	if (prctl(PR_CAPBSET_READ, CAP_SYS_MODULE) != 0 || prctl(PR_CAPBSET_READ, CAP_CHOWN) != 1)
		return 13;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0) != 1)
		return 14;
	if (prctl(PR_GET_SECUREBITS) != (SECBIT_KEEP_CAPS | SECBIT_NO_SETUID_FIXUP))
		return 15;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 16;
	return 0;
}

static int settings_child(void)
{
	struct rlimit rl = { 100, 200 }, got;
	char comm[16];
	int sig = 0;

	personality(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC);
	setrlimit(RLIMIT_NOFILE, &rl);
	rl = (struct rlimit){ 0, 0 };
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_NAME, "wl-settings");
	umask(027);
	setpriority(PRIO_PROCESS, 0, 7);
	prctl(PR_SET_PDEATHSIG, SIGUSR1);
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGTRAP, SIG_IGN);	/* the engine's breakpoints must not reset it */
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);
	if (fd < 0 || write(fd, "123", 3) != 3)
		return 39;
	close(fd);
	wl_wait();
	if (personality(0xffffffff) != (ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC))
		return 20;
	if (getrlimit(RLIMIT_NOFILE, &got) || got.rlim_cur != 100 || got.rlim_max != 200)
		return 21;
	if (getrlimit(RLIMIT_CORE, &got) || got.rlim_cur || got.rlim_max)
		return 22;
	if (prctl(PR_GET_NAME, comm) || strcmp(comm, "wl-settings"))
		return 23;
	if (umask(0) != 027)
		return 24;
	if (getpriority(PRIO_PROCESS, 0) != 7)
		return 25;
	if (prctl(PR_GET_PDEATHSIG, &sig) || sig != SIGUSR1)
		return 26;
	if (prctl(PR_GET_DUMPABLE) != 0)
		return 27;
	if (prctl(PR_GET_CHILD_SUBREAPER, &sig) || sig != 1)
		return 28;
	struct sigaction old;
	if (sigaction(SIGTRAP, NULL, &old) || old.sa_handler != SIG_IGN)
		return 38;
	char buf[16] = "";
	fd = open("/proc/self/oom_score_adj", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0 || atoi(buf) != 123)
		return 29;
	return 0;
}

int main(int argc, char **argv)
{
	pid_t kids[2];
	int i, st;

	wl_init(argc, argv);
	if (geteuid() != 0) {
		wl_fail("must run as root");
		return wl_done();
	}
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(i ? settings_child() : user_child());
	}
	wl_ready();
	wl_wait();
	for (i = 0; i < 2; i++) {
		kill(kids[i], SIGUSR2);
		waitpid(kids[i], &st, 0);
		wl_check(WIFEXITED(st) && !WEXITSTATUS(st), "child %d: exit status %d", i,
			 WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
	}
	return wl_done();
}
