// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helper of bench/run.sh, three modes:
 *
 *	bench-mem DIR MIB	touch MIB MiB of anonymous memory with
 *				incompressible data, write DIR/ready with our
 *				pid, wait for SIGUSR2 (across checkpoint and
 *				restore), then check the data and write
 *				DIR/result ("PASS" or "FAIL: ...")
 *	bench-mem --memcpy MIB	print the memcpy speed of MIB MiB, in MB/s
 *	bench-mem --write FILE MIB	print the speed of a sequential write of MIB
 *				MiB of the same kind of data to FILE, fsync
 *				included, in MB/s (FILE is removed afterwards)
 *
 * MB is 10^6 bytes everywhere in the bench.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(1UL << 20)

/*
 * A bench program, not engine code: it reports straight to stderr and
 * exits, it has no log of its own to go through.
 */
static void __attribute__((noreturn)) fail(const char *what)
{
	dprintf(STDERR_FILENO, "bench-mem: %s: %s\n", what, strerror(errno));
	exit(1);
}

static volatile sig_atomic_t go;

static void on_go(int sig)
{
	(void)sig;
	go = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: fast, and its output does not compress */
static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void fill(void *p, size_t len, uint64_t seed)
{
	uint64_t *w = p, s = seed | 1;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = next(&s);
}

static size_t first_bad(const void *p, size_t len, uint64_t seed)
{
	const uint64_t *w = p;
	uint64_t s = seed | 1;

	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != next(&s))
			return i * 8;
	return len;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap");
	return p;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[4096], tmp[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s", dir, name);
	f = fopen(tmp, "w");
	if (!f)
		fail(tmp);
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

static int hold(const char *dir, size_t len)
{
	struct sigaction sa = { .sa_handler = on_go };
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char buf[128];
	char *p = map(len);
	size_t bad;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	fill(p, len, 0x1234567);
	snprintf(buf, sizeof(buf), "%d\n", getpid());
	put(dir, "ready", buf);
	while (!go)
		nanosleep(&ts, NULL);
	bad = first_bad(p, len, 0x1234567);
	if (bad == len)
		snprintf(buf, sizeof(buf), "PASS\n");
	else
		snprintf(buf, sizeof(buf), "FAIL: data differs at offset %zu\n", bad);
	put(dir, "result", buf);
	return bad != len;
}

/* best of three, both buffers touched beforehand: the copy alone */
static int bench_memcpy(size_t len)
{
	char *src = map(len), *dst = map(len);
	double best = 1e9;

	fill(src, len, 42);
	memset(dst, 1, len);
	for (int i = 0; i < 3; i++) {
		double t = now();

		memcpy(dst, src, len);
		t = now() - t;
		if (t < best)
			best = t;
	}
	if (dst[len - 1] != src[len - 1])
		return 1;
	printf("%.0f\n", len / best / 1e6);
	return 0;
}

static int bench_write(const char *file, size_t len)
{
	char *buf = map(CHUNK);
	double t;
	int fd;

	fill(buf, CHUNK, 7);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		fail(file);
	t = now();
	for (size_t done = 0; done < len; done += CHUNK) {
		buf[0]++;	/* no two chunks alike */
		if (write(fd, buf, CHUNK) != (ssize_t)CHUNK)
			fail("write");
	}
	if (fsync(fd))
		fail("fsync");
	t = now() - t;
	close(fd);
	unlink(file);
	printf("%.0f\n", len / t / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--memcpy"))
		return bench_memcpy(strtoul(argv[2], NULL, 0) << 20);
	if (argc == 4 && !strcmp(argv[1], "--write"))
		return bench_write(argv[2], strtoul(argv[3], NULL, 0) << 20);
	if (argc == 3 && argv[1][0] != '-')
		return hold(argv[1], strtoul(argv[2], NULL, 0) << 20);
	dprintf(STDERR_FILENO, "usage: bench-mem DIR MIB | --memcpy MIB | --write FILE MIB\n");
	return 2;
}
