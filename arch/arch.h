/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The architecture contract: what the engine needs from arch/<arch>/. Each
 * architecture implements every function declared here; types and inline
 * helpers come from the headers in arch/<arch>/include/asm/. Nothing outside arch/ tests
 * the architecture with #ifdef.
 */
#ifndef VZCR_ARCH_H
#define VZCR_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

#endif /* VZCR_ARCH_H */
