// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86_64 thread state <-> core image: general registers and the xsave area
 * (legacy FXSAVE part, header, and each extended component at the offset
 * CPUID gives for the standard, uncompacted format the regset uses).
 */
#define LOG_PREFIX "x86: "
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.h"
#include "asm/fpu.h"
#include "cleanup.h"
#include "log.h"

/* xsave components carried by user_x86_xsave_entry, by feature number */
enum { XF_YMM = 2, XF_BNDREGS = 3, XF_BNDCSR = 4, XF_OPMASK = 5, XF_ZMM_HI256 = 6,
       XF_HI16_ZMM = 7, XF_PKRU = 9 };

struct xcomp {
	int nr;
	size_t field_off;	/* of the array pointer in UserX86XsaveEntry */
	size_t count_off;
	size_t elem;		/* 4 or 8 */
	size_t store_off;	/* of the storage in struct arch_thread_img */
	size_t max;		/* bytes of storage */
};

#define XC(n, f, s) { n, offsetof(UserX86XsaveEntry, f), offsetof(UserX86XsaveEntry, n_##f), \
		      sizeof(*((UserX86XsaveEntry *)0)->f), offsetof(struct arch_thread_img, s), \
		      sizeof(((struct arch_thread_img *)0)->s) }
static const struct xcomp xcomps[] = {
	XC(XF_YMM, ymmh_space, ymmh),
	XC(XF_BNDREGS, bndreg_state, bndreg),
	XC(XF_BNDCSR, bndcsr_state, bndcsr),
	XC(XF_OPMASK, opmask_reg, opmask),
	XC(XF_ZMM_HI256, zmm_upper, zmm_upper),
	XC(XF_HI16_ZMM, hi16_zmm, hi16_zmm),
	XC(XF_PKRU, pkru, pkru),
};

/* Offset and size of component @nr in the standard format; 0 if absent. */
static size_t xcomp_layout(int nr, size_t *ret_off)
{
	unsigned int eax, ebx, ecx, edx;

	__cpuid_count(CPUID_LEAF_XSTATE, nr, eax, ebx, ecx, edx);
	*ret_off = ebx;
	return eax;
}

static void regs_to_img(const arch_regs_t *r, UserX86RegsEntry *g)
{
	user_x86_regs_entry__init(g);
	g->r15 = r->r15; g->r14 = r->r14; g->r13 = r->r13; g->r12 = r->r12;
	g->bp = r->rbp; g->bx = r->rbx; g->r11 = r->r11; g->r10 = r->r10;
	g->r9 = r->r9; g->r8 = r->r8; g->ax = r->rax; g->cx = r->rcx;
	g->dx = r->rdx; g->si = r->rsi; g->di = r->rdi; g->orig_ax = r->orig_rax;
	g->ip = r->rip; g->cs = r->cs; g->flags = r->eflags; g->sp = r->rsp;
	g->ss = r->ss; g->fs_base = r->fs_base; g->gs_base = r->gs_base;
	g->ds = r->ds; g->es = r->es; g->fs = r->fs; g->gs = r->gs;
	g->has_mode = true;
	g->mode = USER_X86_REGS_MODE__NATIVE;
}

static void regs_from_img(const UserX86RegsEntry *g, arch_regs_t *r)
{
	memset(r, 0, sizeof(*r));
	r->r15 = g->r15; r->r14 = g->r14; r->r13 = g->r13; r->r12 = g->r12;
	r->rbp = g->bp; r->rbx = g->bx; r->r11 = g->r11; r->r10 = g->r10;
	r->r9 = g->r9; r->r8 = g->r8; r->rax = g->ax; r->rcx = g->cx;
	r->rdx = g->dx; r->rsi = g->si; r->rdi = g->di; r->orig_rax = g->orig_ax;
	r->rip = g->ip; r->cs = g->cs; r->eflags = g->flags; r->rsp = g->sp;
	r->ss = g->ss; r->fs_base = g->fs_base; r->gs_base = g->gs_base;
	r->ds = g->ds; r->es = g->es; r->fs = g->fs; r->gs = g->gs;
}

static void xsave_to_img(const char *buf, size_t len, struct arch_thread_img *t)
{
	UserX86FpregsEntry *fp = &t->fp;
	uint16_t w16[4];
	size_t i;

	memcpy(w16, buf, sizeof(w16));
	fp->cwd = w16[0]; fp->swd = w16[1]; fp->twd = w16[2]; fp->fop = w16[3];
	memcpy(&fp->rip, buf + 8, 8);
	memcpy(&fp->rdp, buf + 16, 8);
	memcpy(&fp->mxcsr, buf + 24, 4);
	memcpy(&fp->mxcsr_mask, buf + 28, 4);
	memcpy(t->st_space, buf + 32, sizeof(t->st_space));
	memcpy(t->xmm_space, buf + 160, sizeof(t->xmm_space));
	memcpy(t->padding, buf + 416, sizeof(t->padding));
	fp->st_space = t->st_space; fp->n_st_space = ARRAY_SIZE(t->st_space);
	fp->xmm_space = t->xmm_space; fp->n_xmm_space = ARRAY_SIZE(t->xmm_space);
	fp->padding = t->padding; fp->n_padding = ARRAY_SIZE(t->padding);
	if (len < XSAVE_MIN_SIZE)
		return;
	fp->xsave = &t->xs;
	memcpy(&t->xs.xstate_bv, buf + XSAVE_HDR_OFFSET, 8);
	for (i = 0; i < ARRAY_SIZE(xcomps); i++) {
		const struct xcomp *c = &xcomps[i];
		size_t off, size = xcomp_layout(c->nr, &off);
		char *store = (char *)t + c->store_off;

		if (!size || off + size > len || size > c->max)
			continue;
		memcpy(store, buf + off, size);
		*(void **)((char *)&t->xs + c->field_off) = store;
		*(size_t *)((char *)&t->xs + c->count_off) = size / c->elem;
	}
}

