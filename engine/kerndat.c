// SPDX-License-Identifier: GPL-2.0-only
/* kerndat: the feature table, the process-wide cache and the probe driver. */
#define LOG_PREFIX "kerndat: "
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "kerndat-probe.h"
#include "kerndat.h"
#include "log.h"

static const struct kd_desc descs[KD_NR] = {
	[KD_PTRACE_SEIZE] = { "ptrace-seize", "PTRACE_SEIZE + PTRACE_INTERRUPT",
		"attach to tasks and stop them without a signal", true },
	[KD_PTRACE_PEEKSIGINFO] = { "ptrace-peeksiginfo", "PTRACE_PEEKSIGINFO",
		"dump queued signals without dequeuing them", true },
	[KD_PTRACE_XSTATE] = { "ptrace-xstate", "PTRACE_GETREGSET xstate",
		"dump and restore FPU/vector registers", true },
	[KD_PIDFD_GETFD] = { "pidfd-getfd", "pidfd_open + pidfd_getfd",
		"take a task's open files to inspect them", true },
	[KD_CLONE3_SET_TID] = { "clone3-set-tid", "clone3 with set_tid",
		"restore tasks with their original pids", true },
	[KD_MAP_FILES] = { "map-files", "/proc/PID/map_files",
		"find and open the files behind mappings", true },
	[KD_KCMP_FILE] = { "kcmp", "kcmp(KCMP_FILE)",
		"tell shared open files apart", true },
	[KD_MEMFD] = { "memfd", "memfd_create",
		"dump and restore shared anonymous memory", true },
	[KD_SOFT_DIRTY] = { "soft-dirty", "soft-dirty pages",
		"track memory written between pre-dumps", false },
	[KD_PAGEMAP_SCAN] = { "pagemap-scan", "PAGEMAP_SCAN + userfaultfd-wp async",
		"track memory written between pre-dumps without soft-dirty", false },
	[KD_UFFD_MISSING] = { "uffd-missing", "userfaultfd missing mode",
		"lazy (post-copy) restore", false },
	[KD_TCP_REPAIR] = { "tcp-repair", "TCP_REPAIR",
		"checkpoint and restore established TCP connections", false },
	[KD_DIAG_UNIX] = { "sock-diag-unix", "sock_diag unix",
		"dump unix sockets", false },
	[KD_DIAG_INET] = { "sock-diag-inet", "sock_diag inet (tcp)",
		"dump TCP/UDP sockets", false },
	[KD_DIAG_NETLINK] = { "sock-diag-netlink", "sock_diag netlink",
		"dump netlink sockets", false },
	[KD_DIAG_PACKET] = { "sock-diag-packet", "sock_diag packet",
		"dump packet sockets", false },
	[KD_NAMESPACES] = { "namespaces", "namespaces",
		"isolate containers (mnt uts ipc pid net are required)", true },
	[KD_TIME_NS] = { "time-ns", "time namespace",
		"keep monotonic clocks across hosts", false },
	[KD_CGROUP2] = { "cgroup2", "cgroup v2 with cgroup.freeze",
		"container cgroups and the v2 freezer", false },
	[KD_FREEZER_V1] = { "freezer-v1", "cgroup v1 freezer",
		"freeze containers on cgroup v1 hosts", false },
	[KD_FREEZER] = { "freezer", "cgroup freezer (v2 or v1)",
		"stop a whole container at once for a consistent dump", true },
	[KD_VDSO] = { "vdso", "vDSO layout",
		"move or proxy the vvar/vdso areas so time calls work after restore", true },
	[KD_PTRACE_RSEQ] = { "ptrace-rseq", "PTRACE_GET_RSEQ_CONFIGURATION",
		"dump each thread's rseq registration", true },
	[KD_SUSPEND_SECCOMP] = { "suspend-seccomp", "PTRACE_O_SUSPEND_SECCOMP",
		"run syscalls in tasks whatever their seccomp filters", true },
	[KD_MM_MAP] = { "mm-map", "prctl(PR_SET_MM_MAP)",
		"restore the brk, argument, environment and exe layout of a task", true },
	[KD_TIMER_IDS] = { "timer-ids", "prctl(PR_TIMER_CREATE_RESTORE_IDS)",
		"recreate POSIX timers with their ids at once (else by counting)", false },
};

