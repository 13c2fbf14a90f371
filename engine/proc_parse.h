/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readers of /proc/PID files for the dump: the memory map with VmFlags
 * (smaps), status (ids, creds, signal masks, capabilities) and stat (process
 * group, session, state, exit code).
 */
#ifndef VZCR_PROC_PARSE_H
#define VZCR_PROC_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vma-status.h"

struct vma_area {
	uint64_t start, end;
	uint64_t pgoff;			/* bytes, as /proc prints it */
	uint32_t prot;			/* PROT_* */
	uint32_t flags;			/* MAP_SHARED/PRIVATE|ANONYMOUS|GROWSDOWN */
	uint32_t status;		/* VMA_* above */
	uint64_t madv;			/* bit N set: madvise(N) applies */
	bool locked;			/* VM_LOCKED */
	uint64_t dev, ino;		/* of the mapped file */
	char *path;			/* as /proc shows it, " (deleted)" cut */
	bool deleted;
	char *why_unsupp;		/* reason when status has VMA_UNSUPP */
};

struct vma_list {
	struct vma_area *v;
	size_t n;
	uint64_t nr_pages;		/* sum of VMA sizes in pages */
};

/* Parse /proc/@pid/smaps; 0 or -errno (logged). */
int proc_parse_smaps(pid_t pid, struct vma_list *ret_list);
void vma_list_free(struct vma_list *list);

struct proc_status {
	pid_t tgid, ppid, tracer;
	uint32_t uid[4], gid[4];	/* real, effective, saved, fs */
	uint32_t *groups;
	size_t nr_groups;
	uint64_t sig_pending, shd_pending, sig_blocked, sig_ignored, sig_caught;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	int no_new_privs, seccomp;
	unsigned int umask;
	int threads;
	pid_t nstgid_last;		/* tgid in the innermost pid namespace */
};

/* Parse /proc/@pid/task/@tid/status (tid == pid for the leader). */
int proc_parse_status(pid_t pid, pid_t tid, struct proc_status *ret);
void proc_status_free(struct proc_status *st);

struct proc_stat {
	char state;			/* R, S, D, T, t, Z, X */
	pid_t ppid, pgid, sid;
	char comm[16];
	unsigned long flags;		/* PF_* */
	int exit_code;			/* wait status for zombies */
	unsigned long long start_time;	/* clock ticks since boot */
	/* mm layout for PR_SET_MM_MAP (brk itself is not in stat) */
	unsigned long start_code, end_code, start_stack, start_data, end_data, start_brk;
	unsigned long arg_start, arg_end, env_start, env_end;
};

int proc_parse_stat(pid_t pid, pid_t tid, struct proc_stat *ret);

#endif /* VZCR_PROC_PARSE_H */
