// SPDX-License-Identifier: GPL-2.0-only
/* core-TID.img: registers and per-thread state; task-wide state in the leader's. */
#define LOG_PREFIX "dump: "
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "dump.h"
#include "dump_sig.h"
#include "seccomp.h"
#include "io.h"
#include "log.h"
#include "xmalloc.h"


/* Read one int the kernel stores through a pointer (prctl PR_GET_*). */
static long get_int(struct infect *inf, const char *what, long nr, unsigned long a0)
{
	int v = 0;
	long r = infect_call(inf, what, nr, a0, inf->scratch, 0, 0, 0, 0);

	if (r < 0)
		return r;
	r = infect_peek(inf, inf->scratch, &v, sizeof(v));
	return r < 0 ? r : v;
}

static int thread_sas(struct infect *inf, ThreadCoreEntry *tc)
{
	stack_t ss;
	long r = infect_call(inf, "read the sigaltstack", NR_sigaltstack, 0, inf->scratch, 0, 0,
			     0, 0);

	if (r >= 0)
		r = infect_peek(inf, inf->scratch, &ss, sizeof(ss));
	if (r < 0)
		return r;
	tc->sas = xmalloc(sizeof(*tc->sas));
	if (!tc->sas)
		return -ENOMEM;
	thread_sas_entry__init(tc->sas);
	tc->sas->ss_sp = (unsigned long)ss.ss_sp;
	tc->sas->ss_size = ss.ss_size;
	tc->sas->ss_flags = ss.ss_flags;
	return 0;
}

static int thread_rseq(pid_t tid, ThreadCoreEntry *tc)
{
	struct ptrace_rseq rc;
	int err = ptrace_get_rseq(tid, &rc);

	if (err || !rc.abi_pointer)
		return err;
	tc->rseq_entry = xmalloc(sizeof(*tc->rseq_entry));
	if (!tc->rseq_entry)
		return -ENOMEM;
	rseq_entry__init(tc->rseq_entry);
	tc->rseq_entry->rseq_abi_pointer = rc.abi_pointer;
	tc->rseq_entry->rseq_abi_size = rc.abi_size;
	tc->rseq_entry->signature = rc.signature;
	return 0;
}

static int caps_words(uint32_t **ret, size_t *n, uint64_t v)
{
	*ret = xmalloc(2 * sizeof(uint32_t));
	if (!*ret)
		return -ENOMEM;
	(*ret)[0] = v;
	(*ret)[1] = v >> 32;
	*n = 2;
	return 0;
}

static int thread_creds(struct infect *inf, pid_t pid, pid_t tid, ThreadCoreEntry *tc,
			struct seccomp_table *sc)
{
	struct proc_status st;
	CredsEntry *ce;
	long secbits;
	int err;

	err = proc_parse_status(pid, tid, &st);
	if (err)
		return err;
	if (st.seccomp == 1) {
		proc_status_free(&st);
		return log_err(-EOPNOTSUPP, "Thread %d is in strict seccomp mode: not supported", tid);
	}
	if (st.seccomp == 2) {
		err = seccomp_dump_thread(sc, tid, &tc->seccomp_filter);
		if (err) {
			proc_status_free(&st);
			return err;
		}
		tc->has_seccomp_mode = tc->has_seccomp_filter = true;
		tc->seccomp_mode = SECCOMP_MODE__filter;
	}
	/* PR_GET_SECUREBITS returns the bits, it does not store them */
	secbits = infect_call(inf, "read securebits", NR_prctl, PR_GET_SECUREBITS, 0, 0, 0, 0, 0);
	ce = tc->creds = xmalloc(sizeof(*ce));
	if (secbits < 0 || !ce) {
		proc_status_free(&st);
		return secbits < 0 ? secbits : -ENOMEM;
	}
	creds_entry__init(ce);
	ce->uid = st.uid[0]; ce->euid = st.uid[1]; ce->suid = st.uid[2]; ce->fsuid = st.uid[3];
	ce->gid = st.gid[0]; ce->egid = st.gid[1]; ce->sgid = st.gid[2]; ce->fsgid = st.gid[3];
	ce->secbits = secbits;
	ce->groups = TAKE_PTR(st.groups);
	ce->n_groups = st.nr_groups;
	ce->has_no_new_privs = true;
	ce->no_new_privs = st.no_new_privs;
	err = caps_words(&ce->cap_inh, &ce->n_cap_inh, st.cap_inh) ?:
	      caps_words(&ce->cap_prm, &ce->n_cap_prm, st.cap_prm) ?:
	      caps_words(&ce->cap_eff, &ce->n_cap_eff, st.cap_eff) ?:
	      caps_words(&ce->cap_bnd, &ce->n_cap_bnd, st.cap_bnd) ?:
	      caps_words(&ce->cap_amb, &ce->n_cap_amb, st.cap_amb);
	return err;
}

