/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Storage for one thread's x86 register image (core-x86.proto), so that a
 * dump fills a CoreEntry without an allocation per register array.
 */
#ifndef VZCR_ASM_THREAD_H
#define VZCR_ASM_THREAD_H

#include <stdint.h>

#include "core-x86.pb-c.h"

struct arch_thread_img {
	ThreadInfoX86 ti;
	UserX86RegsEntry gp;
	UserX86FpregsEntry fp;
	UserX86XsaveEntry xs;
	uint32_t st_space[32], xmm_space[64], padding[24];
	uint32_t ymmh[64];
	uint64_t bndreg[8], bndcsr[8], opmask[8], zmm_upper[64], hi16_zmm[128];
	uint32_t pkru[2];
};

#endif /* VZCR_ASM_THREAD_H */
