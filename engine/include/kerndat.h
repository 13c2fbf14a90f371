/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kerndat: what the running kernel and host can do for the engine.
 *
 * Every feature is probed once by doing the thing (seize a child, scan a
 * page, unshare a namespace), never by comparing kernel versions. Code
 * branches on kerndat_get(); `vzcr check` prints it. A probe that fails says
 * "no" with the reason in the feature's detail; probing never fails as a
 * whole. Probes fork short-lived children and reap them on every path (with
 * timeouts), and leave nothing mounted or created behind.
 */
#ifndef VZCR_KERNDAT_H
#define VZCR_KERNDAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kd_feat {
	KD_PTRACE_SEIZE,	/* PTRACE_SEIZE + PTRACE_INTERRUPT */
	KD_PTRACE_PEEKSIGINFO,
	KD_PTRACE_XSTATE,	/* PTRACE_GETREGSET of the FPU/xstate area (arch) */
	KD_PIDFD_GETFD,		/* pidfd_open + pidfd_getfd */
	KD_CLONE3_SET_TID,
	KD_MAP_FILES,		/* /proc/PID/map_files */
	KD_KCMP_FILE,
	KD_MEMFD,
	KD_SOFT_DIRTY,
	KD_PAGEMAP_SCAN,	/* PAGEMAP_SCAN + userfaultfd async write-protect */
	KD_UFFD_MISSING,	/* userfaultfd missing mode (lazy restore) */
	KD_TCP_REPAIR,
	KD_DIAG_UNIX,		/* sock_diag per family */
	KD_DIAG_INET,
	KD_DIAG_NETLINK,
	KD_DIAG_PACKET,
	KD_NAMESPACES,		/* mnt uts ipc pid net (required); see ns_flags */
	KD_TIME_NS,
	KD_CGROUP2,		/* cgroup v2 mounted, with cgroup.freeze */
	KD_FREEZER_V1,		/* cgroup v1 freezer hierarchy mounted */
	KD_FREEZER,		/* some cgroup freezer, v2 or v1 */
	KD_VDSO,		/* [vdso]/[vvar] layout parsed */
	KD_PTRACE_RSEQ,		/* PTRACE_GET_RSEQ_CONFIGURATION */
	KD_SUSPEND_SECCOMP,	/* PTRACE_O_SUSPEND_SECCOMP */
	KD_MM_MAP,		/* prctl(PR_SET_MM, PR_SET_MM_MAP) */
	KD_TIMER_IDS,		/* prctl(PR_TIMER_CREATE_RESTORE_IDS) */
	KD_NR,
};

/* Fixed facts about one feature. */
struct kd_desc {
	const char *key;	/* stable identifier for JSON and scripts */
	const char *name;	/* for people: "PTRACE_SEIZE + PTRACE_INTERRUPT" */
	const char *purpose;	/* what the engine needs it for */
	bool required;		/* checkpoint/restore cannot work without it */
};

/* What the probe found. */
struct kd_result {
	bool have;
	char detail[200];	/* why not (errno name), or sizes/paths found */
};

/* Which dirty-memory tracker pre-dump uses on this host, best first. */
enum kd_tracker {
	KD_TRACKER_SOFT_DIRTY,
	KD_TRACKER_PAGEMAP_SCAN,	/* PAGEMAP_SCAN + uffd-wp async */
	KD_TRACKER_HASH,		/* read every page, compare hashes */
};

/* Special mappings of the vDSO area, in /proc/PID/maps order of interest. */
enum kd_vma {
	KD_VMA_VVAR,
	KD_VMA_VVAR_VCLOCK,	/* Linux 6.13+ splits the clock pages off [vvar] */
	KD_VMA_VDSO,
	KD_VMA_VSYSCALL,
	KD_VMA_NR,
};

struct kd_range {
	unsigned long start, end;	/* [start, end); 0/0 when absent */
};

struct kerndat {
	struct kd_result feat[KD_NR];

	/* Facts for code to branch on; valid when the feature says "have". */
	size_t xstate_size;		/* bytes of the ptrace xstate regset */
	uint64_t xfeatures;		/* xstate components the kernel saves */
	unsigned int ns_flags;		/* CLONE_NEW* of the namespaces present */
	uint64_t uffd_features;		/* UFFDIO_API answer (0: no userfaultfd) */
	bool uffd_user_mode_only;	/* full userfaultfd refused, user-mode works */
	char cgroup2_path[256];		/* "" if no cgroup2 mount */
	bool cgroup2_freeze;		/* cgroup.freeze exists (v2 freezer) */
	char freezer_v1_path[256];	/* "" if the v1 freezer is not mounted */
	bool freezer_v1_avail;		/* the kernel has the v1 freezer controller */
	struct kd_range vma[KD_VMA_NR];	/* of the probing process itself */
	enum kd_tracker tracker;
};

/*
 * The host's kerndat, probed on the first call and cached for the process
 * (the cache is one of the engine's two globals). Thread-safe; never NULL.
 */
const struct kerndat *kerndat_get(void);

/* Probe into @kd afresh, without the cache (tests, `vzcr check`). */
void kerndat_probe(struct kerndat *kd);

/* Fixed description of @f; NULL for an out-of-range value. */
const struct kd_desc *kerndat_desc(enum kd_feat f);

/* Shorthand: kerndat_get()->feat[f].have. */
bool kerndat_has(enum kd_feat f);

/* True when every required feature is present in @kd. */
bool kerndat_ok(const struct kerndat *kd);

/* Short stable name of a tracker ("soft-dirty", "pagemap-scan", "hash"). */
const char *kerndat_tracker_key(enum kd_tracker t);
/* For people: "PAGEMAP_SCAN + userfaultfd-wp async". */
const char *kerndat_tracker_name(enum kd_tracker t);

/* Name of a special mapping as /proc/PID/maps shows it ("[vdso]"). */
const char *kerndat_vma_name(enum kd_vma v);

#endif /* VZCR_KERNDAT_H */
