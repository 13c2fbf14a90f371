// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which pages a dump stores: in private and shared anonymous areas, pages
 * written with data must be in the images; pages never touched, only read
 * (the zero page), written with zeroes, or dropped with MADV_DONTNEED must
 * not cost a byte. A 2 MiB MADV_HUGEPAGE area read-touched (the huge zero
 * page) must cost nothing either. The workload writes the ranges to
 * DIR/layout for the harness ("data|empty ADDR PAGES", "shmem INODE
 * DATA_PAGES") and checks the contents after restore.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wl.h"

#define PG 4096UL
#define HPAGE (2UL << 20)

static FILE *layout;

static void fill(void *p, size_t pages, uint64_t seed)
{
	wl_fill(p, pages, seed, 29);
}

static bool same(const void *p, size_t pages, uint64_t seed)
{
	return wl_same(p, pages, seed, 29);
}

static bool zero(const char *p, size_t pages)
{
	for (size_t i = 0; i < pages * PG; i += 8)
		if (*(const uint64_t *)(p + i))
			return false;
	return true;
}

static void note(const char *kind, const void *p, size_t pages)
{
	fprintf(layout, "%s %lu %zu\n", kind, (unsigned long)p, pages);
}

static void read_touch(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i += PG)
		(void)*(volatile const char *)(p + i);
}

int main(int argc, char **argv)
{
	char path[4096];
	struct stat st;

	wl_init(argc, argv);
	snprintf(path, sizeof(path), "%s/layout", wl_dir());
	layout = fopen(path, "w");
	char *a = mmap(NULL, 256 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(a, 16, 1);
	read_touch(a + 16 * PG, 16 * PG);
	memset(a + 32 * PG, 0, 16 * PG);
	fill(a + 48 * PG, 16, 2);
	madvise(a + 48 * PG, 16 * PG, MADV_DONTNEED);
	fill(a + 64 * PG, 1, 3);
	note("data", a, 16);
	note("empty", a + 16 * PG, 48);
	note("data", a + 64 * PG, 1);
	note("empty", a + 65 * PG, 191);

	char *raw = mmap(NULL, 2 * HPAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *huge = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	madvise(huge, HPAGE, MADV_HUGEPAGE);
	read_touch(huge, HPAGE);
	note("empty", huge, HPAGE / PG);

	char *sh = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(sh, 4, 4);
	memset(sh + 4 * PG, 0, 4 * PG);
	read_touch(sh + 8 * PG, 8 * PG);
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)sh,
		 (unsigned long)sh + 64 * PG);
	if (stat(path, &st))
		wl_fail("stat %s", path);
	fprintf(layout, "shmem %lu 4\n", (unsigned long)st.st_ino);
	fclose(layout);

	wl_ready();
	wl_wait();
	wl_check(same(a, 16, 1) && same(a + 64 * PG, 1, 3), "private data pages");
	wl_check(zero(a + 16 * PG, 48) && zero(a + 65 * PG, 191), "private empty pages");
	wl_check(zero(huge, HPAGE / PG), "huge zero page area");
	wl_check(same(sh, 4, 4) && zero(sh + 4 * PG, 60), "shared pages");
	return wl_done();
}
