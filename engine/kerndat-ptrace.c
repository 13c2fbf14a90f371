// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat ptrace probes, on one child: PTRACE_SEIZE + PTRACE_INTERRUPT,
 * PTRACE_PEEKSIGINFO of a queued blocked signal, and the arch xstate regset.
 */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define PTRACE_O_SUSPEND_SECCOMP_	(1 << 21)

#include "arch.h"
#include "kerndat-probe.h"
#include "log.h"
#include "ptrace.h"

/* Child: queue a blocked SIGUSR1 on itself, say so, then wait to be killed. */
static int traced_child(void *arg, int wfd)
{
	sigset_t set;
	int err = 0;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) || raise(SIGUSR1))
		err = errno;
	kd_reply(wfd, &err, sizeof(err));
	return kd_child_idle();
}

/* Seize and interrupt @pid; 0 once it sits in PTRACE_EVENT_STOP. */
static int seize_interrupt(struct kerndat *kd, pid_t pid)
{
	int status, r;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		kd_no(kd, KD_PTRACE_SEIZE, -errno, "PTRACE_SEIZE");
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0)) {
		kd_no(kd, KD_PTRACE_SEIZE, -errno, "PTRACE_INTERRUPT");
		return -1;
	}
	r = kd_waitpid(pid, 0, KD_TIMEOUT_MS, &status);
	if (r) {
		kd_no(kd, KD_PTRACE_SEIZE, r, "waiting for the interrupt stop");
		return -1;
	}
	if (!WIFSTOPPED(status) || (status >> 16) != PTRACE_EVENT_STOP) {
		kd_set(kd, KD_PTRACE_SEIZE, false,
		       "unexpected wait status %#x after PTRACE_INTERRUPT", status);
		return -1;
	}
	kd_set(kd, KD_PTRACE_SEIZE, true, "seized, interrupted into PTRACE_EVENT_STOP");
	return 0;
}

static void probe_peeksiginfo(struct kerndat *kd, pid_t pid)
{
	struct __ptrace_peeksiginfo_args args = { .off = 0, .flags = 0, .nr = 1 };
	siginfo_t si;
	long n;

	memset(&si, 0, sizeof(si));
	n = ptrace(PTRACE_PEEKSIGINFO, pid, &args, &si);
	if (n < 0)
		kd_no(kd, KD_PTRACE_PEEKSIGINFO, -errno, "PTRACE_PEEKSIGINFO");
	else if (n != 1 || si.si_signo != SIGUSR1)
		kd_set(kd, KD_PTRACE_PEEKSIGINFO, false,
		       "peeked %ld entries, signal %d; expected the queued SIGUSR1", n,
		       si.si_signo);
	else
		kd_set(kd, KD_PTRACE_PEEKSIGINFO, true, "queued SIGUSR1 peeked (si_code %d)",
		       si.si_code);
}

static void probe_xstate(struct kerndat *kd, pid_t pid)
{
	struct arch_xstate_info xi;
	int r;

	r = arch_xstate_probe(pid, &xi);
	if (r == -EPROTO) {
		kd_set(kd, KD_PTRACE_XSTATE, false,
		       "regset does not match the CPU (CPU save area %zu bytes)",
		       arch_xstate_cpu_size());
		return;
	}
	if (r == -ENODEV) {
		kd_set(kd, KD_PTRACE_XSTATE, false, "no xstate save area on this CPU");
		return;
	}
	if (r) {
		kd_no(kd, KD_PTRACE_XSTATE, r, "PTRACE_GETREGSET");
		return;
	}
	kd->xstate_size = xi.size;
	kd->xfeatures = xi.xfeatures;
	kd_set(kd, KD_PTRACE_XSTATE, true, "%s %zu bytes (CPU: %zu), features %#llx", xi.regset,
	       xi.size, xi.cpu_size, (unsigned long long)xi.xfeatures);
}

/* The child is glibc's: its thread has registered rseq. */
static void probe_rseq(struct kerndat *kd, pid_t pid)
{
	struct ptrace_rseq rc = {};

	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION_, pid, sizeof(rc), &rc) < 0)
		kd_no(kd, KD_PTRACE_RSEQ, -errno, "PTRACE_GET_RSEQ_CONFIGURATION");
	else
		kd_set(kd, KD_PTRACE_RSEQ, true, "rseq area of %u bytes%s", rc.abi_size,
		       rc.abi_pointer ? "" : " (none registered)");
}

static void probe_suspend_seccomp(struct kerndat *kd, pid_t pid)
{
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_SUSPEND_SECCOMP_) < 0)
		kd_no(kd, KD_SUSPEND_SECCOMP, -errno, "PTRACE_SETOPTIONS");
	else
		kd_set(kd, KD_SUSPEND_SECCOMP, true, "accepted on a seized child");
}

void kd_probe_ptrace(struct kerndat *kd)
{
	struct kd_child c;
	int err, r;

	r = kd_child_start(&c, traced_child, NULL);
	if (r) {
		kd_no(kd, KD_PTRACE_SEIZE, r, "fork");
		goto out_skip;
	}
	r = kd_child_read(&c, &err, sizeof(err), KD_TIMEOUT_MS);
	if (r || err) {
		kd_no(kd, KD_PTRACE_SEIZE, r ? r : -err, "preparing the child");
		goto out_kill;
	}
	if (seize_interrupt(kd, c.pid))
		goto out_kill;
	probe_peeksiginfo(kd, c.pid);
	probe_xstate(kd, c.pid);
	probe_rseq(kd, c.pid);
	probe_suspend_seccomp(kd, c.pid);
	kd_child_kill(&c);
	return;

out_kill:
	kd_child_kill(&c);
out_skip:
	kd_set(kd, KD_PTRACE_PEEKSIGINFO, false, "not probed: no stopped tracee");
	kd_set(kd, KD_PTRACE_XSTATE, false, "not probed: no stopped tracee");
	kd_set(kd, KD_PTRACE_RSEQ, false, "not probed: no stopped tracee");
	kd_set(kd, KD_SUSPEND_SECCOMP, false, "not probed: no stopped tracee");
}