static const char *const tracker_keys[] = {
	[KD_TRACKER_SOFT_DIRTY] = "soft-dirty",
	[KD_TRACKER_PAGEMAP_SCAN] = "pagemap-scan",
	[KD_TRACKER_HASH] = "hash",
};

static const char *const tracker_names[] = {
	[KD_TRACKER_SOFT_DIRTY] = "soft-dirty",
	[KD_TRACKER_PAGEMAP_SCAN] = "PAGEMAP_SCAN + userfaultfd-wp async",
	[KD_TRACKER_HASH] = "page hash compare",
};

static const char *const vma_names[KD_VMA_NR] = {
	[KD_VMA_VVAR] = "[vvar]",
	[KD_VMA_VVAR_VCLOCK] = "[vvar_vclock]",
	[KD_VMA_VDSO] = "[vdso]",
	[KD_VMA_VSYSCALL] = "[vsyscall]",
};

/* The cache: the engine's only global besides the log level. */
static struct kerndat kd_cache;
static pthread_once_t kd_once = PTHREAD_ONCE_INIT;

const struct kd_desc *kerndat_desc(enum kd_feat f)
{
	if ((unsigned int)f >= KD_NR)
		return NULL;
	return &descs[f];
}

const char *kerndat_tracker_key(enum kd_tracker t)
{
	if ((unsigned int)t >= ARRAY_SIZE(tracker_keys))
		return "?";
	return tracker_keys[t];
}

const char *kerndat_tracker_name(enum kd_tracker t)
{
	if ((unsigned int)t >= ARRAY_SIZE(tracker_names))
		return "?";
	return tracker_names[t];
}

const char *kerndat_vma_name(enum kd_vma v)
{
	if ((unsigned int)v >= KD_VMA_NR)
		return "?";
	return vma_names[v];
}

const char *kd_errname(int err)
{
	const char *name = strerrorname_np(err < 0 ? -err : err);

	return name ? name : "E?";
}

void kd_set(struct kerndat *kd, enum kd_feat f, bool have, const char *fmt, ...)
{
	struct kd_result *r = &kd->feat[f];
	va_list ap;

	r->have = have;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	pr_debug("%s: %s (%s)", descs[f].key, have ? "yes" : "no", r->detail);
}

void kd_no(struct kerndat *kd, enum kd_feat f, int err, const char *what)
{
	kd_set(kd, f, false, "%s: %s", what, kd_errname(err));
}

bool kerndat_ok(const struct kerndat *kd)
{
	int f;

	for (f = 0; f < KD_NR; f++)
		if (descs[f].required && !kd->feat[f].have)
			return false;
	return true;
}

/* Soft-dirty is cheapest (no uffd to inject); a hash compare always works. */
static enum kd_tracker pick_tracker(const struct kerndat *kd)
{
	if (kd->feat[KD_SOFT_DIRTY].have)
		return KD_TRACKER_SOFT_DIRTY;
	if (kd->feat[KD_PAGEMAP_SCAN].have)
		return KD_TRACKER_PAGEMAP_SCAN;
	return KD_TRACKER_HASH;
}

void kerndat_probe(struct kerndat *kd)
{
	int f;

	memset(kd, 0, sizeof(*kd));
	for (f = 0; f < KD_NR; f++)
		snprintf(kd->feat[f].detail, sizeof(kd->feat[f].detail), "not probed");

	kd_probe_ptrace(kd);
	kd_probe_task(kd);
	kd_probe_clone3(kd);
	kd_probe_mm(kd);
	kd_probe_uffd(kd);
	kd_probe_net(kd);
	kd_probe_ns(kd);
	kd_probe_cgroup(kd);
	kd_probe_vdso(kd);
	kd_probe_prctl(kd);
	kd->tracker = pick_tracker(kd);
	pr_debug("dirty-memory tracker: %s", tracker_keys[kd->tracker]);
}

static void probe_cache(void)
{
	kerndat_probe(&kd_cache);
}

const struct kerndat *kerndat_get(void)
{
	pthread_once(&kd_once, probe_cache);
	return &kd_cache;
}

bool kerndat_has(enum kd_feat f)
{
	if ((unsigned int)f >= KD_NR)
		return false;
	return kerndat_get()->feat[f].have;
}
