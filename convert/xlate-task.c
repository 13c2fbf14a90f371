// SPDX-License-Identifier: GPL-2.0-only
/*
 * core-TID.img of each thread from its TASK record (note section 4) and the
 * records nested in it: x86_64 registers with decoded segment selectors (a
 * frozen syscall is made to run again by xlate-restart.c), the
 * fxsave/xsave image, sigaltstack, robust list, private pending signals;
 * for the leader the task-wide state: rlimits and shared pending signals
 * (SIGNAL_STRUCT), sigactions (SIGHAND_STRUCT), itimers and POSIX timers.
 * Signal queues are built in xlate-sig.c.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core.pb-c.h"
#include "log.h"
#include "xlate-sig.h"

#define USER_CS_64		0x33
#define CAP_WORDS		2
#define TASK_EXIT_ZOMBIE	16
#define TASK_STOPPED_BIT	4	/* 4 on 2.6.18, 0x84 on 2.6.32 */
#define RLIM_N			16

/* Everything a core_entry points to, in one allocation. */
struct xl_core {
	CoreEntry core;
	ThreadInfoX86 ti;
	UserX86RegsEntry gp;
	UserX86FpregsEntry fp;
	UserX86XsaveEntry xs;
	uint32_t st[32], xmm[64], pad[24], ymmh[64];
	TaskCoreEntry tc;
	TaskTimersEntry timers;
	ItimerEntry it[3];
	TaskRlimitsEntry rl;
	RlimitEntry rle[RLIM_N];
	RlimitEntry *rlp[RLIM_N];
	SaEntry sa[64];
	SaEntry *sap[64];
	TaskKobjIdsEntry ids;
	ThreadCoreEntry th;
	ThreadSasEntry sas;
	CredsEntry cr;
	uint32_t caps[4][CAP_WORDS];
	uint32_t groups[32];
	struct xl_sigq sq_s, sq_p;
	PosixTimerEntry *ptp[XL_MAX_PTIMERS];
	PosixTimerEntry pt[XL_MAX_PTIMERS];
	bool have_regs;
	char comm[17];
};

/* CPT_SEG_* codes (note 4.4) to selector values of a 64-bit kernel. */
static uint64_t seg(uint64_t v)
{
	if (v >= 1 && v <= 3)
		return ((12 + v - 1) << 3) | 3;	/* GDT TLS slots */
	if (v >= 256)
		return ((v - 256) << 3) | 7;	/* LDT entry */
	switch (v) {
	case 4: case 6: return 0x2b;		/* USER32_DS == USER_DS */
	case 5: return 0x23;			/* USER32_CS */
	case 7: return USER_CS_64;
	}
	return 0;
}

static int read_regs(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h,
		     struct xl_core *c, uint32_t tid)
{
	uint8_t rec[280];
	UserX86RegsEntry *g = &c->gp;
	uint64_t *w[21] = { &g->r15, &g->r14, &g->r13, &g->r12, &g->bp, &g->bx, &g->r11,
			    &g->r10, &g->r9, &g->r8, &g->ax, &g->cx, &g->dx, &g->si, &g->di,
			    &g->orig_ax, &g->ip, &g->cs, &g->flags, &g->sp, &g->ss };
	int r;

	if (h->type == CPT_OBJ_X86_REGS)
		return log_err(-EOPNOTSUPP, "Failed to translate thread %u: X86_REGS at offset %#" PRIx64 ": a 32-bit (i386) task, only x86_64 tasks are supported",
			       tid, pos);
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_X86_64_REGS, "X86_64_REGS", rec,
			 sizeof(rec), NULL);
	if (r < 0)
		return r;
	for (int i = 0; i < 21; i++)
		*w[i] = get64(rec, 112 + 8 * i);
	g->fs_base = get64(rec, 80);
	g->gs_base = get64(rec, 88);
	g->fs = seg(get32(rec, 96));
	g->gs = seg(get32(rec, 100));
	g->ds = seg(get32(rec, 104));
	g->es = seg(get32(rec, 108));
	g->cs = seg(g->cs);
	g->ss = seg(g->ss);
	if (g->cs != USER_CS_64)
		return log_err(-EOPNOTSUPP, "Failed to translate thread %u: X86_64_REGS at offset %#" PRIx64 ": field cpt_cs %" PRIu64 " is not the 64-bit code segment (32-bit code): not supported",
			       tid, pos, get64(rec, 248));
	c->have_regs = true;
	return 0;
}

