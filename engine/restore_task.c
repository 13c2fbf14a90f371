// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-task and per-thread state back into a skeleton: limits, personality,
 * prctl flags, signals, threads (clone3 with their tids), rseq, robust
 * lists, credentials last; then registers, masks and release.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <asm/syscall-nr.h>

#include "arch.h"
#include "io.h"
#include "log.h"
#include "pidns.h"
#include "ptrace.h"
#include "restore.h"
#include "restore_sig.h"
#include "seccomp.h"

#define RSEQ_FLAG_UNREGISTER 1


static long rcall(struct infect *inf, const char *what, long nr, unsigned long a0,
		  unsigned long a1, unsigned long a2, unsigned long a3)
{
	return infect_call(inf, what, nr, a0, a1, a2, a3, 0, 0);
}

/*
 * glibc registered rseq for the skeleton's own thread: the kernel would keep
 * writing into memory that is about to become the dumped task's. Undo it.
 */
int rst_drop_skeleton_rseq(struct infect *inf)
{
	struct ptrace_rseq rc;
	int err = ptrace_get_rseq(inf->tid, &rc);

	if (err || !rc.abi_pointer)
		return err;
	return (int)rcall(inf, "unregister the skeleton's rseq", NR_rseq, rc.abi_pointer,
			  rc.abi_size, RSEQ_FLAG_UNREGISTER, rc.signature) < 0 ? -EINVAL : 0;
}

static int set_rlimits(struct infect *inf, const TaskCoreEntry *tc)
{
	size_t r;

	for (r = 0; tc->rlimits && r < tc->rlimits->n_rlimits; r++) {
		struct rlimit lim = { tc->rlimits->rlimits[r]->cur, tc->rlimits->rlimits[r]->max };
		const unsigned long args[6] = { 0, r, inf->scratch, 0, 0, 0 };
		long ret;
		int err;

		err = infect_poke(inf, inf->scratch, &lim, sizeof(lim)) ?:
		      infect_syscall(inf, &ret, NR_prlimit64, args);
		if (err)
			return err;
		/* raising a hard limit needs CAP_SYS_RESOURCE, which a host may not give */
		if (ret == -EPERM)
			pr_warn("Task %d: rlimit %zu stays below %llu (no CAP_SYS_RESOURCE), ignoring",
				inf->tid, r, (unsigned long long)lim.rlim_max);
		else if (ret < 0)
			return log_perr((int)ret, "Failed to set rlimit %zu of task %d", r, inf->tid);
	}
	return 0;
}

static int set_comm(struct infect *inf, const char *comm)
{
	char buf[16] = "";

	if (!comm)
		return 0;
	snprintf(buf, sizeof(buf), "%s", comm);
	return infect_poke(inf, inf->scratch, buf, sizeof(buf)) ?:
	       (int)(rcall(inf, "set comm", NR_prctl, PR_SET_NAME, inf->scratch, 0, 0) < 0 ? -EINVAL : 0);
}

static int write_oom_adj(pid_t pid, int v)
{
	char path[64], val[16];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	snprintf(val, sizeof(val), "%d", v);
	err = write_file_at(AT_FDCWD, path, val);
	return err < 0 ? log_perr(err, "Failed to write '%s'", path) : 0;
}

int rst_task_state(struct rst_ctx *c, struct rst_task *t)
{
	const TaskCoreEntry *tc = t->cores[0]->tc;
	struct infect *inf = &t->inf;
	long r;
	int err;

	r = rcall(inf, "set the personality", NR_personality, tc->personality, 0, 0, 0);
	if (r < 0)
		return r;
	if (t->mm->has_dumpable) {
		r = rcall(inf, "set dumpable", NR_prctl, PR_SET_DUMPABLE, t->mm->dumpable, 0, 0);
		if (r < 0)
			return r;
	}
	if (tc->has_child_subreaper && tc->child_subreaper) {
		r = rcall(inf, "become a subreaper", NR_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0);
		if (r < 0)
			return r;
	}
	/* a group outside the tree is the caller's: the task stays in ours */
	if (t->pgid != t->pid && rst_find(c, t->pgid)) {
		r = rcall(inf, "join the process group", NR_setpgid, 0, t->pgid, 0, 0);
		if (r < 0)
			return r;
	}
	err = set_rlimits(inf, tc) ?: rst_sigactions(inf, tc);
	if (!err && tc->has_oom_score_adj)
		err = write_oom_adj(t->hpid, tc->oom_score_adj);
	return err;
}