static int xsave_from_img(const UserX86FpregsEntry *fp, char *buf, size_t len)
{
	const UserX86XsaveEntry *xs = fp->xsave;
	uint16_t w16[4] = { fp->cwd, fp->swd, fp->twd, fp->fop };
	size_t i;

	if (fp->n_st_space != 32 || fp->n_xmm_space != 64)
		return log_err(-EINVAL, "Bad fpregs in image: %zu st, %zu xmm words",
			       fp->n_st_space, fp->n_xmm_space);
	memset(buf, 0, len);
	memcpy(buf, w16, sizeof(w16));
	memcpy(buf + 8, &fp->rip, 8);
	memcpy(buf + 16, &fp->rdp, 8);
	memcpy(buf + 24, &fp->mxcsr, 4);
	memcpy(buf + 28, &fp->mxcsr_mask, 4);
	memcpy(buf + 32, fp->st_space, 128);
	memcpy(buf + 160, fp->xmm_space, 256);
	if (!xs || len < XSAVE_MIN_SIZE)
		return 0;
	memcpy(buf + XSAVE_HDR_OFFSET, &xs->xstate_bv, 8);
	for (i = 0; i < ARRAY_SIZE(xcomps); i++) {
		const struct xcomp *c = &xcomps[i];
		size_t off, size = xcomp_layout(c->nr, &off);
		size_t n = *(const size_t *)((const char *)xs + c->count_off);
		const void *src = *(void *const *)((const char *)xs + c->field_off);

		if (!n)
			continue;
		if (n * c->elem != size || off + size > len)
			return log_err(-EINVAL, "xsave component %d in image: %zu bytes, CPU has %zu",
				       c->nr, n * c->elem, size);
		memcpy(buf + off, src, size);
	}
	return 0;
}

int arch_thread_dump(pid_t tid, const arch_regs_t *regs, struct arch_thread_img *t)
{
	size_t size = arch_xstate_cpu_size();
	_cleanup_free_ char *buf = NULL;
	struct iovec iov;

	memset(t, 0, sizeof(*t));
	thread_info_x86__init(&t->ti);
	user_x86_fpregs_entry__init(&t->fp);
	user_x86_xsave_entry__init(&t->xs);
	if (!arch_regs_native(regs))
		return log_err(-EOPNOTSUPP, "Thread %d runs 32-bit code (cs %#llx): not supported",
			       tid, (unsigned long long)regs->cs);
	regs_to_img(regs, &t->gp);
	t->ti.gpregs = &t->gp;
	t->ti.fpregs = &t->fp;
	if (size < FXSAVE_SIZE)
		size = FXSAVE_SIZE;
	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	iov.iov_base = buf;
	iov.iov_len = size;
	if (ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, &iov) < 0) {
		iov.iov_len = FXSAVE_SIZE;
		if (ptrace(PTRACE_GETREGSET, tid, NT_PRFPREG, &iov) < 0)
			return log_perr(-errno, "Failed to get the FPU state of %d", tid);
	}
	xsave_to_img(buf, iov.iov_len, t);
	return 0;
}

int arch_thread_restore(pid_t tid, const CoreEntry *core)
{
	const ThreadInfoX86 *ti = core->mtype == CORE_ENTRY__MARCH__X86_64 ? core->thread_info : NULL;
	size_t size = arch_xstate_cpu_size();
	_cleanup_free_ char *buf = NULL;
	struct iovec iov;
	arch_regs_t regs;
	int err;

	if (!ti || !ti->gpregs || !ti->fpregs)
		return log_err(-EINVAL, "Image of thread %d has no x86 registers", tid);
	if (ti->gpregs->has_mode && ti->gpregs->mode != USER_X86_REGS_MODE__NATIVE)
		return log_err(-EOPNOTSUPP, "Thread %d was a 32-bit task: not supported", tid);
	if (size < FXSAVE_SIZE)
		size = FXSAVE_SIZE;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	err = xsave_from_img(ti->fpregs, buf, size);
	if (err)
		return err;
	iov.iov_base = buf;
	iov.iov_len = size;
	if (ptrace(PTRACE_SETREGSET, tid, size > FXSAVE_SIZE ? NT_X86_XSTATE : NT_PRFPREG,
		   &iov) < 0)
		return log_perr(-errno, "Failed to set the FPU state of %d", tid);
	regs_from_img(ti->gpregs, &regs);
	return arch_regs_set(tid, &regs);
}

/* The image of a thread: CoreEntry's x86 field (none for a zombie). */
void arch_core_attach(CoreEntry *core, struct arch_thread_img *t)
{
	core->mtype = CORE_ENTRY__MARCH__X86_64;
	core->thread_info = t ? &t->ti : NULL;
}

bool arch_core_native(const CoreEntry *core)
{
	return core->mtype == CORE_ENTRY__MARCH__X86_64;
}

void arch_core_set_clear_tid(CoreEntry *core, uint64_t addr)
{
	if (core->thread_info)
		core->thread_info->clear_tid_addr = addr;
}

uint64_t arch_core_get_clear_tid(const CoreEntry *core)
{
	return core->thread_info ? core->thread_info->clear_tid_addr : 0;
}