/* An fxsave image (and an xsave header and AVX part after it). */
static int read_fpu(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h,
		    struct xl_core *c, uint32_t tid)
{
	uint8_t rec[24], buf[832] = { 0 };
	uint32_t size;
	int r;

	if (h->content == CPT_CONTENT_FPU_OLD)
		return log_err(-EOPNOTSUPP, "Failed to translate thread %u: BITS at offset %#" PRIx64 ": an i387 fsave image (X86_FPUSTATE_OLD), not fxsave: not supported",
			       tid, pos);
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_BITS, "FPU BITS", rec, sizeof(rec), NULL);
	if (r < 0)
		return r;
	size = get32(rec, 16);
	if (size < 512 || size > h->next - h->hdrlen)
		return log_err(-EPROTO, "FPU BITS at offset %#" PRIx64 ": field cpt_size %u is below 512 or past the record (%" PRIu64 " bytes)",
			       pos, size, h->next - h->hdrlen);
	r = cpt_pread(x->f, pos + h->hdrlen, buf, size < sizeof(buf) ? size : sizeof(buf),
		      "FPU image");
	if (r < 0)
		return r;
	c->fp.cwd = get16(buf, 0);
	c->fp.swd = get16(buf, 2);
	c->fp.twd = get16(buf, 4);
	c->fp.fop = get16(buf, 6);
	c->fp.rip = get64(buf, 8);
	c->fp.rdp = get64(buf, 16);
	c->fp.mxcsr = get32(buf, 24);
	c->fp.mxcsr_mask = get32(buf, 28);
	memcpy(c->st, buf + 32, sizeof(c->st));
	memcpy(c->xmm, buf + 160, sizeof(c->xmm));
	memcpy(c->pad, buf + 416, sizeof(c->pad));
	/* x87 and SSE state present: without these bits xrstor would reset them */
	c->xs.xstate_bv = 3;
	if (h->content == CPT_CONTENT_XSAVE && size >= sizeof(buf) && (get64(buf, 512) & 4)) {
		memcpy(c->ymmh, buf + 576, sizeof(c->ymmh));
		c->xs.ymmh_space = c->ymmh;
		c->xs.n_ymmh_space = 64;
		c->xs.xstate_bv |= 4;
	}
	c->fp.xsave = &c->xs;
	return 0;
}

static int read_small(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h,
		      uint32_t type, const char *what, uint8_t *rec, size_t len)
{
	return cpt_read_obj(x->f, pos, pos + h->next, type, what, rec, len, NULL);
}

struct task_walk {
	struct xl_core *c;
	uint32_t tid;
};

