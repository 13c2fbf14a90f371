// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMA kinds and flags across checkpoint/restore: THP-backed memory
 * (MADV_HUGEPAGE) and MADV_NOHUGEPAGE, MAP_NORESERVE, PROT_NONE areas with
 * and without contents, a MAP_GROWSDOWN stack that must still grow, an
 * mlock'ed area, MADV_WIPEONFORK/DONTFORK/DONTDUMP, an area split into three
 * VMAs by mprotect, the THP-disable prctl left off, named private and
 * shared anonymous VMAs (PR_SET_VMA_ANON_NAME), guard regions
 * (MADV_GUARD_INSTALL) where the kernel has them. Each area's contents
 * and its VmFlags are checked afterwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "wl.h"

#define PG 4096UL
#define HPAGE (2UL << 20)

static void fill(void *p, size_t pages, uint64_t seed)
{
	wl_fill(p, pages, seed, 37);
}

static bool same(const void *p, size_t pages, uint64_t seed)
{
	return wl_same(p, pages, seed, 37);
}

/* Value of smaps field @key ("VmFlags", "AnonHugePages", "Locked") of the VMA at @addr. */
static bool smaps_field(void *addr, const char *key, char *ret, size_t len)
{
	char line[512], want[32];
	bool in = false, found = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want))) {
			in = true;
		} else if (in && !strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
			snprintf(ret, len, "%s", line + strlen(key) + 1);
			found = true;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static bool has_flag(void *addr, const char *flag)
{
	char v[512], want[8];

	snprintf(want, sizeof(want), " %s", flag);
	return smaps_field(addr, "VmFlags", v, sizeof(v)) && strstr(v, want);
}

static long field_kb(void *addr, const char *key)
{
	char v[512];

	return smaps_field(addr, key, v, sizeof(v)) ? strtol(v, NULL, 10) : -1;
}

/* The name /proc/self/maps gives the VMA at @addr ("" if none). */
static void map_name(void *addr, char *ret, size_t len)
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/maps", "r");

	*ret = '\0';
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof(line), f)) {
		char *p = line, *nl = strchr(line, '\n');

		if (strncmp(line, want, strlen(want)))
			continue;
		if (nl)
			*nl = '\0';
		for (int field = 0; field < 5 && p; field++)
			p = strchr(p + 1, ' ');
		while (p && *p == ' ')
			p++;
		snprintf(ret, len, "%s", p ? p : "");
		break;
	}
	if (f)
		fclose(f);
}

static bool named(void *addr, const char *want)
{
	char name[256];

	map_name(addr, name, sizeof(name));
	return !strcmp(name, want);
}

/* Is the page at @p a guard region page (pagemap bit 58, 6.15+)? */
static bool is_guard(const void *p)
{
	FILE *f = fopen("/proc/self/pagemap", "r");
	uint64_t pm = 0;

	if (f && !fseek(f, (uintptr_t)p / PG * 8, SEEK_SET) && fread(&pm, 8, 1, f) != 1)
		pm = 0;
	if (f)
		fclose(f);
	return pm & (1ULL << 58);
}

static char *map(size_t len, int prot, int flags)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		wl_fail("mmap of %zu bytes, flags %#x", len, flags);
	return p;
}

