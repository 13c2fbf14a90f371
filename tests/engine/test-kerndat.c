// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine/kerndat: every probe answer is checked against evidence gathered
 * here another way (smaps VmFlags, an ioctl with a bad argument, /proc/self/ns,
 * /proc/self/maps, /proc/self/mountinfo, direct syscalls), never against
 * values written into the test. Probing twice must give the same answers and
 * leave no child, fd, mount or cgroup behind; the probe children's time
 * limits are exercised directly.
 */
#define LOG_PREFIX "test-kerndat: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <linux/prctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "compat/pagemap-scan.h"
#include "compat/userfaultfd.h"
#include "engine/kerndat-probe.h"
#include "io.h"
#include "kerndat.h"
#include "log.h"
#include "tap.h"

#define have(kd, f) ((kd)->feat[f].have)

/* Has the smaps entry that starts at @addr flag @flag in VmFlags? 1, 0 or -errno. */
static int smaps_has_flag(void *addr, const char *flag)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/smaps", "re");
	unsigned long start, end;
	char line[1024], pat[16];
	bool in = false;

	if (!f)
		return -errno;
	snprintf(pat, sizeof(pat), " %s ", flag);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == (unsigned long)addr;
		if (in && !strncmp(line, "VmFlags:", 8)) {
			line[strcspn(line, "\n")] = '\0';
			strcat(line, " ");
			return !!strstr(line + 8, pat);
		}
	}
	return -ENOENT;
}

static void test_soft_dirty(const struct kerndat *kd)
{
	long page = sysconf(_SC_PAGESIZE);
	void *mem = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int sd;

	/* a new mapping carries VM_SOFTDIRTY ("sd") iff the kernel tracks soft-dirty */
	sd = smaps_has_flag(mem, "sd");
	munmap(mem, page);
	ok(sd >= 0, "found a fresh mapping in /proc/self/smaps");
	is_int(have(kd, KD_SOFT_DIRTY), sd > 0,
	       "soft-dirty probe agrees with the smaps \"sd\" flag");
}

/* Features userfaultfd offers here, asked directly; 0 if there is no userfaultfd. */
static uint64_t uffd_features(void)
{
	_cleanup_close_ int fd = syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY | O_CLOEXEC);
	struct uffdio_api api = { .api = UFFD_API };

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api))
		return 0;
	return api.features;
}

static void test_pagemap_scan(const struct kerndat *kd)
{
	_cleanup_close_ int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	struct pm_scan_arg arg = { .size = 0 };
	uint64_t feats = uffd_features();
	int r, err;

	/* a kernel with the ioctl rejects a zero-sized argument; without it, ENOTTY */
	r = ioctl(pm, PAGEMAP_SCAN, &arg);
	err = errno;
	ok(r < 0 && (err == EINVAL || err == ENOTTY),
	   "PAGEMAP_SCAN with a bad argument: %s", strerrorname_np(err));
	is_int(have(kd, KD_PAGEMAP_SCAN), err == EINVAL && (feats & UFFD_FEATURE_WP_ASYNC),
	       "pagemap-scan probe agrees with the ioctl (%s) and UFFDIO_API (WP_ASYNC %s)",
	       strerrorname_np(err), feats & UFFD_FEATURE_WP_ASYNC ? "offered" : "not offered");
	is_int(have(kd, KD_UFFD_MISSING), feats != 0,
	       "uffd-missing probe agrees with a direct userfaultfd + UFFDIO_API");
}

static void test_tracker(const struct kerndat *kd)
{
	enum kd_tracker want = have(kd, KD_SOFT_DIRTY)	 ? KD_TRACKER_SOFT_DIRTY :
			       have(kd, KD_PAGEMAP_SCAN) ? KD_TRACKER_PAGEMAP_SCAN :
							   KD_TRACKER_HASH;

	is_str(kerndat_tracker_key(kd->tracker), kerndat_tracker_key(want),
	       "dirty tracker: soft-dirty, else PAGEMAP_SCAN, else hash");
}

