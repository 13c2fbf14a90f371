// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86_64 part of the vDSO proxy: the jump that sends an old vDSO's entry
 * point to the same function in this kernel's vDSO.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "arch.h"

unsigned int arch_vdso_machine(void)
{
	return EM_X86_64;
}

/*
 * A 5-byte "jmp rel32" when @to is within +-2 GiB of the end of the jump,
 * else the 14-byte "jmp *0(%rip)" followed by the absolute address: neither
 * touches a register or the stack, so the callee sees the caller's frame.
 */
int arch_vdso_jump(uint8_t *at, size_t room, uint64_t from, uint64_t to)
{
	int64_t rel = (int64_t)(to - (from + 5));
	int32_t rel32 = (int32_t)rel;

	if (room >= 5 && rel == rel32) {
		at[0] = 0xe9;
		memcpy(at + 1, &rel32, 4);
		return 5;
	}
	if (room < 14)
		return -ENOSPC;
	at[0] = 0xff;		/* jmp *disp32(%rip), disp32 = 0 */
	at[1] = 0x25;
	memset(at + 2, 0, 4);
	memcpy(at + 6, &to, 8);
	return 14;
}