int main(int argc, char **argv)
{
	wl_init(argc, argv);
	/* THP: a 2 MiB-aligned area of 4 huge pages */
	char *raw = map(5 * HPAGE, PROT_READ | PROT_WRITE, 0);
	char *thp = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	madvise(thp, 4 * HPAGE, MADV_HUGEPAGE);
	fill(thp, 4 * HPAGE / PG, 100);
	long thp_before = field_kb(thp, "AnonHugePages");
	char *nohuge = map(HPAGE, PROT_READ | PROT_WRITE, 0);
	madvise(nohuge, HPAGE, MADV_NOHUGEPAGE);
	fill(nohuge, 4, 200);
	char *noreserve = map(64 * PG, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	fill(noreserve + 8 * PG, 2, 300);
	char *guard_empty = map(16 * PG, PROT_NONE, 0);
	char *guard_full = map(4 * PG, PROT_READ | PROT_WRITE, 0);
	fill(guard_full, 4, 400);
	mprotect(guard_full, 4 * PG, PROT_NONE);
	char *locked = map(8 * PG, PROT_READ | PROT_WRITE, 0);
	fill(locked, 8, 600);
	wl_check(!mlock(locked, 8 * PG), "mlock");
	char *wipe = map(4 * PG, PROT_READ | PROT_WRITE, 0);
	fill(wipe, 4, 700);
	madvise(wipe, 4 * PG, MADV_WIPEONFORK);
	char *dfork = map(4 * PG, PROT_READ | PROT_WRITE, 0);
	fill(dfork, 4, 800);
	madvise(dfork, 4 * PG, MADV_DONTFORK);
	madvise(dfork, 4 * PG, MADV_DONTDUMP);
	char *split = map(12 * PG, PROT_READ | PROT_WRITE, 0);
	fill(split, 12, 900);
	mprotect(split + 4 * PG, 4 * PG, PROT_READ);
	wl_check(!prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), "THP not disabled");
	char *name_priv = map(4 * PG, PROT_READ | PROT_WRITE, 0);
	fill(name_priv, 4, 1000);
	char *name_sh = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(name_sh, 4, 1100);
	/* kernels without CONFIG_ANON_VMA_NAME say EINVAL: DIR/unnamed tells the harness */
	bool names = !prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, name_priv, 4 * PG, "vzcr-private") &&
		     !prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, name_sh, 4 * PG, "vzcr-shared");
	if (!names) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/unnamed", wl_dir());
		fclose(fopen(path, "w"));
	}
	/* guard regions (MADV_GUARD_INSTALL, 6.13+) in a private area with contents */
	char *guarded = map(16 * PG, PROT_READ | PROT_WRITE, 0);
	fill(guarded, 16, 1200);
	bool guards = !madvise(guarded + 4 * PG, 2 * PG, 102) && is_guard(guarded + 4 * PG);
	/*
	 * Last, so that no other mapping lands below it: a MAP_GROWSDOWN area
	 * with room to grow (an inaccessible page 2 MiB down keeps the gap).
	 */
	char *res = map(HPAGE, PROT_NONE, 0);
	char *stack = mmap(res + HPAGE - 16 * PG, 16 * PG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
	munmap(res + PG, HPAGE - 17 * PG);
	fill(stack + 12 * PG, 4, 500);

	wl_ready();
	wl_wait();

	wl_check(same(thp, 4 * HPAGE / PG, 100) && has_flag(thp, "hg"), "THP area and its flag");
	/* huge pages again only if the dumped task had them */
	wl_check(thp_before <= 0 || field_kb(thp, "AnonHugePages") > 0,
		 "THP area is backed by huge pages again (%ld kB before, %ld kB after)", thp_before,
		 field_kb(thp, "AnonHugePages"));
	wl_check(same(nohuge, 4, 200) && has_flag(nohuge, "nh"), "NOHUGEPAGE area");
	wl_check(same(noreserve + 8 * PG, 2, 300) && has_flag(noreserve, "nr"), "MAP_NORESERVE area");
	wl_check(has_flag(guard_empty, "mr") && !has_flag(guard_empty, "rd"),
		 "empty PROT_NONE area stays PROT_NONE");
	mprotect(guard_empty, 16 * PG, PROT_READ);
	wl_check(!guard_empty[0] && !guard_empty[15 * PG], "empty PROT_NONE area is empty");
	mprotect(guard_full, 4 * PG, PROT_READ);
	wl_check(same(guard_full, 4, 400), "PROT_NONE area with contents");
	wl_check(same(stack + 12 * PG, 4, 500) && has_flag(stack, "gd"), "MAP_GROWSDOWN area");
	stack[-1] = 1;	/* grows down by a page, or SIGSEGV */
	wl_check(has_flag(stack - PG, "gd"), "MAP_GROWSDOWN area grows");
	wl_check(same(locked, 8, 600) && has_flag(locked, "lo") && field_kb(locked, "Locked") == 32,
		 "mlock'ed area (Locked %ld kB)", field_kb(locked, "Locked"));
	wl_check(same(wipe, 4, 700) && has_flag(wipe, "wf"), "WIPEONFORK area");
	wl_check(same(dfork, 4, 800) && has_flag(dfork, "dc") && has_flag(dfork, "dd"),
		 "DONTFORK/DONTDUMP area");
	wl_check(same(split, 12, 900) && has_flag(split + 4 * PG, "rd") &&
		 !has_flag(split + 4 * PG, "wr") && has_flag(split + 8 * PG, "wr"),
		 "area split in three by mprotect");
	wl_check(!prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), "THP still not disabled");
	wl_check(same(guarded, 4, 1200) && same(guarded + 6 * PG, 10, 1206),
		 "area with guard regions keeps its contents");
	wl_check(!guards || (is_guard(guarded + 4 * PG) && is_guard(guarded + 5 * PG) &&
			     !is_guard(guarded + 3 * PG) && !is_guard(guarded + 6 * PG)),
		 "guard regions are back");
	wl_check(same(name_priv, 4, 1000) && (!names || named(name_priv, "[anon:vzcr-private]")),
		 "named private VMA");
	wl_check(same(name_sh, 4, 1100) && (!names || named(name_sh, "[anon_shmem:vzcr-shared]")),
		 "named shared VMA");
	return wl_done();
}