static void test_namespaces(const struct kerndat *kd)
{
	static const struct {
		const char *name;
		unsigned int flag;
		bool required;
	} ns[] = {
		{ "mnt", CLONE_NEWNS, true },	  { "uts", CLONE_NEWUTS, true },
		{ "ipc", CLONE_NEWIPC, true },	  { "pid", CLONE_NEWPID, true },
		{ "net", CLONE_NEWNET, true },	  { "user", CLONE_NEWUSER, false },
		{ "cgroup", CLONE_NEWCGROUP, false }, { "time", CLONE_NEWTIME, false },
	};
	bool all = true, in_proc;
	char path[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
		in_proc = !access(path, F_OK);
		is_int(!!(kd->ns_flags & ns[i].flag), in_proc, "%s namespace: probe agrees with %s",
		       ns[i].name, path);
		if (ns[i].required && !in_proc)
			all = false;
		if (in_proc)
			ok(strstr(kd->feat[KD_NAMESPACES].detail, ns[i].name),
			   "namespaces detail names %s", ns[i].name);
	}
	is_int(have(kd, KD_NAMESPACES), all, "namespaces: present iff mnt uts ipc pid net are");
	is_int(have(kd, KD_TIME_NS), !access("/proc/self/ns/time_for_children", F_OK),
	       "time-ns probe agrees with /proc/self/ns/time_for_children");
}

/* Our own parse of /proc/self/maps: the range of the mapping named @name. */
static bool maps_find(const char *name, unsigned long *start, unsigned long *end)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/maps", "re");
	char line[1024];
	size_t n, len = strlen(name);

	while (f && fgets(line, sizeof(line), f)) {
		n = strcspn(line, "\n");
		line[n] = '\0';
		if (n > len && !strcmp(line + n - len, name) && line[n - len - 1] == ' ') {
			*start = strtoul(line, NULL, 16);
			*end = strtoul(strchr(line, '-') + 1, NULL, 16);
			return true;
		}
	}
	return false;
}

static void test_vdso(const struct kerndat *kd)
{
	unsigned long start = 0, end = 0;
	char word[64];
	int v;

	for (v = 0; v < KD_VMA_NR; v++) {
		const char *name = kerndat_vma_name(v);
		bool found = maps_find(name, &start, &end);

		if (!found)
			start = end = 0;
		ok(kd->vma[v].start == start && kd->vma[v].end == end,
		   "%s: probe %#lx-%#lx, /proc/self/maps %#lx-%#lx", name, kd->vma[v].start,
		   kd->vma[v].end, start, end);
		/* the detail gives the size of every area found, without brackets */
		snprintf(word, sizeof(word), "%.*s %luK", (int)strlen(name) - 2, name + 1,
			 (end - start) >> 10);
		if (found)
			ok(strstr(kd->feat[KD_VDSO].detail, word), "vdso detail has \"%s\"", word);
	}
	is_int(have(kd, KD_VDSO), maps_find("[vdso]", &start, &end) &&
	       maps_find("[vvar]", &start, &end), "vdso: present iff [vdso] and [vvar] are mapped");
}

/* Our own parse of /proc/self/mountinfo: first mount point of @type (+@opt). */
static void mountinfo_find(const char *type, const char *opt, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], *field[32], *save = NULL, *tok;
	int n, dash;

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		n = 0;
		dash = -1;
		for (tok = strtok_r(line, " ", &save); tok && n < 32;
		     tok = strtok_r(NULL, " ", &save)) {
			if (!strcmp(tok, "-") && dash < 0)
				dash = n;
			field[n++] = tok;
		}
		if (dash < 5 || n < dash + 4 || strcmp(field[dash + 1], type))
			continue;
		if (opt && !strstr(field[dash + 3], opt))
			continue;
		snprintf(buf, len, "%s", field[4]);
		return;
	}
}

static void test_cgroup(const struct kerndat *kd)
{
	char v2[4096], v1[4096];

	mountinfo_find("cgroup2", NULL, v2, sizeof(v2));
	mountinfo_find("cgroup", "freezer", v1, sizeof(v1));
	is_str(kd->cgroup2_path, v2, "cgroup2 mount point agrees with mountinfo ('%s')", v2);
	is_str(kd->freezer_v1_path, v1, "v1 freezer mount point agrees with mountinfo ('%s')", v1);
	ok(!have(kd, KD_CGROUP2) || v2[0], "cgroup2 is only present when mounted");
	ok(!have(kd, KD_FREEZER_V1) || v1[0], "v1 freezer is only present when mounted");
	if (v2[0])
		ok(strstr(kd->feat[KD_CGROUP2].detail, v2), "cgroup2 detail names %s", v2);
	is_int(have(kd, KD_FREEZER), have(kd, KD_CGROUP2) || have(kd, KD_FREEZER_V1),
	       "freezer: present iff the v2 or the v1 freezer is");
}