/* The records nested in a TASK (note 4.2); SIGNAL_STRUCT is read by reference. */
static int task_child(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct task_walk *w = arg;
	struct xl_core *c = w->c;
	uint8_t rec[152];
	int r = 0;

	switch (h->type) {
	case CPT_OBJ_X86_REGS:
	case CPT_OBJ_X86_64_REGS:
		return read_regs(x, pos, h, c, w->tid);
	case CPT_OBJ_BITS:
		return h->content == 4 /* kernel stack */ ? 0 : read_fpu(x, pos, h, c, w->tid);
	case CPT_OBJ_SIGALTSTACK:
		r = read_small(x, pos, h, h->type, "SIGALTSTACK", rec, 32);
		c->sas.ss_sp = get64(rec, 16);
		c->sas.ss_size = get32(rec, 24);
		c->sas.ss_flags = 0;
		return r;
	case CPT_OBJ_TASK_AUX:
		r = read_small(x, pos, h, h->type, "TASK_AUX", rec, 152);
		c->th.futex_rla = get64(rec, 16);
		c->th.futex_rla_len = c->th.futex_rla ? 24 : 0;
		return r;
	case CPT_OBJ_SIGINFO:
		return xl_sigq_add(x, &c->sq_p, pos, h);
	case CPT_OBJ_LASTSIGINFO:
		return xl_unsupported(x, "the signal being delivered to ptrace-stopped thread %u (LASTSIGINFO at offset %#" PRIx64 ")",
				      w->tid, pos);
	}
	return 0;	/* SIGNAL_STRUCT: by reference, for the leader */
}

static void caps(uint32_t *dst, uint64_t v)
{
	dst[0] = (uint32_t)v;
	dst[1] = (uint32_t)(v >> 32);
}

static void fill_creds(struct xl_core *c, const uint8_t *rec, uint16_t hdrlen)
{
	CredsEntry *cr = &c->cr;
	uint32_t ngids = get32(rec, 280);

	creds_entry__init(cr);
	cr->uid = get32(rec, 248); cr->euid = get32(rec, 252);
	cr->suid = get32(rec, 256); cr->fsuid = get32(rec, 260);
	cr->gid = get32(rec, 264); cr->egid = get32(rec, 268);
	cr->sgid = get32(rec, 272); cr->fsgid = get32(rec, 276);
	for (uint32_t i = 0; i < ngids && i < 32; i++)
		c->groups[i] = get32(rec, 284 + 4 * i);
	cr->groups = c->groups;
	cr->n_groups = ngids < 32 ? ngids : 32;
	caps(c->caps[0], get64(rec, 424));
	caps(c->caps[1], get64(rec, 432));
	caps(c->caps[2], get64(rec, 416));
	/* no bounding set before late RHEL6: nothing was dropped from it */
	caps(c->caps[3], hdrlen >= 992 ? get64(rec, 984) : UINT64_MAX);
	cr->cap_inh = c->caps[0]; cr->n_cap_inh = CAP_WORDS;
	cr->cap_prm = c->caps[1]; cr->n_cap_prm = CAP_WORDS;
	cr->cap_eff = c->caps[2]; cr->n_cap_eff = CAP_WORDS;
	cr->cap_bnd = c->caps[3]; cr->n_cap_bnd = CAP_WORDS;
	cr->secbits = rec[570];
}

static void init_core(struct xl_core *c, const struct xl_task *t)
{
	static const uint32_t fx_default_cwd = 0x37f, mxcsr_default = 0x1f80;
	const uint8_t *rec = t->rec;

	core_entry__init(&c->core);
	thread_info_x86__init(&c->ti);
	user_x86_regs_entry__init(&c->gp);
	user_x86_fpregs_entry__init(&c->fp);
	user_x86_xsave_entry__init(&c->xs);
	thread_core_entry__init(&c->th);
	thread_sas_entry__init(&c->sas);
	c->core.mtype = CORE_ENTRY__MARCH__X86_64;
	c->gp.has_mode = true;
	c->gp.mode = USER_X86_REGS_MODE__NATIVE;
	c->fp.cwd = fx_default_cwd;	/* a task that never used the FPU */
	c->fp.mxcsr = mxcsr_default;
	c->fp.st_space = c->st; c->fp.n_st_space = 32;
	c->fp.xmm_space = c->xmm; c->fp.n_xmm_space = 64;
	c->fp.padding = c->pad; c->fp.n_padding = 24;
	c->ti.gpregs = &c->gp;
	c->ti.fpregs = &c->fp;
	c->ti.clear_tid_addr = get64(rec, 224);
	c->sas.ss_flags = 2;	/* SS_DISABLE unless a SIGALTSTACK says otherwise */
	c->th.sas = &c->sas;
	c->th.has_blk_sigset = true;
	c->th.blk_sigset = get64(rec, 136);
	c->th.has_pdeath_sig = true;
	c->th.pdeath_sig = get32(rec, 240);
	c->th.has_sched_policy = true;
	c->th.sched_policy = get32(rec, 48);
	c->th.has_sched_nice = true;
	c->th.sched_nice = (int32_t)get32(rec, 44) - 120;
	fill_creds(c, rec, t->h.hdrlen);
	c->th.creds = &c->cr;
	c->core.thread_core = &c->th;
}