/* Create thread @tid in the task with the leader's scratch (clone3 set_tid). */
static int create_thread(struct rst_task *t, int idx)
{
	pid_t tid = t->threads[idx];
	struct infect *inf = &t->inf;
	struct clone_args a = {
		.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			 CLONE_SYSVSEM,
		.set_tid = inf->scratch + sizeof(a),
		.set_tid_size = 1,
	};
	int status, err;
	long r;

	err = infect_poke(inf, inf->scratch, &a, sizeof(a)) ?:
	      infect_poke(inf, inf->scratch + sizeof(a), &tid, sizeof(tid));
	if (err)
		return err;
	r = rcall(inf, "create a thread", NR_clone3, inf->scratch, sizeof(a), 0, 0);
	if (r < 0)
		return r;
	if (r != tid)
		return log_err(-EEXIST, "Task %d: thread %d came up as %ld", t->pid, tid, r);
	/* its id on the host, where we trace it: another one in a CT */
	if (t->hpid != t->pid) {
		err = pidns_find_thread(t->hpid, tid, &t->hthreads[idx]);
		if (err)
			return err;
	}
	/* auto-attached (PTRACE_O_TRACECLONE): it waits in its first stop */
	status = ptrace_wait(t->hthreads[idx]);
	if (status < 0)
		return status;
	if (!WIFSTOPPED(status))
		return log_err(-ESRCH, "Thread %d of task %d died at birth", tid, t->pid);
	return 0;
}

static int set_caps(struct infect *inf, const CredsEntry *ce)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0 };
	uint32_t data[6] = {};
	long r;

	if (ce->n_cap_eff != 2 || ce->n_cap_prm != 2 || ce->n_cap_inh != 2)
		return log_err(-EINVAL, "core-%d.img: capability sets of bad size", inf->tid);
	data[0] = ce->cap_eff[0]; data[1] = ce->cap_prm[0]; data[2] = ce->cap_inh[0];
	data[3] = ce->cap_eff[1]; data[4] = ce->cap_prm[1]; data[5] = ce->cap_inh[1];
	r = infect_poke(inf, inf->scratch, &hdr, sizeof(hdr)) ?:
	    infect_poke(inf, inf->scratch + 64, data, sizeof(data));
	if (!r)
		r = rcall(inf, "set capabilities", NR_capset, inf->scratch, inf->scratch + 64, 0, 0);
	return r < 0 ? r : 0;
}

static int drop_bounding(struct infect *inf, const CredsEntry *ce)
{
	int cap;

	if (ce->n_cap_bnd != 2)
		return log_err(-EINVAL, "core-%d.img: bounding set of bad size", inf->tid);
	for (cap = 0; cap < 64; cap++) {
		uint64_t bnd = ce->cap_bnd[0] | (uint64_t)ce->cap_bnd[1] << 32;
		const unsigned long args[6] = { PR_CAPBSET_DROP, cap };
		long r;
		int err;

		if (bnd & (1ULL << cap))
			continue;
		err = infect_syscall(inf, &r, NR_prctl, args);
		if (err)
			return err;
		if (r == -EINVAL)
			break;		/* past the last capability this kernel has */
		if (r < 0)
			return log_perr((int)r, "Failed to drop capability %d of task %d", cap,
					inf->tid);
	}
	return 0;
}

