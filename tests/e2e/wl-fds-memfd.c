// SPDX-License-Identifier: GPL-2.0-only
/*
 * memfd across checkpoint/restore: contents (a partial last page, a hole),
 * size, seals, offsets, a dup and a second open file of one inode, a
 * MAP_SHARED mapping that stays shared with the fd and with a child, a
 * mapping whose fd is closed, and a write-sealed memfd mapped read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

#define PG		4096
#define A_SIZE		(8 * PG + 100)	/* pages 3-5 a hole */
#define B_SIZE		(4 * PG)

static int a_fd, a_dup, a_ro, c_fd;
static char *a_map, *b_map, *c_map;
static pid_t child;

static int must(long r, const char *what)
{
	if (r < 0) {
		wl_fail("setup: %s: %s", what, strerror(errno));
		wl_ready();
		exit(wl_done());
	}
	return r;
}

static char pat(long i, int seed)
{
	return (char)(i * 13 + i / 4093 + seed);
}

static void fill(int fd, long from, long to, int seed)
{
	char b[PG];
	long i, j;

	for (i = from; i < to; i += j) {
		for (j = 0; j < PG && i + j < to; j++)
			b[j] = pat(i + j, seed);
		must(pwrite(fd, b, j, i), "pwrite");
	}
}

static bool same(const char *p, long from, long to, int seed)
{
	for (long i = from; i < to; i++)
		if (p[i] != (i >= 3 * PG && i < 6 * PG && seed == 1 ? 0 : pat(i, seed)))
			return false;
	return true;
}

static __attribute__((noreturn)) void child_main(void)
{
	char b[4] = "";

	while (!wl_go())
		usleep(20000);
	/* the parent wrote "PRNT" at 100 through its fd; we answer through the mapping */
	if (memcmp(a_map + 100, "PRNT", 4))
		_exit(21);
	memcpy(a_map + 200, "CHLD", 4);
	if (pread(a_ro, b, 4, 200) != 4 || memcmp(b, "CHLD", 4))
		_exit(22);
	_exit(0);
}

static void setup(void)
{
	char proc[64];
	int b_fd;

	a_fd = must(memfd_create("wl-memfd-a", MFD_ALLOW_SEALING), "memfd_create");
	must(ftruncate(a_fd, A_SIZE), "ftruncate");
	fill(a_fd, 0, 3 * PG, 1);
	fill(a_fd, 6 * PG, A_SIZE, 1);
	must(fcntl(a_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), "seal");
	must(lseek(a_fd, 1234, SEEK_SET), "lseek");
	a_dup = must(dup(a_fd), "dup");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", a_fd);
	a_ro = must(open(proc, O_RDONLY), "reopen");
	must(lseek(a_ro, 77, SEEK_SET), "lseek");
	a_map = mmap(NULL, A_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, a_fd, 0);
	must(a_map == MAP_FAILED ? -1 : 0, "mmap a");

	b_fd = must(memfd_create("wl-memfd-b", 0), "memfd_create");
	must(ftruncate(b_fd, B_SIZE), "ftruncate");
	b_map = mmap(NULL, B_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, b_fd, 0);
	must(b_map == MAP_FAILED ? -1 : 0, "mmap b");
	close(b_fd);
	for (long i = 0; i < B_SIZE; i++)
		b_map[i] = pat(i, 2);

	c_fd = must(memfd_create("wl-memfd-c", MFD_ALLOW_SEALING | MFD_CLOEXEC), "memfd_create");
	fill(c_fd, 0, PG + 1, 3);
	must(fcntl(c_fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL), "seal");
	c_map = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, c_fd, 0);
	must(c_map == MAP_FAILED ? -1 : 0, "mmap c");

	child = must(fork(), "fork");
	if (child == 0)
		child_main();
}

static void check(void)
{
	char b[8] = "";
	struct stat sb;
	int st;

	wl_check(same(a_map, 0, 100, 1) && same(a_map, 104, A_SIZE, 1), "memfd a: contents");
	wl_check(!fstat(a_fd, &sb) && sb.st_size == A_SIZE, "memfd a: size");
	wl_check(fcntl(a_fd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW), "memfd a: seals %#x",
		 fcntl(a_fd, F_GET_SEALS));
	wl_check(lseek(a_dup, 0, SEEK_CUR) == 1234, "memfd a: offset of the dup");
	wl_check(lseek(a_ro, 0, SEEK_CUR) == 77, "memfd a: offset of the second file");
	wl_check((fcntl(a_ro, F_GETFL) & O_ACCMODE) == O_RDONLY, "memfd a: second file read-only");
	lseek(a_dup, 10, SEEK_SET);
	wl_check(lseek(a_fd, 0, SEEK_CUR) == 10, "memfd a: the dup shares the offset");
	wl_check(ftruncate(a_fd, 10) < 0 && errno == EPERM, "memfd a: shrinking is sealed");
	/* the mapping is the inode: a write through the fd shows in it, and the child's back */
	wl_check(pwrite(a_fd, "PRNT", 4, 100) == 4 && !memcmp(a_map + 100, "PRNT", 4),
		 "memfd a: a write through the fd shows in the mapping");
	kill(child, SIGUSR2);
	wl_check(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st),
		 "memfd child: status %#x", st);
	wl_check(pread(a_fd, b, 4, 200) == 4 && !memcmp(b, "CHLD", 4),
		 "memfd a: the child's write through its mapping reads back");
	for (long i = 0; i < B_SIZE; i++)
		if (!wl_check(b_map[i] == pat(i, 2), "memfd b: byte %ld of the mapping", i))
			break;
	wl_check(same(c_map, 0, PG + 1, 3), "memfd c: contents");
	wl_check(fcntl(c_fd, F_GET_SEALS) == (F_SEAL_WRITE | F_SEAL_SEAL), "memfd c: seals %#x",
		 fcntl(c_fd, F_GET_SEALS));
	wl_check(pwrite(c_fd, "x", 1, 0) < 0 && errno == EPERM, "memfd c: writes are sealed");
	wl_check(fcntl(c_fd, F_GETFD) == FD_CLOEXEC, "memfd c: FD_CLOEXEC kept");
}

int main(int argc, char **argv)
{
	wl_init(argc, argv);
	setup();
	wl_ready();
	wl_wait();
	check();
	return wl_done();
}