static int thread_sched(pid_t tid, ThreadCoreEntry *tc)
{
	struct sched_param sp;
	int policy = sched_getscheduler(tid);

	errno = 0;
	tc->sched_nice = getpriority(PRIO_PROCESS, tid);
	if (policy < 0 || errno || sched_getparam(tid, &sp) < 0)
		return log_perr(-errno, "Failed to read the scheduling of %d", tid);
	tc->has_sched_nice = tc->has_sched_policy = tc->has_sched_prio = true;
	tc->sched_policy = policy;
	tc->sched_prio = sp.sched_priority;
	return 0;
}

/* Per-thread state; @inf runs syscalls in that very thread. */
static int thread_core(struct infect *inf, pid_t pid, ThreadCoreEntry *tc,
		       struct seccomp_table *sc)
{
	pid_t tid = inf->tid;
	struct robust_list_head *head;
	size_t len;
	long pds;
	int err;

	if (syscall(SYS_get_robust_list, tid, &head, &len) < 0)
		return log_perr(-errno, "Failed to get the robust futex list of %d", tid);
	tc->futex_rla = (unsigned long)head;
	tc->futex_rla_len = len;
	tc->has_blk_sigset = true;
	tc->blk_sigset = inf->orig_sigmask;
	pds = get_int(inf, "read the parent-death signal", NR_prctl, PR_GET_PDEATHSIG);
	if (pds < 0)
		return pds;
	tc->has_pdeath_sig = true;
	tc->pdeath_sig = pds;
	err = thread_sched(tid, tc) ?: thread_sas(inf, tc) ?: thread_rseq(tid, tc) ?:
	      dump_pending(tid, false, &tc->signals_p) ?: thread_creds(inf, pid, tid, tc, sc);
	return err;
}

static int read_comm(pid_t pid, pid_t tid, char **ret)
{
	char path[64], *buf;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	n = read_file_at(AT_FDCWD, path, 64, &buf);
	if (n < 0)
		return log_perr(n, "Failed to read '%s'", path);
	buf[strcspn(buf, "\n")] = '\0';
	*ret = buf;
	return 0;
}

static int task_rlimits(struct infect *inf, TaskCoreEntry *tc)
{
	TaskRlimitsEntry *rl = xmalloc(sizeof(*rl));
	int r;

	if (!rl)
		return -ENOMEM;
	task_rlimits_entry__init(rl);
	tc->rlimits = rl;
	rl->rlimits = xzalloc(RLIM_NLIMITS * sizeof(*rl->rlimits));
	if (!rl->rlimits)
		return -ENOMEM;
	/* inside the task: prlimit() from here needs CAP_SYS_RESOURCE for other uids */
	for (r = 0; r < RLIM_NLIMITS; r++) {
		struct rlimit lim;
		long ret = infect_call(inf, "read an rlimit", NR_prlimit64, 0, r, 0, inf->scratch,
				       0, 0);

		if (ret >= 0)
			ret = infect_peek(inf, inf->scratch, &lim, sizeof(lim));
		if (ret < 0)
			return ret;
		rl->rlimits[r] = xmalloc(sizeof(RlimitEntry));
		if (!rl->rlimits[r])
			return -ENOMEM;
		rlimit_entry__init(rl->rlimits[r]);
		rl->rlimits[r]->cur = lim.rlim_cur;
		rl->rlimits[r]->max = lim.rlim_max;
		rl->n_rlimits++;
	}
	return 0;
}

static int read_proc_long(pid_t pid, const char *name, int base, long *ret)
{
	_cleanup_free_ char *buf = NULL;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	if (read_file_at(AT_FDCWD, path, 64, &buf) < 0)
		return log_perr(-errno, "Failed to read '%s'", path);
	*ret = strtol(buf, NULL, base);
	return 0;
}

/* /proc/PID/timers names a timer's target thread by host tid: the image wants the task's view. */
static int timer_vtids(const struct pstree_item *it, TaskCoreEntry *tc)
{
	size_t i;

	for (i = 0; tc->timers && i < tc->timers->n_posix; i++)
		if (tc->timers->posix[i]->has_notify_thread_id)
			tc->timers->posix[i]->notify_thread_id =
				pstree_vtid(it, tc->timers->posix[i]->notify_thread_id);
	return 0;
}