static int raise_ambient(struct infect *inf, const CredsEntry *ce)
{
	uint64_t amb;
	int cap;

	if (ce->n_cap_amb != 2)
		return 0;
	amb = ce->cap_amb[0] | (uint64_t)ce->cap_amb[1] << 32;
	for (cap = 0; cap < 64; cap++) {
		long r;

		if (!(amb & (1ULL << cap)))
			continue;
		r = rcall(inf, "raise an ambient capability", NR_prctl, PR_CAP_AMBIENT,
			  PR_CAP_AMBIENT_RAISE, cap, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

#define SECBIT_KEEP_CAPS	(1U << 4)
#define SECBIT_KEEP_CAPS_LOCKED	(1U << 5)

/*
 * Credentials in the order that keeps the power to set the next ones: the
 * bounding set, groups and securebits while still root; ids with the
 * capabilities kept across the uid change (KEEP_CAPS); the capability sets;
 * ambient ones; KEEP_CAPS as the dump had it (PR_SET_KEEPCAPS needs no
 * privilege); no_new_privs last.
 */
static int set_creds(struct infect *inf, const CredsEntry *ce)
{
	bool keep = ce && (ce->secbits & SECBIT_KEEP_CAPS);
	long r;

	if (!ce)
		return 0;
	r = drop_bounding(inf, ce);
	if (!r)
		r = infect_poke(inf, inf->scratch, ce->groups, ce->n_groups * sizeof(uint32_t));
	if (!r)
		r = rcall(inf, "set groups", NR_setgroups, ce->n_groups, inf->scratch, 0, 0);
	if (r >= 0)
		r = rcall(inf, "set securebits", NR_prctl, PR_SET_SECUREBITS,
			  ce->secbits | SECBIT_KEEP_CAPS, 0, 0);
	if (r >= 0)
		r = rcall(inf, "set gids", NR_setresgid, ce->gid, ce->egid, ce->sgid, 0);
	if (r >= 0)
		r = rcall(inf, "set uids", NR_setresuid, ce->uid, ce->euid, ce->suid, 0);
	if (r >= 0)
		r = rcall(inf, "set fsgid", NR_setfsgid, ce->fsgid, 0, 0, 0);
	if (r >= 0)
		r = rcall(inf, "set fsuid", NR_setfsuid, ce->fsuid, 0, 0, 0);
	if (r >= 0)
		r = set_caps(inf, ce) ?: raise_ambient(inf, ce);
	if (r >= 0 && !keep && !(ce->secbits & SECBIT_KEEP_CAPS_LOCKED))
		r = rcall(inf, "drop keep-caps", NR_prctl, PR_SET_KEEPCAPS, 0, 0, 0);
	if (r >= 0 && ce->has_no_new_privs && ce->no_new_privs)
		r = rcall(inf, "set no_new_privs", NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0);
	return r < 0 ? r : 0;
}

/* Scheduling, set from the tool: it may raise priorities a task may not. */
static int set_sched(pid_t tid, const ThreadCoreEntry *tc)
{
	struct sched_param sp = { .sched_priority = tc->sched_prio };

	if (tc->has_sched_policy && sched_setscheduler(tid, tc->sched_policy, &sp) < 0)
		return log_perr(-errno, "Failed to set the scheduling policy of %d to %u", tid,
				tc->sched_policy);
	if (tc->has_sched_nice && setpriority(PRIO_PROCESS, tid, tc->sched_nice) < 0)
		return log_perr(-errno, "Failed to set the nice value of %d to %d", tid,
				tc->sched_nice);
	return 0;
}

/*
 * Filters go in while the thread is still root (seccomp() needs
 * no_new_privs or CAP_SYS_ADMIN); the tool's own syscalls afterwards pass,
 * as restored tasks are traced with seccomp suspended.
 */
static int set_seccomp(struct rst_ctx *c, struct infect *inf, const ThreadCoreEntry *tc)
{
	if (!tc->has_seccomp_mode || tc->seccomp_mode == SECCOMP_MODE__disabled)
		return 0;
	if (tc->seccomp_mode != SECCOMP_MODE__filter || !tc->has_seccomp_filter)
		return log_err(-EOPNOTSUPP, "core-%d.img: seccomp mode %d not supported", inf->tid,
			       tc->seccomp_mode);
	return seccomp_restore_thread(inf, c->seccomp, tc->seccomp_filter);
}

static int thread_state(struct rst_ctx *c, struct infect *inf, const CoreEntry *core)
{
	const ThreadCoreEntry *tc = core->thread_core;
	long r = 0;

	if (!tc)
		return log_err(-EINVAL, "core-%d.img: no thread state", inf->tid);
	r = set_sched(inf->tid, tc);
	if (!r && tc->sas) {
		stack_t ss = { (void *)(uintptr_t)tc->sas->ss_sp, tc->sas->ss_flags, tc->sas->ss_size };

		r = infect_poke(inf, inf->scratch, &ss, sizeof(ss));
		if (!r)
			r = rcall(inf, "set the sigaltstack", NR_sigaltstack, inf->scratch, 0, 0, 0);
	}
	if (r >= 0 && tc->rseq_entry)
		r = rcall(inf, "register rseq", NR_rseq, tc->rseq_entry->rseq_abi_pointer,
			  tc->rseq_entry->rseq_abi_size, 0, tc->rseq_entry->signature);
	if (r >= 0)
		r = rcall(inf, "set the robust futex list", NR_set_robust_list, tc->futex_rla,
			  tc->futex_rla_len, 0, 0);
	if (r >= 0)
		r = rcall(inf, "set clear_child_tid", NR_set_tid_address,
			  arch_core_get_clear_tid(core), 0, 0, 0);
	if (r >= 0 && tc->has_pdeath_sig)
		r = rcall(inf, "set the parent-death signal", NR_prctl, PR_SET_PDEATHSIG,
			  tc->pdeath_sig, 0, 0);
	if (r >= 0)
		r = set_comm(inf, tc->comm) ?: set_seccomp(c, inf, tc) ?: set_creds(inf, tc->creds);
	return r < 0 ? r : 0;
}

/*
 * Registers and mask: the thread runs the dumped code once released. The
 * leader's come last, after it unmapped the scratch area.
 */
static int load_thread(struct infect *inf, const CoreEntry *core)
{
	const ThreadCoreEntry *tc = core->thread_core;
	int err = arch_thread_restore(inf->tid, core);

	if (!err)
		err = ptrace_set_sigmask(inf->tid, tc->has_blk_sigset ? tc->blk_sigset : 0);
	return err;
}

int rst_release(struct rst_task *t)
{
	int i, err = 0;

	for (i = 0; i < t->nr_threads; i++) {
		int e = ptrace_release(t->hthreads[i], t->cores[0]->tc->task_state == TASK_STATE_STOPPED);

		if (e && !err)
			err = e;
	}
	t->seized = false;
	return err;
}

int rst_threads(struct rst_ctx *c, struct rst_task *t)
{
	int i, err;

	(void)c;
	for (i = 1; i < t->nr_threads; i++) {
		err = create_thread(t, i);
		if (err)
			return err;
	}
	return thread_state(c, &t->inf, t->cores[0]);
}

int rst_finish(struct rst_ctx *c, struct rst_task *t)
{
	int i, err;
	long r;

	/* timers and pending signals last, once every thread is there */
	err = rst_signals(t);
	for (i = 1; !err && i < t->nr_threads; i++) {
		struct infect tinf;

		err = infect_attach_scratch(&tinf, t->hthreads[i], t->scratch, INFECT_SCRATCH_SIZE);
		if (err)
			break;
		err = thread_state(c, &tinf, t->cores[i]);
		tinf.keep_regs = true;
		infect_stop(&tinf);
		if (!err)
			err = load_thread(&tinf, t->cores[i]);
	}
	if (err)
		return err;
	/* the service fds (pages, files to map, the ready pipe), then the scratch area */
	r = rcall(&t->inf, "close service fds", NR_close_range, c->svc_base,
		  c->svc_base + t->nr_svc, 0, 0);
	if (r < 0)
		return r;
	/* the skeleton's scratch area goes with the last syscall; registers stay ours */
	t->inf.keep_regs = true;
	t->inf.own_scratch = true;
	err = infect_stop(&t->inf);
	return err ?: load_thread(&t->inf, t->cores[0]);
}