/* sa_entry of every signal but SIGKILL/SIGSTOP, from SIGHANDLER records. */
static int sighandler(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct xl_core *c = arg;
	uint8_t rec[56];
	uint32_t idx;	/* signal number - 1 */
	int r;

	if (h->type != CPT_OBJ_SIGHANDLER)
		return 0;
	r = read_small(x, pos, h, CPT_OBJ_SIGHANDLER, "SIGHANDLER", rec, sizeof(rec));
	if (r < 0)
		return r;
	idx = get32(rec, 16);
	if (idx >= 64)	/* checked before any arithmetic: all-ones must not wrap */
		return log_err(-EPROTO, "SIGHANDLER at offset %#" PRIx64 ": field cpt_signo %u is past the 64 signals",
			       pos, idx);
	c->sa[idx].sigaction = get64(rec, 24);
	c->sa[idx].restorer = get64(rec, 32);
	c->sa[idx].flags = get64(rec, 40);
	c->sa[idx].mask = get64(rec, 48);
	return 0;
}

static int fill_sigactions(struct xlate *x, const struct xl_task *t, struct xl_core *c)
{
	uint64_t ref = get64(t->rec, 128);
	struct cpt_obj_hdr h;
	size_t n = 0;
	int r;

	for (int i = 0; i < 64; i++)
		sa_entry__init(&c->sa[i]);
	r = cpt_resolve(x->f, ref, CPT_OBJ_SIGHAND_STRUCT, t->pos, "cpt_sighand");
	if (r > 0)
		r = cpt_read_obj(x->f, ref, x->f->size, CPT_OBJ_SIGHAND_STRUCT, "SIGHAND_STRUCT", NULL,
				 0, &h) ?: xl_children(x, ref, &h, sighandler, c);
	if (r < 0)
		return r;
	for (int sig = 1; sig <= 64; sig++)
		if (sig != 9 && sig != 19)	/* SIGKILL, SIGSTOP: not in the image */
			c->sap[n++] = &c->sa[sig - 1];
	c->tc.sigactions = c->sap;
	c->tc.n_sigactions = n;
	return 0;
}

static void itimer(ItimerEntry *e, uint64_t val, uint64_t incr, uint64_t unit_ns)
{
	itimer_entry__init(e);
	e->vsec = val * unit_ns / 1000000000ULL;
	e->vusec = val * unit_ns % 1000000000ULL / 1000;
	e->isec = incr * unit_ns / 1000000000ULL;
	e->iusec = incr * unit_ns % 1000000000ULL / 1000;
}

