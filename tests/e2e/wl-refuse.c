// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory the engine refuses to dump (for now), argv[2] says which:
 * 1 a mapping of an unlinked file, 2 a memfd mapping, 3 part of a SysV shm
 * segment (the rest unmapped).
 * The dump must fail and name it; the workload then runs on untouched and
 * checks its memory.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "wl.h"

#define LEN (16 * 4096UL)

static char *unlinked(void)
{
	char path[4096];
	int fd;
	char *p;

	snprintf(path, sizeof(path), "%s/gone", wl_dir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, LEN))
		return MAP_FAILED;
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	unlink(path);
	return p;
}

static char *memfd(void)
{
	int fd = memfd_create("wl-refuse", MFD_CLOEXEC);
	char *p;

	if (fd < 0 || ftruncate(fd, LEN))
		return MAP_FAILED;
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

static char *sysv(void)
{
	int id = shmget(IPC_PRIVATE, LEN + 4096, IPC_CREAT | 0600);
	char *p;

	if (id < 0)
		return MAP_FAILED;
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);	/* gone with its last user */
	if (p == (void *)-1)
		return MAP_FAILED;
	/* a VMA of part of a segment: one shmat cannot make it again */
	return munmap(p + LEN, 4096) ? MAP_FAILED : p;
}

int main(int argc, char **argv)
{
	wl_init(argc, argv);
	unsigned long kind = wl_arg_mib(1);
	char *p = kind == 1 ? unlinked() : kind == 2 ? memfd() : sysv();

	if (!wl_check(p != MAP_FAILED, "mapping of kind %lu", kind))
		return wl_done();
	for (size_t i = 0; i < LEN; i += 64)
		p[i] = (char)(i / 64 + kind);
	wl_ready();
	wl_wait();
	for (size_t i = 0; i < LEN; i += 64)
		if (p[i] != (char)(i / 64 + kind)) {
			wl_fail("memory changed at %zu", i);
			break;
		}
	return wl_done();
}
