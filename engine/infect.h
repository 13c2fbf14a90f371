/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running syscalls inside a seized, stopped thread ("infection" without a
 * parasite blob): the thread's registers are pointed at a syscall
 * instruction with the arguments loaded, it is run from syscall entry to
 * syscall exit with PTRACE_SYSCALL, the result is read back and the
 * registers are put back. Signals are blocked meanwhile (PTRACE_SETSIGMASK)
 * so that nothing else runs in the task.
 *
 * A scratch area mapped in the task carries the syscall instruction and a
 * breakpoint after it (first page; the thread then stops once per syscall,
 * in the trap, instead of at syscall entry and exit) and, in the rest, the
 * in-memory arguments (structs, iovecs, paths) and results of the syscalls.
 */
#ifndef VZCR_INFECT_H
#define VZCR_INFECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch.h"

#define INFECT_SCRATCH_SIZE	(64UL << 10)
#define INFECT_CODE_SIZE	4096UL

struct infect {
	pid_t tid;
	int mem_fd;			/* /proc/PID/mem of the task */
	arch_regs_t orig;		/* registers to put back */
	uint64_t orig_sigmask;
	unsigned long syscall_ip;	/* a syscall instruction in the task */
	unsigned long scratch_map;	/* the whole scratch mapping, 0 if none */
	size_t scratch_map_len;
	unsigned long scratch;		/* its data area (after the code page) */
	size_t scratch_len;
	bool own_scratch;		/* mapped by us: unmapped by infect_stop() */
	bool trap;			/* a breakpoint follows the syscall instruction */
	bool keep_regs;			/* infect_stop() leaves the registers alone */
};

/*
 * Prepare syscall injection into the stopped thread @tid. @syscall_ip is the
 * address of a syscall instruction in the task (from infect_find_syscall());
 * with @scratch_at non-zero, a scratch area is mapped there (a hole in the
 * task's address space). 0 or -errno.
 */
int infect_start(struct infect *inf, pid_t tid, unsigned long syscall_ip,
		 unsigned long scratch_at);
/*
 * The same for a thread whose task has a scratch area already (mapped by
 * infect_start() for another thread, or by the task itself on restore):
 * syscall instruction at @map, data after the first page.
 */
int infect_attach_scratch(struct infect *inf, pid_t tid, unsigned long map, size_t len);

/*
 * Run syscall @nr with @args in the task. The syscall's own result (which may
 * be -errno of the task) goes to *ret; the function returns 0, or -errno when
 * the injection itself failed (logged).
 */
int infect_syscall(struct infect *inf, long *ret, long nr, const unsigned long args[6]);

/* Run and treat a negative result as failure, logged with @what. */
long infect_call(struct infect *inf, const char *what, long nr, unsigned long a0,
		 unsigned long a1, unsigned long a2, unsigned long a3, unsigned long a4,
		 unsigned long a5);

/* Copy to/from the task's memory at any address, whatever its protection. */
int infect_poke(struct infect *inf, unsigned long addr, const void *buf, size_t len);
int infect_peek(struct infect *inf, unsigned long addr, void *buf, size_t len);

/*
 * Undo: unmap our scratch area, put registers and signal mask back (unless
 * keep_regs), close the mem fd. The task stays seized and stopped.
 */
int infect_stop(struct infect *inf);

/*
 * Find a syscall instruction in [start, end) of @pid's memory (an
 * executable mapping: the vDSO has one). Returns its address or 0.
 */
unsigned long infect_find_syscall(pid_t pid, unsigned long start, unsigned long end);

#endif /* VZCR_INFECT_H */