static int posix_timer(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct xl_core *c = arg;
	PosixTimerEntry *e = &c->pt[c->timers.n_posix];
	uint8_t rec[88];
	uint64_t iv, val;
	int r;

	/* 4122 too: some 042stab kernels wrote timers with MOUNT_DATA's code */
	if (h->type != CPT_OBJ_POSIX_TIMER && h->type != CPT_OBJ_MOUNT_DATA)
		return 0;
	if (c->timers.n_posix == XL_MAX_PTIMERS)
		return log_err(-E2BIG, "POSIX_TIMER at offset %#" PRIx64 ": more than %d timers",
			       pos, XL_MAX_PTIMERS);
	r = read_small(x, pos, h, h->type, "POSIX_TIMER", rec, sizeof(rec));
	if (r < 0)
		return r;
	posix_timer_entry__init(e);
	e->it_id = get32(rec, 16);
	e->clock_id = get32(rec, 20);
	e->overrun = get32(rec, 24);
	iv = get64(rec, 40);
	val = get64(rec, 48);
	e->isec = iv >> 32;
	e->insec = (uint32_t)iv;
	e->vsec = val >> 32;
	e->vnsec = (uint32_t)val;
	e->sival_ptr = get64(rec, 56);
	e->si_signo = get32(rec, 64);
	e->it_sigev_notify = get32(rec, 68);
	e->has_notify_thread_id = e->it_sigev_notify & 4 /* SIGEV_THREAD_ID */;
	e->notify_thread_id = (int32_t)get32(rec, 72);
	if (e->insec >= 1000000000 || e->vnsec >= 1000000000)
		return log_err(-EPROTO, "POSIX_TIMER at offset %#" PRIx64 ": nanoseconds of cpt_timer_interval/value past one second",
			       pos);
	c->ptp[c->timers.n_posix++] = e;
	/* the dump leaves out SI_TIMER siginfos: the timer says its signal waits */
	return get32(rec, 32) ? xl_sigq_timer(&c->sq_s, e->si_signo, e->it_id, e->overrun,
					       e->sival_ptr) : 0;
}

static int fill_timers(struct xlate *x, const struct xl_task *t, struct xl_core *c)
{
	uint64_t jiffy_ns = 1000000000ULL / (x->f->hdr.hz ? x->f->hdr.hz : 1000);
	uint64_t ref = t->h.hdrlen >= 984 ? get64(t->rec, 976) : CPT_NULL;
	const uint8_t *rec = t->rec;
	struct cpt_obj_hdr h;
	int r;

	task_timers_entry__init(&c->timers);
	itimer(&c->it[0], get64(rec, 520), get64(rec, 528), 1);
	itimer(&c->it[2], get64(rec, 536), get64(rec, 544), jiffy_ns);	/* cputime */
	itimer(&c->it[1], get64(rec, 552), get64(rec, 560), jiffy_ns);
	c->timers.real = &c->it[0];
	c->timers.virt = &c->it[1];
	c->timers.prof = &c->it[2];
	c->timers.posix = c->ptp;
	c->tc.timers = &c->timers;
	r = cpt_resolve(x->f, ref, CPT_OBJ_POSIX_TIMER_LIST, t->pos, "cpt_posix_timers");
	if (r > 0)
		r = cpt_read_obj(x->f, ref, x->f->size, CPT_OBJ_POSIX_TIMER_LIST, "POSIX_TIMER_LIST",
				 NULL, 0, &h) ?: xl_children(x, ref, &h, posix_timer, c);
	return r < 0 ? r : 0;
}

static int signal_child(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct xl_core *c = arg;

	return h->type == CPT_OBJ_SIGINFO ? xl_sigq_add(x, &c->sq_s, pos, h) : 0;
}

/* rlimits and the shared queue: the group's SIGNAL_STRUCT (task fields before). */
static int fill_signal(struct xlate *x, const struct xl_task *t, struct xl_core *c)
{
	uint64_t ref = get64(t->rec, 120);
	uint8_t rec[456];
	const uint8_t *src = t->rec;
	struct cpt_obj_hdr h;
	unsigned int cur = 688, max = 816;
	uint64_t pending = 0;
	int r;

	r = cpt_resolve(x->f, ref, CPT_OBJ_SIGNAL_STRUCT, t->pos, "cpt_signal");
	if (r > 0) {
		r = cpt_read_obj(x->f, ref, x->f->size, CPT_OBJ_SIGNAL_STRUCT, "SIGNAL_STRUCT", rec,
				 sizeof(rec), &h) ?: xl_children(x, ref, &h, signal_child, c);
		src = rec;
		cur = 192;
		max = 320;
		pending = get64(rec, 48);
	}
	if (r < 0)
		return r;
	task_rlimits_entry__init(&c->rl);
	for (int i = 0; i < RLIM_N; i++) {
		rlimit_entry__init(&c->rle[i]);
		c->rle[i].cur = get64(src, cur + 8 * i);	/* CPT_NULL is RLIM_INFINITY */
		c->rle[i].max = get64(src, max + 8 * i);
		c->rlp[i] = &c->rle[i];
	}
	c->rl.rlimits = c->rlp;
	c->rl.n_rlimits = RLIM_N;
	c->tc.rlimits = &c->rl;
	return xl_sigq_mask(&c->sq_s, pending, "shared");
}