static void test_files(const struct kerndat *kd)
{
	_cleanup_close_ int mfd = memfd_create("test-kerndat", MFD_CLOEXEC);
	_cleanup_close_ int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	_cleanup_close_ int got = -EBADF, mapped = -EBADF;
	long page = sysconf(_SC_PAGESIZE);
	char path[96], target[256] = "";
	void *mem = MAP_FAILED;
	bool same;

	is_int(have(kd, KD_MEMFD), mfd >= 0, "memfd probe agrees with memfd_create here");
	if (pidfd >= 0)
		got = syscall(SYS_pidfd_getfd, pidfd, STDOUT_FILENO, 0);
	is_int(have(kd, KD_PIDFD_GETFD), got >= 0,
	       "pidfd probe agrees with pidfd_getfd on ourselves");
	same = got >= 0 &&
	       !syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, STDOUT_FILENO, got);
	is_int(have(kd, KD_KCMP_FILE), same,
	       "kcmp probe agrees with kcmp of stdout and its pidfd_getfd copy");
	if (mfd >= 0 && !ftruncate(mfd, page))
		mem = mmap(NULL, page, PROT_READ, MAP_SHARED, mfd, 0);
	if (mem != MAP_FAILED) {
		snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)mem,
			 (unsigned long)mem + page);
		/* opening a map_files link needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN */
		mapped = open(path, O_RDONLY | O_CLOEXEC);
		if (readlink(path, target, sizeof(target) - 1) < 0)
			target[0] = '\0';
		munmap(mem, page);
	}
	is_int(have(kd, KD_MAP_FILES), strstr(target, "memfd:test-kerndat") && mapped >= 0,
	       "map_files probe agrees with readlink and open of our own mapping ('%s')", target);
	/* clone3 with a too-small size is EINVAL where the syscall exists */
	errno = 0;
	ok(!have(kd, KD_CLONE3_SET_TID) ||
	   (syscall(SYS_clone3, NULL, 0) < 0 && errno != ENOSYS),
	   "clone3 exists when the set_tid probe says yes");
}

/* Is @flag a word of the "flags" line of /proc/cpuinfo? */
static bool cpu_flag(const char *flag)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192], pat[64];

	snprintf(pat, sizeof(pat), " %s ", flag);
	while (f && fgets(line, sizeof(line) - 1, f)) {
		if (strncmp(line, "flags", 5))
			continue;
		line[strcspn(line, "\n")] = '\0';
		strcat(line, " ");
		return strstr(line, pat);
	}
	return false;
}

/*
 * The xstate components the kernel reported against the CPU flags it shows
 * in /proc/cpuinfo. Only where the regset is x86's: checked at run time.
 */
static void test_xstate(const struct kerndat *kd)
{
	static const struct {
		const char *flag;
		uint64_t mask;	/* XCR0 bits of the components behind the flag */
	} comps[] = {
		{ "avx", 1ULL << 2 },
		{ "avx512f", 7ULL << 5 },
		{ "ospke", 1ULL << 9 },
	};
	size_t i;

	if (!strstr(kd->feat[KD_PTRACE_XSTATE].detail, "NT_X86_XSTATE") &&
	    !cpu_flag("xsave")) {
		skip(1 + ARRAY_SIZE(comps), "not an x86 xstate regset");
		return;
	}
	is_int(have(kd, KD_PTRACE_XSTATE), cpu_flag("xsave") && have(kd, KD_PTRACE_SEIZE),
	       "xstate probe agrees with the cpuinfo \"xsave\" flag");
	for (i = 0; i < ARRAY_SIZE(comps); i++)
		is_int((kd->xfeatures & comps[i].mask) == comps[i].mask, cpu_flag(comps[i].flag),
		       "xstate %s components agree with the cpuinfo \"%s\" flag", comps[i].flag,
		       comps[i].flag);
}

/* Is capability @cap in our effective set (/proc/self/status CapEff)? */
static bool capable(int cap)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	return eff & (1ULL << cap);
}

