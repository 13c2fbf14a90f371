// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared and inherited memory across checkpoint/restore:
 * - a MAP_SHARED|MAP_ANONYMOUS area shared by parent and child: contents
 *   (written, zero-written and untouched pages), and afterwards a write of
 *   one must be seen by the other, both ways;
 * - a second mapping of the same object in the parent (mremap with old size
 *   0) and an area split into two VMAs by mprotect;
 * - a shared anonymous area of the parent alone, one shrunk by mremap (the
 *   object is bigger than its mapping) and one mapped from an offset;
 * - private anonymous memory (argv[2] MiB, default 16) still CoW-shared with
 *   the child, some pages written by each afterwards: both keep their own.
 * The Pss of the tree before and after goes to DIR/pss for the harness.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

#define PG 4096UL
#define SH_PAGES 64

static uint64_t pat(uint64_t page, uint64_t word)
{
	return (page * 0x9e3779b97f4a7c15ULL) ^ (word * 0x100000001b3ULL) ^ 0xa5a5;
}

static void fill(void *p, size_t pages, uint64_t seed)
{
	for (size_t i = 0; i < pages; i++)
		for (size_t w = 0; w < PG / 8; w += 31)
			((volatile uint64_t *)((char *)p + i * PG))[w] = pat(seed + i, w);
}

static bool same(const void *p, size_t pages, uint64_t seed)
{
	for (size_t i = 0; i < pages; i++)
		for (size_t w = 0; w < PG / 8; w += 31)
			if (((const volatile uint64_t *)((const char *)p + i * PG))[w] != pat(seed + i, w))
				return false;
	return true;
}

static bool zero(const void *p, size_t pages)
{
	for (size_t i = 0; i < pages * PG; i += 64)
		if (((const volatile char *)p)[i])
			return false;
	return true;
}

/* Wait (bounded, 20 s) until page @p holds pattern @seed. */
static bool await(const void *p, uint64_t seed)
{
	struct timespec ts = { 0, 1000000 };

	for (int i = 0; i < 20000; i++) {
		if (same(p, 1, seed))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static long pss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static char *sh, *priv;
static size_t priv_pages;

/* The child's side; its exit status says what went wrong. */
static __attribute__((noreturn)) void child(void)
{
	fill(priv + PG, 1, 300);	/* CoW breaks for this page only */
	wl_wait();
	if (!same(sh, 16, 1) || !zero(sh + 16 * PG, 17))
		_exit(10);
	if (!same(priv, 1, 200) || !same(priv + PG, 1, 300) || !same(priv + 2 * PG, priv_pages - 2, 202))
		_exit(11);
	fill(sh + 40 * PG, 1, 500);	/* the parent must see this */
	if (!await(sh + 41 * PG, 600))
		_exit(12);
	_exit(0);
}

int main(int argc, char **argv)
{
	char buf[128];
	int st;

	wl_init(argc, argv);
	priv_pages = (wl_arg_mib(16) << 20) / PG;
	sh = mmap(NULL, SH_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	priv = mmap(NULL, priv_pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || priv == MAP_FAILED)
		wl_fail("mmap");
	fill(sh, 16, 1);
	(void)*(volatile char *)(sh + 20 * PG);	/* read-touched */
	memset(sh + 32 * PG, 0, PG);			/* written with zeroes */
	fill(priv, priv_pages, 200);

	char *split = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(split, 16, 50);
	mprotect(split, 8 * PG, PROT_READ);

	pid_t kid = fork();
	if (kid == 0)
		child();
	fill(priv + 3 * PG, 1, 400);
	/* after the fork: the parent's alone, and a second view of sh */
	char *solo = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(solo, 8, 700);
	/* an object bigger than its mapping (shrunk), and one mapped from an offset */
	char *shrunk = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(shrunk, 16, 900);
	shrunk = mremap(shrunk, 16 * PG, 8 * PG, 0);
	char *offset = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(offset, 16, 1000);
	munmap(offset, 4 * PG);
	offset += 4 * PG;
	/*
	 * Two VMAs of one object that differ only in mlock (they merge while
	 * mapped again, until the lock comes back), and a third mapping of it
	 * above them: that one must still find the object.
	 */
	char *res = mmap(NULL, 32 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *lk = mmap(res, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
			-1, 0);
	fill(lk, 8, 1100);
	mlock(lk, 4 * PG);
	char *lk_alias = mremap(lk, 0, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, res + 16 * PG);
	char *alias = mremap(sh, 0, 4 * PG, MREMAP_MAYMOVE);
	if (alias == MAP_FAILED)
		wl_fail("mremap");
	long before = pss_kb(getpid()) + pss_kb(kid);

	wl_ready();
	wl_wait();
	long after = pss_kb(getpid()) + pss_kb(kid);

	kill(kid, SIGUSR2);
	wl_check(same(sh, 16, 1) && zero(sh + 16 * PG, 17), "shared area contents");
	wl_check(await(sh + 40 * PG, 500), "a write of the child is seen by the parent");
	fill(sh + 41 * PG, 1, 600);
	wl_check(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "child checks (status %#x: 10 shared contents, 11 private, 12 parent's write)", st);
	wl_check(same(alias, 4, 1), "second mapping of the shared object");
	fill(sh + 2 * PG, 1, 800);
	wl_check(same(alias + 2 * PG, 1, 800), "a write shows in the second mapping");
	wl_check(same(split, 16, 50), "shared area split by mprotect");
	wl_check(same(solo, 8, 700), "shared area of one task");
	wl_check(shrunk != MAP_FAILED && same(shrunk, 8, 900), "shrunk shared area");
	wl_check(same(offset, 12, 1004), "shared area mapped from an offset");
	wl_check(lk_alias != MAP_FAILED && same(lk, 8, 1100) && same(lk_alias, 4, 1100),
		 "shared area partly locked, and a third mapping of it");
	fill(lk + PG, 1, 1300);
	wl_check(same(lk_alias + PG, 1, 1300), "a write shows in the third mapping");
	wl_check(same(priv, 3, 200) && same(priv + 3 * PG, 1, 400) &&
		 same(priv + 4 * PG, priv_pages - 4, 204), "private CoW memory of the parent");
	snprintf(buf, sizeof(buf), "Pss of the tree: %ld kB before, %ld kB after\n", before, after);
	char path[4096];
	snprintf(path, sizeof(path), "%s/pss", wl_dir());
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(buf, f);
		fclose(f);
	}
	return wl_done();
}
