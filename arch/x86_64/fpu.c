// SPDX-License-Identifier: GPL-2.0-only
/* x86-64 FPU/xstate: save-area size from CPUID and the NT_X86_XSTATE regset. */
#define LOG_PREFIX "arch: "
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.h"
#include "asm/fpu.h"
#include "cleanup.h"
#include "log.h"

/*
 * CPUID.(EAX=0xd, ECX=0):EBX is the size of the standard-format xsave area
 * for the components enabled in XCR0: what the kernel's regset holds.
 */
size_t arch_xstate_cpu_size(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return 0;
	if (!(ecx & CPUID1_ECX_XSAVE) || !(ecx & CPUID1_ECX_OSXSAVE))
		return 0;
	if (__get_cpuid_max(0, NULL) < CPUID_LEAF_XSTATE)
		return 0;
	__cpuid_count(CPUID_LEAF_XSTATE, 0, eax, ebx, ecx, edx);
	return ebx;
}

/* XCR0: the state components the OS enabled (xgetbv needs OSXSAVE: checked) */
static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/*
 * The regset must carry this CPU's XCR0 in its software bytes, include x87
 * and SSE, and mark no component in use that XCR0 does not enable.
 */
static int check_layout(const void *buf, size_t len, struct arch_xstate_info *ret)
{
	uint64_t xcr0, bv, cpu_xcr0 = xgetbv0();

	if (len < XSAVE_MIN_SIZE)
		return -EPROTO;
	memcpy(&xcr0, (const char *)buf + USER_XSTATE_XCR0_OFFSET, sizeof(xcr0));
	memcpy(&bv, (const char *)buf + XSAVE_XSTATE_BV_OFFSET, sizeof(bv));
	if (xcr0 != cpu_xcr0 || (bv & ~xcr0)) {
		pr_debug("xstate regset: XCR0 %#llx (CPU %#llx), XSTATE_BV %#llx",
			 (unsigned long long)xcr0, (unsigned long long)cpu_xcr0,
			 (unsigned long long)bv);
		return -EPROTO;
	}
	if ((xcr0 & (XFEATURE_MASK_FP | XFEATURE_MASK_SSE)) !=
	    (XFEATURE_MASK_FP | XFEATURE_MASK_SSE))
		return -EPROTO;
	ret->xfeatures = xcr0;
	return 0;
}

int arch_xstate_probe(pid_t pid, struct arch_xstate_info *ret)
{
	size_t cpu_size = arch_xstate_cpu_size();
	_cleanup_free_ void *buf = NULL;
	struct arch_xstate_info info = { .regset = "NT_X86_XSTATE", .cpu_size = cpu_size };
	struct iovec iov;
	int r;

	if (!cpu_size)
		return -ENODEV;
	/* room for more than the CPU says, so that a mismatch shows */
	buf = calloc(1, cpu_size + 4096);
	if (!buf)
		return -ENOMEM;
	iov.iov_base = buf;
	iov.iov_len = cpu_size + 4096;
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov)) {
		r = -errno;
		pr_debug("PTRACE_GETREGSET NT_X86_XSTATE of %d: %s", pid, strerror(-r));
		return r;
	}
	info.size = iov.iov_len;
	r = check_layout(buf, iov.iov_len, &info);
	if (r)
		return r;
	if (info.size != cpu_size) {
		pr_debug("xstate regset %zu bytes, CPUID says %zu", info.size, cpu_size);
		return -EPROTO;
	}
	*ret = info;
	return 0;
}
