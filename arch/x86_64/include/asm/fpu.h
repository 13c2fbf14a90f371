/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 FPU/xstate layout, as the kernel's NT_X86_XSTATE regset shows it:
 * the 512-byte FXSAVE legacy area, the 64-byte xsave header, then the
 * extended components in the standard (uncompacted) form. Its size is
 * CPUID.(EAX=0xd,ECX=0):EBX.
 */
#ifndef VZCR_ASM_FPU_H
#define VZCR_ASM_FPU_H

#include <stdint.h>

#define FXSAVE_SIZE		512
#define XSAVE_HDR_OFFSET	512
#define XSAVE_HDR_SIZE		64
#define XSAVE_MIN_SIZE		(FXSAVE_SIZE + XSAVE_HDR_SIZE)

/*
 * Bytes 464..511 of the legacy area are for software. In the ptrace regset
 * (and core dumps) the kernel puts XCR0, the OS-enabled component mask, in
 * the first 8 (arch/x86/include/asm/user.h, USER_XSTATE_XCR0_WORD); signal
 * frames put struct _fpx_sw_bytes there instead.
 */
#define USER_XSTATE_XCR0_OFFSET	464
/* The xsave header starts with XSTATE_BV: components not in init state */
#define XSAVE_XSTATE_BV_OFFSET	XSAVE_HDR_OFFSET

/* Components every x86-64 CPU with xsave has */
#define XFEATURE_MASK_FP	(1ULL << 0)
#define XFEATURE_MASK_SSE	(1ULL << 1)

/* CPUID leaf 1, ECX: the CPU has xsave, the OS enabled it */
#define CPUID1_ECX_XSAVE	(1U << 26)
#define CPUID1_ECX_OSXSAVE	(1U << 27)
/* CPUID leaf 0xd: xstate enumeration */
#define CPUID_LEAF_XSTATE	0xd

#endif /* VZCR_ASM_FPU_H */
