/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The architecture contract: what the engine needs from arch/<arch>/. Each
 * architecture implements every function declared here; types and inline
 * helpers come from the headers in arch/<arch>/include/asm/. Nothing outside arch/ tests
 * the architecture with #ifdef.
 */
#ifndef VZCR_ARCH_H
#define VZCR_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <asm/regs.h>		/* arch_regs_t, ARCH_SYSCALL_INSN */
#include <asm/signal.h>		/* struct arch_ksigaction */
#include <asm/thread.h>		/* struct arch_thread_img */

#include "core.pb-c.h"

/* FPU / extended register state ("xstate" on x86) */

struct arch_xstate_info {
	const char *regset;	/* regset name for messages: "NT_X86_XSTATE" */
	size_t cpu_size;	/* save-area size the CPU reports for what the OS enabled */
	size_t size;		/* bytes the kernel's regset returned */
	uint64_t xfeatures;	/* state components the OS enabled (x86: XCR0) */
};

/*
 * Size in bytes of the CPU's save area for the state components the OS
 * enabled (x86: CPUID leaf 0xd), or 0 when the CPU has no such area.
 */
size_t arch_xstate_cpu_size(void);

/*
 * Read the FPU/xstate regset of @pid, a ptrace-stopped tracee of the caller,
 * and check that it is what the CPU describes. 0 and *@ret filled, or -errno
 * (-ENODEV: no xstate on this CPU, -EPROTO: the regset does not look right).
 * Logs only at debug level: kerndat reports the answer.
 */
int arch_xstate_probe(pid_t pid, struct arch_xstate_info *ret);

/* General registers of a ptrace-stopped thread */

int arch_regs_get(pid_t tid, arch_regs_t *r);
int arch_regs_set(pid_t tid, const arch_regs_t *r);
/* Does the thread run the native (64-bit) ABI? */
bool arch_regs_native(const arch_regs_t *r);
/* Load @r to run syscall @nr(@a) at @ip, outside any syscall restart. */
void arch_regs_prep_syscall(arch_regs_t *r, unsigned long ip, long nr, const unsigned long a[6]);
long arch_regs_retval(const arch_regs_t *r);
unsigned long arch_regs_ip(const arch_regs_t *r);
unsigned long arch_regs_sp(const arch_regs_t *r);
void arch_regs_set_sp(arch_regs_t *r, unsigned long sp);
void arch_regs_set_retval(arch_regs_t *r, long v);
/*
 * Registers as the thread must get them back after a restore: a syscall
 * interrupted by the stop (-ERESTART* in the result register) is set up to
 * run again, and no restart is left pending.
 */
void arch_regs_fold_restart(arch_regs_t *r);

/* Thread state <-> core image (core-<arch>.proto) */

/* Fill @t with @regs and the FPU/xstate of @tid. */
int arch_thread_dump(pid_t tid, const arch_regs_t *regs, struct arch_thread_img *t);
/* Point @core at @t (NULL: no registers, a zombie) and set its arch. */
void arch_core_attach(CoreEntry *core, struct arch_thread_img *t);
/* Was @core written for this arch? */
bool arch_core_native(const CoreEntry *core);
void arch_core_set_clear_tid(CoreEntry *core, uint64_t addr);
uint64_t arch_core_get_clear_tid(const CoreEntry *core);
/* Load registers and FPU/xstate of @core into the stopped thread @tid. */
int arch_thread_restore(pid_t tid, const CoreEntry *core);

/* vDSO proxy (engine/vdso.c) */

/* ELF e_machine of this arch's native vDSO (x86_64: EM_X86_64). */
unsigned int arch_vdso_machine(void);
/*
 * Write at @at, the entry of a function of @room bytes that will live at
 * address @from, a jump to @to that clobbers only what a call may clobber.
 * Bytes written, or -ENOSPC when @room is too short for any jump.
 */
int arch_vdso_jump(uint8_t *at, size_t room, uint64_t from, uint64_t to);

#endif /* VZCR_ARCH_H */
