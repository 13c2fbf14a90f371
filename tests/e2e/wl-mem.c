// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory across checkpoint/restore: private anonymous memory with a pattern
 * per page (size in MiB as argv[2]), never-touched and zero pages, a private
 * file mapping with written pages, a shared file mapping, read-only and
 * PROT_NONE areas, a MAP_GROWSDOWN area, madvise flags, the heap (which must
 * still grow afterwards), the stack, and vDSO time calls.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

#define PG 4096UL

static uint64_t pat(uint64_t obj, uint64_t word)
{
	return obj * 0x9e3779b97f4a7c15ULL ^ word;
}

static void fill(void *p, size_t pages, uint64_t seed)
{
	wl_fill(p, pages, seed, 61);
}

static bool same(const void *p, size_t pages, uint64_t seed)
{
	return wl_same(p, pages, seed, 61);
}

static bool has_vmflag(void *addr, const char *flag)
{
	char line[512], want[32];
	bool in = false, found = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			in = true;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			found = strstr(line, flag) != NULL;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static char *make_file(const char *name, size_t pages, uint64_t seed, int *ret_fd)
{
	char path[4096];
	void *buf = malloc(pages * PG);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", wl_dir(), name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	fill(buf, pages, seed);
	if (fd < 0 || write(fd, buf, pages * PG) != (ssize_t)(pages * PG))
		wl_fail("cannot write %s", path);
	free(buf);
	*ret_fd = fd;
	return strdup(path);
}

int main(int argc, char **argv)
{
	struct timespec m0, m1;
	struct timeval tv0, tv1;
	uint64_t stack_pat[512];
	int fpriv, fshared;

	wl_init(argc, argv);
	size_t big = wl_arg_mib(8) << 20;
	char *anon = mmap(NULL, big + 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(anon, big / PG, 1);
	/* zero pages: read-touched, written with zeroes, never touched */
	volatile char sink = anon[big + PG] + anon[big + 2 * PG];
	(void)sink;
	memset(anon + big + 3 * PG, 0, PG);

	make_file("priv", 16, 1000, &fpriv);
	char *priv = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fpriv, 0);
	fill(priv + 4 * PG, 2, 2000);	/* CoW'd pages differ from the file */
	make_file("shared", 8, 3000, &fshared);
	char *shared = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fshared, 0);
	fill(shared + PG, 1, 4000);

	char *ro = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(ro, 4, 5000);
	mprotect(ro, 4 * PG, PROT_READ);
	char *none = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(none, 4, 6000);
	mprotect(none, 4 * PG, PROT_NONE);
	char *gd = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	fill(gd + 4 * PG, 4, 7000);
	char *adv = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(adv, 4, 8000);
	madvise(adv, 4 * PG, MADV_DONTFORK);
	madvise(adv, 4 * PG, MADV_DONTDUMP);

	uint64_t *heap[64];
	for (int i = 0; i < 64; i++) {
		heap[i] = malloc(1000 + i * 100);
		for (int w = 0; w < (1000 + i * 100) / 8; w++)
			heap[i][w] = pat(i, w);
	}
	for (int w = 0; w < 512; w++)
		stack_pat[w] = pat(9999, w);
	clock_gettime(CLOCK_MONOTONIC, &m0);
	gettimeofday(&tv0, NULL);

	wl_ready();
	wl_wait();

	wl_check(same(anon, big / PG, 1), "anonymous pattern");
	for (int z = 0; z < 4; z++)
		for (size_t i = 0; i < PG; i += 512)
			wl_check(!anon[big + z * PG + i], "zero page %d", z);
	wl_check(same(priv, 4, 1000) && same(priv + 4 * PG, 2, 2000) &&
		 same(priv + 6 * PG, 10, 1006), "private file mapping");
	fill(shared + 2 * PG, 1, 4100);
	char buf[PG];
	wl_check(pread(fshared, buf, PG, 2 * PG) == PG && same(buf, 1, 4100),
		 "shared mapping writes reach the file");
	wl_check(same(shared + PG, 1, 4000) && same(shared, 1, 3000), "shared file mapping");
	wl_check(same(ro, 4, 5000), "read-only area");
	mprotect(none, 4 * PG, PROT_READ);
	wl_check(same(none, 4, 6000), "PROT_NONE area");
	wl_check(same(gd + 4 * PG, 4, 7000), "MAP_GROWSDOWN area");
	wl_check(has_vmflag(gd, "gd"), "MAP_GROWSDOWN flag");
	wl_check(same(adv, 4, 8000) && has_vmflag(adv, "dc") && has_vmflag(adv, "dd"),
		 "madvise DONTFORK/DONTDUMP");
	for (int i = 0; i < 64; i++)
		for (int w = 0; w < (1000 + i * 100) / 8; w++)
			if (heap[i][w] != pat(i, w)) {
				wl_fail("heap object %d", i);
				break;
			}
	for (int w = 0; w < 512; w++)
		wl_check(stack_pat[w] == pat(9999, w), "stack word %d", w);
	/* the heap keeps growing through brk */
	char *more = malloc(8 << 20);
	wl_check(more && (memset(more, 1, 8 << 20), more[(8 << 20) - 1] == 1), "heap grows");
	void *b0 = sbrk(0);
	wl_check(sbrk(1 << 20) == b0 && sbrk(0) == (char *)b0 + (1 << 20), "brk moves");
	clock_gettime(CLOCK_MONOTONIC, &m1);
	gettimeofday(&tv1, NULL);
	wl_check(m1.tv_sec > m0.tv_sec || (m1.tv_sec == m0.tv_sec && m1.tv_nsec >= m0.tv_nsec),
		 "CLOCK_MONOTONIC goes on");
	wl_check(tv1.tv_sec >= tv0.tv_sec && tv1.tv_sec - tv0.tv_sec < 600, "gettimeofday");
	return wl_done();
}