static int task_core(struct task_dump *td, TaskCoreEntry **ret)
{
	TaskCoreEntry *tc = xmalloc(sizeof(*tc));
	struct infect *inf = &td->inf;
	long v;
	int err;

	if (!tc)
		return -ENOMEM;
	task_core_entry__init(tc);
	*ret = tc;
	tc->task_state = td->it->group_stopped ? TASK_STATE_STOPPED : TASK_STATE_ALIVE;
	tc->flags = td->stat.flags;
	tc->blk_sigset = inf->orig_sigmask;
	tc->comm = xstrdup(td->stat.comm);
	err = read_proc_long(td->it->pid, "personality", 16, &v);
	if (err)
		return err;
	tc->personality = v;
	err = read_proc_long(td->it->pid, "oom_score_adj", 10, &v);
	if (err)
		return err;
	tc->has_oom_score_adj = true;
	tc->oom_score_adj = v;
	v = get_int(inf, "read the child-subreaper flag", NR_prctl, PR_GET_CHILD_SUBREAPER);
	if (v < 0)
		return v;
	tc->has_child_subreaper = true;
	tc->child_subreaper = v;
	return dump_sigactions(inf, tc) ?: dump_timers(inf, td->it->pid, tc) ?:
	       timer_vtids(td->it, tc) ?: task_rlimits(inf, tc) ?:
	       dump_pending(td->it->pid, true, &tc->signals_s);
}

static uint32_t ns_id(pid_t pid, const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	return stat(path, &st) < 0 ? 0 : (uint32_t)st.st_ino;
}

static TaskKobjIdsEntry *task_ids(pid_t pid)
{
	TaskKobjIdsEntry *ids = xmalloc(sizeof(*ids));

	if (!ids)
		return NULL;
	task_kobj_ids_entry__init(ids);
	/* per-process objects; sharing between processes is refused elsewhere */
	ids->vm_id = ids->files_id = ids->fs_id = ids->sighand_id = pid;
#define NS(f, n) (ids->has_##f = true, ids->f = ns_id(pid, n))
	NS(pid_ns_id, "pid");
	NS(net_ns_id, "net");
	NS(ipc_ns_id, "ipc");
	NS(uts_ns_id, "uts");
	NS(mnt_ns_id, "mnt");
	NS(user_ns_id, "user");
	NS(cgroup_ns_id, "cgroup");
	NS(time_ns_id, "time");
#undef NS
	return ids;
}

/* core-TID.img of the thread @inf is attached to. */
static int dump_thread(struct dump_ctx *c, struct task_dump *td, struct infect *inf)
{
	CoreEntry core = CORE_ENTRY__INIT;
	_cleanup_free_ struct arch_thread_img *ati = xmalloc(sizeof(*ati));
	ThreadCoreEntry *tc = xmalloc(sizeof(*tc));
	arch_regs_t regs = inf->orig;
	uint64_t ctid = 0;
	long r;
	int err;

	if (!ati || !tc) {
		free(tc);
		return -ENOMEM;
	}
	thread_core_entry__init(tc);
	core.thread_core = tc;
	arch_regs_fold_restart(&regs);
	err = arch_thread_dump(inf->tid, &regs, ati);
	if (err)
		goto out;
	arch_core_attach(&core, ati);
	r = infect_call(inf, "read clear_child_tid", NR_prctl, PR_GET_TID_ADDRESS, inf->scratch,
			0, 0, 0, 0);
	err = r < 0 ? r : infect_peek(inf, inf->scratch, &ctid, sizeof(ctid));
	if (err)
		goto out;
	arch_core_set_clear_tid(&core, ctid);
	err = thread_core(inf, td->it->pid, tc, &c->seccomp) ?: read_comm(td->it->pid, inf->tid, &tc->comm);
	if (!err && inf->tid == td->it->pid) {
		core.ids = task_ids(td->it->pid);
		err = core.ids ? task_core(td, &core.tc) : -ENOMEM;
	}
	if (!err)
		err = img_write_single(c->dfd, IMG_CORE, pstree_vtid(td->it, inf->tid), &core);
out:
	if (core.tc)
		task_core_entry__free_unpacked(core.tc, NULL);
	if (core.ids)
		task_kobj_ids_entry__free_unpacked(core.ids, NULL);
	thread_core_entry__free_unpacked(tc, NULL);
	return err;
}

int dump_task_core(struct dump_ctx *c, struct task_dump *td)
{
	int i, err;

	err = dump_thread(c, td, &td->inf);
	for (i = 1; !err && i < td->it->nr_threads; i++) {
		struct infect tinf;

		err = infect_attach_scratch(&tinf, td->it->threads[i], td->inf.scratch_map,
					    td->inf.scratch_map_len);
		if (err)
			break;
		err = dump_thread(c, td, &tinf);
		infect_stop(&tinf);
	}
	return err;
}

/* A zombie: only its exit status and place in the tree. */
int dump_zombie(struct dump_ctx *c, struct pstree_item *it)
{
	CoreEntry core = CORE_ENTRY__INIT;
	TaskCoreEntry tc = TASK_CORE_ENTRY__INIT;

	arch_core_attach(&core, NULL);
	core.tc = &tc;
	tc.task_state = TASK_STATE_DEAD;
	tc.exit_code = it->exit_code;
	tc.comm = it->comm;
	return img_write_single(c->dfd, IMG_CORE, it->vpid, &core);
}