/* task_core_entry and ids of the process whose leader is @t. */
static int xl_task_wide(struct xlate *x, const struct xl_task *t, uint32_t pid, CoreEntry *core,
			struct xl_core *c)
{
	uint64_t state = get64(t->rec, 16);
	int r;

	task_core_entry__init(&c->tc);
	task_kobj_ids_entry__init(&c->ids);
	c->tc.comm = c->comm;
	c->tc.task_state = state & TASK_EXIT_ZOMBIE ? TASK_STATE_DEAD :
			   state & TASK_STOPPED_BIT ? TASK_STATE_STOPPED : TASK_STATE_ALIVE;
	c->tc.exit_code = get32(t->rec, 232);
	c->tc.personality = (uint32_t)get64(t->rec, 88);
	c->tc.flags = (uint32_t)get64(t->rec, 24);
	c->tc.blk_sigset = get64(t->rec, 136);
	r = fill_sigactions(x, t, c) ?: fill_timers(x, t, c) ?: fill_signal(x, t, c);
	if (r)
		return r;
	c->tc.signals_s = &c->sq_s.q;
	c->ids.vm_id = c->ids.files_id = c->ids.fs_id = c->ids.sighand_id = pid;
	core->tc = &c->tc;
	core->ids = &c->ids;
	return 0;
}

static void free_core(struct xl_core *c)
{
	if (!c)
		return;
	xl_sigq_free(&c->sq_s);
	xl_sigq_free(&c->sq_p);
	free(c);
}

/* One thread's core; @leader: the process-wide part too. */
static int write_core(struct xlate *x, const struct xl_task *t, bool leader, uint32_t pid)
{
	struct xl_core *c = calloc(1, sizeof(*c));
	struct task_walk w = { c, t->pid };
	bool zombie = get64(t->rec, 16) & TASK_EXIT_ZOMBIE;
	int r;

	if (!c)
		return -ENOMEM;
	init_core(c, t);
	memcpy(c->comm, t->rec + 440, 16);	/* calloc'ed: NUL-terminated */
	c->th.comm = c->comm;
	r = xl_children(x, t->pos, &t->h, task_child, &w);
	if (!r && !c->have_regs && !zombie)
		r = log_err(-EPROTO, "TASK %u at offset %#" PRIx64 ": no X86_64_REGS record", t->pid,
			    t->pos);
	if (!r && c->have_regs)
		r = xl_restart(x, t, pid, &c->gp);
	if (!r)
		r = xl_sigq_mask(&c->sq_p, get64(t->rec, 152), "private");
	if (!r && leader)
		r = xl_task_wide(x, t, pid, &c->core, c);
	if (!r) {
		c->th.signals_p = &c->sq_p.q;
		c->core.thread_info = c->have_regs ? &c->ti : NULL;
		r = img_write_single(x->dfd, IMG_CORE, t->pid, &c->core);
	}
	free_core(c);
	return r;
}

int xl_write_cores(struct xlate *x, const struct xl_task *t, const struct xl_task *all,
		   size_t n)
{
	int r = write_core(x, t, true, t->pid);

	for (size_t i = 0; !r && i < n; i++)
		if (all[i].tgid == t->pid && all[i].pid != t->pid)
			r = write_core(x, &all[i], false, t->pid);
	return r;
}
