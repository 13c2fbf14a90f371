// SPDX-License-Identifier: GPL-2.0-only
/* x86_64 general registers: ptrace access, syscall marshalling, restarts. */
#define LOG_PREFIX "x86: "
#include <elf.h>
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.h"
#include "log.h"

/* kernel-internal restart codes a stopped task may show in rax */
#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516
#define NR_restart_syscall	219
#define USER_CS_64		0x33

int arch_regs_get(pid_t tid, arch_regs_t *r)
{
	struct iovec iov = { r, sizeof(*r) };

	if (ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov) < 0)
		return log_perr(-errno, "Failed to get registers of %d", tid);
	return 0;
}

int arch_regs_set(pid_t tid, const arch_regs_t *r)
{
	struct iovec iov = { (void *)r, sizeof(*r) };

	if (ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &iov) < 0)
		return log_perr(-errno, "Failed to set registers of %d", tid);
	return 0;
}

bool arch_regs_native(const arch_regs_t *r)
{
	return r->cs == USER_CS_64;
}

void arch_regs_prep_syscall(arch_regs_t *r, unsigned long ip, long nr, const unsigned long a[6])
{
	r->rip = ip;
	r->rax = nr;
	r->rdi = a[0];
	r->rsi = a[1];
	r->rdx = a[2];
	r->r10 = a[3];
	r->r8 = a[4];
	r->r9 = a[5];
	/* not inside a syscall: the kernel must not try to restart one on resume */
	r->orig_rax = -1;
}

long arch_regs_retval(const arch_regs_t *r)
{
	return (long)r->rax;
}

unsigned long arch_regs_ip(const arch_regs_t *r)
{
	return r->rip;
}

unsigned long arch_regs_sp(const arch_regs_t *r)
{
	return r->rsp;
}

void arch_regs_set_sp(arch_regs_t *r, unsigned long sp)
{
	r->rsp = sp;
}

void arch_regs_set_retval(arch_regs_t *r, long v)
{
	r->rax = v;
}

/*
 * A task stopped inside a syscall shows the kernel's restart code in rax.
 * Fold it the way signal delivery would, so that the saved registers re-run
 * the syscall when the task resumes after a restore. restart_syscall cannot
 * resume the old restart block on a new kernel instance; it returns -EINTR,
 * as after any signal that interrupts such a sleep.
 */
void arch_regs_fold_restart(arch_regs_t *r)
{
	if ((long)r->orig_rax < 0)
		return;
	switch ((long)r->rax) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
		r->rax = r->orig_rax;
		r->rip -= ARCH_SYSCALL_INSN_LEN;
		break;
	case -ERESTART_RESTARTBLOCK:
		r->rax = NR_restart_syscall;
		r->rip -= ARCH_SYSCALL_INSN_LEN;
		break;
	}
	r->orig_rax = -1;
}
