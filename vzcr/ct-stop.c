// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stopping a CT. busybox init powers off on SIGUSR2 (SIGTERM means reboot,
 * SIGUSR1 halt): it runs its shutdown actions, sends SIGTERM then SIGKILL to
 * every process and calls reboot(), which in a pid namespace kills the
 * namespace's init (kernel reboot_pid_ns()), so init exits either way;
 * SIGUSR2 says what we mean. After @timeout seconds it gets SIGKILL. Then the
 * host end of the veth, the cgroup, the disk image's mount and loop device
 * and the runtime state are removed.
 */
#define LOG_PREFIX "stop: "
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "log.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Wait up to @ms for the process behind @pidfd to exit; 1 if it did. */
static int wait_exit(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return log_perr(-errno, "Failed to wait for init");
	return n > 0;
}

/*
 * Ask init to power off, again every half second until @timeout: the init
 * of a pid namespace drops a signal it neither handles nor blocks, and busybox
 * init sets that up only after its exec, which `vzcr start` waits for; a stop
 * right after start would otherwise sit out the whole timeout. A repeated
 * SIGUSR2 is dropped the same way once init has begun to power off.
 * Returns 1 once init is gone, 0 at the timeout.
 */
static int ask_poweroff(int pidfd, pid_t pid, int timeout)
{
	int ms = 0, step, ret;

	do {
		if (syscall(SYS_pidfd_send_signal, pidfd, SIGUSR2, NULL, 0) < 0 && errno != ESRCH)
			return log_perr(-errno, "Failed to signal init %d", pid);
		step = timeout * 1000 - ms < 500 ? timeout * 1000 - ms : 500;
		ret = wait_exit(pidfd, step);
		ms += step;
	} while (ret == 0 && ms < timeout * 1000);
	return ret;
}

static int stop_init(const struct ct *ct, const struct ct_state *st, int timeout)
{
	_cleanup_close_ int pidfd = -EBADF;
	int ret;

	pidfd = syscall(SYS_pidfd_open, st->init_pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? 0 : log_perr(-errno, "Failed to open init %d", st->init_pid);
	/* the pidfd pins this very process: check that it is still the CT's init */
	if (ct_proc_starttime(st->init_pid) != st->init_start)
		return 0;
	ret = ask_poweroff(pidfd, st->init_pid, timeout);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	pr_warn("CT %s: init %d still runs after %d s, killing it", ct->id, st->init_pid, timeout);
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return log_perr(-errno, "Failed to kill init %d", st->init_pid);
	ret = wait_exit(pidfd, 10000);
	if (ret == 0)
		return log_err(-ETIMEDOUT, "CT %s: init %d does not die", ct->id, st->init_pid);
	return ret < 0 ? ret : 0;
}

int ct_stop(struct ct *ct, int timeout)
{
	struct ct_state st;
	int ret;

	ret = ct_running(ct, &st);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		ct_disk_umount(ct);	/* what a crash may have left */
		return log_err(-ESRCH, "CT %s is not running", ct->id);
	}
	ret = stop_init(ct, &st, timeout);
	if (ret < 0)
		return ret;
	ret = ct_stop_cleanup(ct, &st);
	if (ret == 0)
		pr_info("CT %s stopped", ct->id);
	return ret;
}

int ct_stop_cleanup(struct ct *ct, const struct ct_state *st)
{
	int ret;

	ct_net_host_cleanup(st->veth_host);
	ret = ct_cgroup_remove(st->cgroup);
	if (ret < 0)
		return ret;
	ret = ct_disk_umount(ct);
	if (ret < 0 && ret != -EBUSY)	/* busy: stopped, the image is released later */
		return ret;
	return ct_state_remove(ct);
}
