/* SPDX-License-Identifier: GPL-2.0-only */
/* x86_64 register set as ptrace's NT_PRSTATUS gives it. */
#ifndef VZCR_ASM_REGS_H
#define VZCR_ASM_REGS_H

#include <sys/user.h>

typedef struct user_regs_struct arch_regs_t;

#define ARCH_NAME		"x86_64"
/* the syscall instruction; injected code is this and nothing else */
#define ARCH_SYSCALL_INSN	{ 0x0f, 0x05 }
#define ARCH_SYSCALL_INSN_LEN	2
/* a breakpoint right after it: the injector stops once instead of twice */
#define ARCH_SYSCALL_TRAP	{ 0x0f, 0x05, 0xcc }

#endif /* VZCR_ASM_REGS_H */
