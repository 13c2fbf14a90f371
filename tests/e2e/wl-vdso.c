// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vDSO across checkpoint/restore: glibc keeps pointers into the vDSO
 * it found at start, so the restored task must have this kernel's vDSO (and
 * its data pages, [vvar] and [vvar_vclock]) at the dumped addresses. After
 * the restore, many calls of clock_gettime (several clocks), gettimeofday,
 * time and getcpu through the vDSO are each compared with the syscall:
 * a vDSO reading must never be older than the syscall before it, nor newer
 * than the syscall after it.
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

static int64_t ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* Start of the mapping named @name in /proc/self/maps, or 0. */
static unsigned long map_start(const char *name)
{
	char line[512];
	unsigned long start = 0, s;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strlen(line) > strlen(name) &&
		    !strcmp(line + strlen(line) - strlen(name), name) &&
		    sscanf(line, "%lx-", &s) == 1) {
			start = s;
			break;
		}
	}
	if (f)
		fclose(f);
	return start;
}

static void check_clock(clockid_t id, const char *name, int rounds)
{
	struct timespec a, b, c;
	int bad = 0;

	for (int i = 0; i < rounds; i++) {
		clock_gettime(id, &a);
		syscall(SYS_clock_gettime, id, &b);
		clock_gettime(id, &c);
		if (ns(&a) > ns(&b) || ns(&b) > ns(&c))
			bad++;
	}
	wl_check(!bad, "%s: %d of %d vDSO readings out of order with the syscall", name, bad,
		 rounds);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	unsigned long vdso;

	wl_init(argc, argv);
	int rounds = wl_arg_mib(100000);	/* argv[2]: calls per kind */
	vdso = getauxval(AT_SYSINFO_EHDR);
	wl_check(vdso && vdso == map_start("[vdso]"), "the vDSO is where auxv says");
	clock_gettime(CLOCK_MONOTONIC, &t0);

	wl_ready();
	wl_wait();

	wl_check(getauxval(AT_SYSINFO_EHDR) == vdso && map_start("[vdso]") == vdso,
		 "the vDSO is at the dumped address (%#lx, now %#lx)", vdso, map_start("[vdso]"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wl_check(ns(&t1) >= ns(&t0), "CLOCK_MONOTONIC did not go back");
	check_clock(CLOCK_MONOTONIC, "CLOCK_MONOTONIC", rounds);
	check_clock(CLOCK_REALTIME, "CLOCK_REALTIME", rounds);
	check_clock(CLOCK_BOOTTIME, "CLOCK_BOOTTIME", rounds);
	check_clock(CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW", rounds);
	check_clock(CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE", rounds);
	check_clock(CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE", rounds);

	int bad = 0;
	for (int i = 0; i < rounds; i++) {
		struct timeval a, b, c;

		gettimeofday(&a, NULL);
		syscall(SYS_gettimeofday, &b, NULL);
		gettimeofday(&c, NULL);
		if (timercmp(&a, &b, >) || timercmp(&b, &c, >))
			bad++;
	}
	wl_check(!bad, "gettimeofday: %d of %d out of order", bad, rounds);
	bad = 0;
	for (int i = 0; i < rounds; i++) {
		time_t a = time(NULL), b = syscall(SYS_time, NULL), c = time(NULL);

		if (a > b || b > c)
			bad++;
	}
	wl_check(!bad, "time: %d of %d out of order", bad, rounds);

	/* getcpu: pinned to each CPU in turn, vDSO and syscall must agree */
	bad = 0;
	for (int cpu = 0; cpu < CPU_SETSIZE && cpu < 64; cpu++) {
		cpu_set_t set;
		unsigned int v = ~0U, s = ~0U;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			continue;
		for (int i = 0; i < 1000; i++) {
			getcpu(&v, NULL);
			syscall(SYS_getcpu, &s, NULL, NULL);
			if (v != (unsigned int)cpu || s != (unsigned int)cpu)
				bad++;
		}
	}
	wl_check(!bad, "getcpu: %d readings not the pinned CPU", bad);
	return wl_done();
}
