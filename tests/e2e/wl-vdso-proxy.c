// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vDSO proxy (engine/vdso_restore.c): time calls through the vDSO keep
 * working when the checkpoint's vDSO is not this kernel's. argv[2] "libc":
 * calls through glibc (its pointers cached at start) and through addresses
 * looked up in the ELF at AT_SYSINFO_EHDR; "direct": the lookup only (the
 * test moved the entry points, so glibc's cached ones are stale). With "libc" the addresses looked up before the checkpoint are called
 * after it as well (the test kept those entry points). argv[3]
 * "proxy": after the restore [vdso] must be elsewhere than AT_SYSINFO_EHDR
 * (the old vDSO stays at the dumped address); "same": at the dumped address.
 * Every vDSO reading is compared with the syscall around it.
 */
#include <elf.h>
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

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*gtod_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned int *, unsigned int *, void *);

struct vdso_fns {
	gettime_fn gettime, getres;
	gtod_fn gtod;
	time_fn time;
	getcpu_fn getcpu;
};

/* The address of the function @name in the ELF image mapped at @base. */
static void *lookup(unsigned long base, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);

	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym = (const Elf64_Sym *)(base + sh[i].sh_offset);
		const char *str = (const char *)(base + sh[sh[i].sh_link].sh_offset);
		uint64_t bias = sh[i].sh_addr - sh[i].sh_offset;

		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		for (uint64_t k = 1; k < sh[i].sh_size / sizeof(*sym); k++)
			if (!strcmp(str + sym[k].st_name, name) && sym[k].st_shndx)
				return (void *)(base + sym[k].st_value - bias);
	}
	return NULL;
}

static void resolve(struct vdso_fns *f)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);

	f->gettime = (gettime_fn)lookup(base, "__vdso_clock_gettime");
	f->getres = (gettime_fn)lookup(base, "__vdso_clock_getres");
	f->gtod = (gtod_fn)lookup(base, "__vdso_gettimeofday");
	f->time = (time_fn)lookup(base, "__vdso_time");
	f->getcpu = (getcpu_fn)lookup(base, "__vdso_getcpu");
	wl_check(f->gettime && f->getres && f->gtod && f->time && f->getcpu,
		 "the vDSO at %#lx has the five functions", base);
}

static int64_t ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void check_clock(gettime_fn fn, clockid_t id, const char *how)
{
	struct timespec a, b, c;
	int bad = 0;

	for (int i = 0; i < 20000; i++) {
		fn(id, &a);
		syscall(SYS_clock_gettime, id, &b);
		fn(id, &c);
		bad += ns(&a) > ns(&b) || ns(&b) > ns(&c);
	}
	wl_check(!bad, "%s clock %d: %d readings out of order with the syscall", how, id, bad);
}

/* Each function of @f against the syscall; @how names the path. */
static void check_all(const struct vdso_fns *f, const char *how)
{
	struct timespec r1 = { 1, 1 }, r2 = { 2, 2 };
	int bad = 0;

	check_clock(f->gettime, CLOCK_REALTIME, how);
	check_clock(f->gettime, CLOCK_MONOTONIC, how);
	check_clock(f->gettime, CLOCK_BOOTTIME, how);
	f->getres(CLOCK_MONOTONIC, &r1);
	syscall(SYS_clock_getres, CLOCK_MONOTONIC, &r2);
	wl_check(ns(&r1) == ns(&r2), "%s clock_getres: %lld ns, the syscall says %lld", how,
		 (long long)ns(&r1), (long long)ns(&r2));
	for (int i = 0; i < 20000; i++) {
		struct timeval a, b, c;

		f->gtod(&a, NULL);
		syscall(SYS_gettimeofday, &b, NULL);
		f->gtod(&c, NULL);
		bad += timercmp(&a, &b, >) || timercmp(&b, &c, >);
	}
	wl_check(!bad, "%s gettimeofday: %d out of order", how, bad);
	bad = 0;
	for (int i = 0; i < 20000; i++) {
		time_t a = f->time(NULL), b = syscall(SYS_time, NULL), c = f->time(NULL);

		bad += a > b || b > c;
	}
	wl_check(!bad, "%s time: %d out of order", how, bad);
	unsigned int v = ~0U, s = ~0U;

	f->getcpu(&v, NULL, NULL);
	syscall(SYS_getcpu, &s, NULL, NULL);
	wl_check(v == s, "%s getcpu: %u, the syscall says %u", how, v, s);
}

/* glibc's getcpu goes through its cached vDSO pointer */
static long libc_getcpu(unsigned int *cpu, unsigned int *node, void *unused)
{
	(void)unused;
	return getcpu(cpu, node);
}

/* Start of the mapping named @name in /proc/self/maps, or 0. */
static unsigned long map_start(const char *name)
{
	char line[512], what[64];
	unsigned long s, found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%*x %*s %*s %*s %*s %63s", &s, what) == 2 &&
		    !strcmp(what, name))
			found = s;
	if (f)
		fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	struct vdso_fns libc = {
		clock_gettime, clock_getres, (gtod_fn)gettimeofday, time, libc_getcpu,
	}, direct, early;
	bool use_libc = argc > 2 && !strcmp(argv[2], "libc");
	bool proxy = argc > 3 && !strcmp(argv[3], "proxy");
	unsigned long ehdr;

	wl_init(argc, argv);
	ehdr = getauxval(AT_SYSINFO_EHDR);
	resolve(&direct);
	early = direct;
	check_all(&direct, "direct");
	check_all(&libc, "libc");

	wl_ready();
	wl_wait();

	wl_check(getauxval(AT_SYSINFO_EHDR) == ehdr, "AT_SYSINFO_EHDR is the dumped %#lx", ehdr);
	if (proxy)
		wl_check(map_start("[vdso]") && map_start("[vdso]") != ehdr,
			 "this kernel's [vdso] (%#lx) is not at the old one's %#lx",
			 map_start("[vdso]"), ehdr);
	else
		wl_check(map_start("[vdso]") == ehdr, "[vdso] is at the dumped %#lx", ehdr);
	resolve(&direct);
	check_all(&direct, "direct");
	if (use_libc) {
		check_all(&libc, "libc");
		check_all(&early, "looked up before the checkpoint");
	}
	return wl_done();
}
