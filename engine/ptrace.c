// SPDX-License-Identifier: GPL-2.0-only
/* Seize, stop and release tasks. */
#define LOG_PREFIX "ptrace: "
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "log.h"
#include "ptrace.h"

#ifndef PTRACE_O_SUSPEND_SECCOMP
#define PTRACE_O_SUSPEND_SECCOMP (1 << 21)
#endif

int ptrace_wait(pid_t tid)
{
	int status;

	for (;;) {
		pid_t r = waitpid(tid, &status, __WALL);

		if (r == tid)
			return status;
		if (r < 0 && errno == EINTR)
			continue;
		return log_perr(r < 0 ? -errno : -ECHILD, "Failed to wait for %d", tid);
	}
}

static unsigned long seize_options(int opts)
{
	unsigned long o = PTRACE_O_TRACESYSGOOD;

	/* injected syscalls must pass the task's filters, dumped or restored */
	o |= PTRACE_O_SUSPEND_SECCOMP;
	if (opts & SEIZE_OPTS_RESTORE)
		o |= PTRACE_O_TRACECLONE;
	return o;
}

int ptrace_seize_interrupt(pid_t tid, int opts)
{
	if (ptrace(PTRACE_SEIZE, tid, 0, seize_options(opts)) < 0) {
		if (errno == ESRCH)
			return -ESRCH;
		return log_perr(-errno, "Failed to seize task %d", tid);
	}
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0) {
		if (errno == ESRCH)
			return -ESRCH;
		return log_perr(-errno, "Failed to interrupt task %d", tid);
	}
	return 0;
}

int ptrace_seize_stop(pid_t tid, int opts, struct seized *ret)
{
	int err = ptrace_seize_interrupt(tid, opts);

	return err ?: ptrace_wait_seized(tid, ret);
}

int ptrace_wait_seized(pid_t tid, struct seized *ret)
{
	struct seized s = { .tid = tid };
	int status;

	for (;;) {
		status = ptrace_wait(tid);
		if (status < 0)
			return status;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return -ESRCH;
		if (status >> 16 == PTRACE_EVENT_STOP)
			break;
		/* a signal on its way in: let it through; the interrupt trap follows */
		if (ptrace(PTRACE_CONT, tid, 0, WSTOPSIG(status)) < 0)
			return log_perr(-errno, "Failed to resume %d with signal %d", tid,
					WSTOPSIG(status));
	}
	/* the trap of PTRACE_INTERRUPT reports SIGTRAP; a group stop its signal */
	if (WSTOPSIG(status) != SIGTRAP) {
		s.group_stopped = true;
		s.stop_sig = WSTOPSIG(status);
	}
	*ret = s;
	return 0;
}

int ptrace_release(pid_t tid, bool stopped)
{
	if (ptrace(PTRACE_DETACH, tid, 0, stopped ? SIGSTOP : 0) < 0)
		return log_perr(-errno, "Failed to detach from %d", tid);
	return 0;
}

int ptrace_get_sigmask(pid_t tid, uint64_t *ret_mask)
{
	uint64_t m;

	if (ptrace(PTRACE_GETSIGMASK, tid, sizeof(m), &m) < 0)
		return log_perr(-errno, "Failed to get the signal mask of %d", tid);
	*ret_mask = m;
	return 0;
}

int ptrace_set_sigmask(pid_t tid, uint64_t mask)
{
	if (ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask) < 0)
		return log_perr(-errno, "Failed to set the signal mask of %d", tid);
	return 0;
}

int ptrace_get_rseq(pid_t tid, struct ptrace_rseq *ret)
{
	struct ptrace_rseq rc = {};

	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION_, tid, sizeof(rc), &rc) < 0)
		return log_perr(-errno, "Failed to get the rseq registration of %d", tid);
	*ret = rc;
	return 0;
}