static void test_tcp_repair(const struct kerndat *kd)
{
	/* CAP_NET_ADMIN is 12 */
	ok(!have(kd, KD_TCP_REPAIR) || capable(12), "TCP_REPAIR only with CAP_NET_ADMIN");
}

/* Tasks whose parent is us, found by scanning /proc. */
static int count_children(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	char path[300], *buf, *p;
	struct dirent *e;
	int n = 0, ppid;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (read_file_at(AT_FDCWD, path, 1024, &buf) < 0)
			continue;
		p = strrchr(buf, ')');
		if (p && sscanf(p, ") %*c %d", &ppid) == 1 && ppid == getpid())
			n++;
		free(buf);
	}
	return n;
}

static int count_fds(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	return n;
}

static int count_lines(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	int n = 0, c;

	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	return n;
}

/* Leftover probe cgroups (vzcr-kerndat-*) right under @mnt. */
static int count_probe_cgroups(const char *mnt)
{
	_cleanup_closedir_ DIR *d = mnt[0] ? opendir(mnt) : NULL;
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, "vzcr-kerndat-", 13);
	return n;
}

static bool same_answers(const struct kerndat *a, const struct kerndat *b)
{
	int f;

	for (f = 0; f < KD_NR; f++)
		if (a->feat[f].have != b->feat[f].have) {
			diag("%s differs: %d then %d", kerndat_desc(f)->key, a->feat[f].have,
			     b->feat[f].have);
			return false;
		}
	return a->tracker == b->tracker && a->ns_flags == b->ns_flags &&
	       a->xstate_size == b->xstate_size && a->xfeatures == b->xfeatures &&
	       !strcmp(a->cgroup2_path, b->cgroup2_path) &&
	       !memcmp(a->vma, b->vma, sizeof(a->vma));
}

/* The table: keys unique, texts present, required set as DESIGN.md lists it. */
static void test_table(void)
{
	static const enum kd_feat required[] = {
		KD_PTRACE_SEIZE, KD_PTRACE_PEEKSIGINFO, KD_PTRACE_XSTATE, KD_PIDFD_GETFD,
		KD_CLONE3_SET_TID, KD_MAP_FILES, KD_KCMP_FILE, KD_MEMFD, KD_NAMESPACES,
		KD_FREEZER, KD_VDSO, KD_PTRACE_RSEQ, KD_SUSPEND_SECCOMP, KD_MM_MAP,
	};
	bool texts = true, unique = true;
	int f, g, nreq = 0;
	size_t i;

	for (f = 0; f < KD_NR; f++) {
		const struct kd_desc *d = kerndat_desc(f);

		texts &= d && d->key && d->key[0] && d->name && d->name[0] && d->purpose &&
			 d->purpose[0];
		for (g = 0; texts && g < f; g++)
			unique &= strcmp(d->key, kerndat_desc(g)->key) != 0;
		nreq += d && d->required;
	}
	ok(texts, "every feature has a key, a name and a purpose");
	ok(unique, "feature keys are unique");
	ok(!kerndat_desc(KD_NR) && !kerndat_desc(-1), "out-of-range features have no description");
	for (i = 0; i < ARRAY_SIZE(required); i++)
		ok(kerndat_desc(required[i])->required, "%s is required",
		   kerndat_desc(required[i])->key);
	is_int(nreq, ARRAY_SIZE(required), "nothing else is required");
}

static void test_ok(const struct kerndat *kd)
{
	bool all = true;
	int f;

	for (f = 0; f < KD_NR; f++)
		if (kerndat_desc(f)->required && !have(kd, f))
			all = false;
	is_int(kerndat_ok(kd), all, "kerndat_ok() iff every required feature is present");
	for (f = 0; f < KD_NR; f++)
		if (!kd->feat[f].detail[0] || !strcmp(kd->feat[f].detail, "not probed"))
			break;
	ok(f == KD_NR, "every feature was probed and has a detail");
}

/* A second probe gives the same answers; neither leaves anything behind. */
static void test_repeat(const struct kerndat *first, int fds, int mounts)
{
	static struct kerndat again;
	const struct kerndat *c1, *c2;

	kerndat_probe(&again);
	ok(same_answers(first, &again), "probing twice gives the same answers");
	c1 = kerndat_get();
	c2 = kerndat_get();
	ok(c1 == c2 && same_answers(first, c1), "kerndat_get() caches one answer");
	is_int(kerndat_has(KD_MEMFD), have(first, KD_MEMFD), "kerndat_has() reads the cache");
	is_int(count_children(), 0, "no probe child is left running");
	errno = 0;
	ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "and no zombie is left to reap");
	is_int(count_fds(), fds, "no fd is left open");
	is_int(count_lines("/proc/self/mountinfo"), mounts, "no mount is left behind");
	is_int(count_probe_cgroups(first->cgroup2_path) +
	       count_probe_cgroups(first->freezer_v1_path), 0, "no probe cgroup is left behind");
}

