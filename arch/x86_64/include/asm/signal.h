/* SPDX-License-Identifier: GPL-2.0-only */
/* x86_64 kernel ABI of rt_sigaction(): what the injected syscall reads and writes. */
#ifndef VZCR_ASM_SIGNAL_H
#define VZCR_ASM_SIGNAL_H

#include <stdint.h>

/* the kernel's struct sigaction (with SA_RESTORER), not glibc's */
struct arch_ksigaction {
	uint64_t handler, flags, restorer, mask;
};

#define ARCH_KSIGSET_SIZE	8	/* rt_sigaction's sigsetsize */

#endif /* VZCR_ASM_SIGNAL_H */