static int sleeper(void *arg, int wfd)
{
	(void)arg;
	(void)wfd;
	return kd_child_idle();
}

static int half(void *arg, int wfd)
{
	(void)arg;
	kd_reply(wfd, "x", 1);
	return kd_child_idle();
}

static int quick(void *arg, int wfd)
{
	kd_reply(wfd, "x", 1);
	return *(int *)arg;
}

/* The probe children's time limits: nothing waits forever, all are reaped. */
static void test_child_limits(void)
{
	struct kd_child c;
	int code = 7, r;
	char buf[2];
	pid_t pid;

	if (!ok(!kd_child_start(&c, sleeper, NULL), "start a child that never answers"))
		return;
	pid = c.pid;
	is_int(kd_child_read(&c, buf, 1, 50), -ETIMEDOUT, "reading its answer times out");
	is_int(kd_child_wait(&c, 50), -ETIMEDOUT, "waiting for its exit times out");
	ok(kill(pid, 0) < 0 && errno == ESRCH, "and it was killed and reaped");
	if (!ok(!kd_child_start(&c, half, NULL), "start a child that answers half and hangs"))
		return;
	is_int(kd_child_read(&c, buf, 2, 50), -ETIMEDOUT, "reading its answer times out");
	kd_child_kill(&c);
	if (!ok(!kd_child_start(&c, quick, &code), "start a child that answers and exits"))
		return;
	r = kd_child_read(&c, buf, 2, KD_TIMEOUT_MS);
	is_int(r, -EPIPE, "a short answer is -EPIPE, not a hang");
	is_int(kd_child_wait(&c, KD_TIMEOUT_MS), 7, "its exit code is returned");
}

/* Does /proc/self/status have a line starting with @key? */
static int count_status_key(const char *key)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		n += !strncmp(line, key, strlen(key));
	if (f)
		fclose(f);
	return n;
}

/* The prctl and late ptrace probes against what this process sees itself. */
static void test_prctl_rseq(const struct kerndat *kd)
{
	unsigned int size = 0, got = 0;
	int r;

	ok(prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &size, 0, 0) == 0 &&
	   size == sizeof(struct prctl_mm_map) && have(kd, KD_MM_MAP),
	   "mm-map: the kernel's struct prctl_mm_map is the uapi one (%u bytes)", size);
	r = prctl(77 /* PR_TIMER_CREATE_RESTORE_IDS */, 2 /* GET */, 0, 0, 0);
	is_int(have(kd, KD_TIMER_IDS), r >= 0, "timer-ids agrees with a direct query");
	/* glibc's __rseq_size counts the fields it uses; the kernel the whole area */
	sscanf(kd->feat[KD_PTRACE_RSEQ].detail, "rseq area of %u bytes", &got);
	ok(!__rseq_size || (have(kd, KD_PTRACE_RSEQ) && got >= __rseq_size),
	   "ptrace-rseq reads the area glibc registered (%u bytes, glibc uses %u)", got,
	   __rseq_size);
	is_int(have(kd, KD_SUSPEND_SECCOMP), count_status_key("Seccomp:") > 0,
	       "suspend-seccomp agrees with seccomp in /proc/self/status");
}

int main(void)
{
	static struct kerndat kd;
	int fds, mounts;

	fds = count_fds();
	mounts = count_lines("/proc/self/mountinfo");
	kerndat_probe(&kd);

	test_table();
	test_ok(&kd);
	test_soft_dirty(&kd);
	test_pagemap_scan(&kd);
	test_tracker(&kd);
	test_namespaces(&kd);
	test_vdso(&kd);
	test_cgroup(&kd);
	test_files(&kd);
	test_xstate(&kd);
	test_tcp_repair(&kd);
	test_prctl_rseq(&kd);
	test_repeat(&kd, fds, mounts);
	test_child_limits();
	return done_testing();
}
