/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sample image set with known values, one image of every type vzcr
 * defines and every message in them: test-image writes and reads it back,
 * mkimages writes it for crit to decode. The values are chosen to catch
 * schema mistakes: uint64s above 2^32 and 2^63, negative ints and sints,
 * bools set against their defaults, bytes of every value, a string that
 * needs JSON escaping, optional fields both set and unset.
 * Header-only because each test program links one object of its own.
 */
#ifndef VZCR_TESTS_SAMPLE_H
#define VZCR_TESTS_SAMPLE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "image.h"

#include "core.pb-c.h"
#include "creds.pb-c.h"
#include "fdinfo.pb-c.h"
#include "fs.pb-c.h"
#include "ghost-file.pb-c.h"
#include "inventory.pb-c.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "pipe-data.pb-c.h"
#include "pipe.pb-c.h"
#include "pstree.pb-c.h"
#include "regfile.pb-c.h"
#include "remap-file-path.pb-c.h"
#include "rlimit.pb-c.h"
#include "sa.pb-c.h"
#include "stats.pb-c.h"
#include "timer.pb-c.h"
#include "utsns.pb-c.h"

#define SAMPLE_PAGE	4096
#define SAMPLE_NPAGES	3	/* pages of PE_PRESENT entries in pagemap-1 */
#define SAMPLE_MAX_E	8

struct sample_entry {
	const ProtobufCMessage *msg;
	const void *extra;	/* raw bytes following the entry (pipes-data) */
	size_t extra_len;
};

struct sample_img {
	enum img_type type;
	unsigned int id;
	size_t n;
	struct sample_entry e[SAMPLE_MAX_E];
	const void *raw;	/* raw images: the whole content */
	size_t raw_len;
};

#define S_ADD(img, m) ((img)->e[(img)->n++].msg = (const ProtobufCMessage *)(m))

/* ids shared by inventory.root_ids, core.ids and ids-1.img */
static inline void sample_ids(TaskKobjIdsEntry *ids)
{
	task_kobj_ids_entry__init(ids);
	ids->vm_id = 11;
	ids->files_id = 12;
	ids->fs_id = 13;
	ids->sighand_id = 14;
	ids->has_pid_ns_id = ids->has_net_ns_id = ids->has_uts_ns_id = true;
	ids->pid_ns_id = 0xf0000001U;
	ids->net_ns_id = 0xf0000002U;
	ids->uts_ns_id = 0xf0000003U;
	ids->has_time_ns_id = true;
	ids->time_ns_id = 0;	/* present, but zero */
}

static inline void sample_inventory(struct sample_img *s)
{
	static InventoryEntry inv;
	static TaskKobjIdsEntry ids;

	inventory_entry__init(&inv);
	sample_ids(&ids);
	inv.img_version = 2;	/* CRTOOLS_IMAGES_V1_1 */
	inv.has_fdinfo_per_id = inv.fdinfo_per_id = true;
	inv.root_ids = &ids;
	inv.has_ns_per_id = inv.ns_per_id = true;
	inv.has_lsmtype = true;
	inv.lsmtype = LSMTYPE__APPARMOR;
	inv.has_dump_uptime = true;
	inv.dump_uptime = 123456789012345ULL;
	inv.has_network_lock_method = true;
	inv.network_lock_method = 2;
	S_ADD(s, &inv);
}

static inline void sample_pstree(struct sample_img *s)
{
	static PstreeEntry p[3];
	static uint32_t threads[] = { 1, 5, 6 };
	static uint32_t threads2[] = { 2 };
	size_t i;

	for (i = 0; i < 3; i++) {
		pstree_entry__init(&p[i]);
		p[i].pid = i + 1;
		p[i].ppid = i ? 1 : 0;
		p[i].pgid = i == 2 ? 3 : 1;
		p[i].sid = 1;
		S_ADD(s, &p[i]);
	}
	p[0].n_threads = 3;
	p[0].threads = threads;
	p[1].n_threads = 1;
	p[1].threads = threads2;
}

static inline void sample_regs(UserX86RegsEntry *r)
{
	uint64_t *f[] = { &r->r15, &r->r14, &r->r13, &r->r12, &r->bp, &r->bx, &r->r11, &r->r10,
			  &r->r9, &r->r8, &r->ax, &r->cx, &r->dx, &r->si, &r->di };
	size_t i;

	user_x86_regs_entry__init(r);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		*f[i] = 0x1000000000ULL * (i + 1) + i;
	r->orig_ax = (uint64_t)-1;	/* not in a syscall */
	r->ip = 0x00007f0123456789ULL;
	r->cs = 0x33;
	r->flags = 0x246;
	r->sp = 0x00007ffd00001230ULL;
	r->ss = 0x2b;
	r->fs_base = 0x00007f0000001740ULL;
	r->gs_base = 0;
	r->ds = r->es = r->fs = r->gs = 0;
	r->has_mode = true;
	r->mode = USER_X86_REGS_MODE__NATIVE;
}

static inline void sample_fpregs(UserX86FpregsEntry *fp, UserX86XsaveEntry *xs)
{
	static uint32_t st[32], xmm[64], pad[24], ymmh[64], pkru[2] = { 0x55555554, 0 };
	static uint64_t opmask[8];
	size_t i;

	user_x86_fpregs_entry__init(fp);
	user_x86_xsave_entry__init(xs);
	for (i = 0; i < 64; i++) {
		xmm[i] = 0x01010101U * i;
		ymmh[i] = 0xa0000000U + i;
		if (i < 32)
			st[i] = 0x80000000U | i;
		if (i < 24)
			pad[i] = i;
		if (i < 8)
			opmask[i] = 0xffffffffffff0000ULL + i;
	}
	fp->cwd = 0x37f;
	fp->swd = 0;
	fp->twd = 0xffff;
	fp->fop = 0;
	fp->rip = 0x00007f00deadbeefULL;
	fp->rdp = 0x00007ffd0000cafeULL;
	fp->mxcsr = 0x1f80;
	fp->mxcsr_mask = 0xffff;
	fp->n_st_space = 32, fp->st_space = st;
	fp->n_xmm_space = 64, fp->xmm_space = xmm;
	fp->n_padding = 24, fp->padding = pad;
	xs->xstate_bv = 0x2e7;
	xs->n_ymmh_space = 64, xs->ymmh_space = ymmh;
	xs->n_opmask_reg = 8, xs->opmask_reg = opmask;
	xs->n_pkru = 2, xs->pkru = pkru;
	fp->xsave = xs;
}

static inline void sample_thread_info(ThreadInfoX86 *ti)
{
	static UserX86RegsEntry regs;
	static UserX86FpregsEntry fp;
	static UserX86XsaveEntry xs;
	static UserDescT tls[3], *tlsp[3];
	size_t i;

	thread_info_x86__init(ti);
	sample_regs(&regs);
	sample_fpregs(&fp, &xs);
	for (i = 0; i < 3; i++) {
		user_desc_t__init(&tls[i]);
		tls[i].entry_number = 12 + i;
		tlsp[i] = &tls[i];
	}
	/* one real descriptor; the two others empty, as the kernel gives them */
	tls[0].base_addr = 0xf7f00000U;
	tls[0].limit = 0xfffff;
	tls[0].seg_32bit = tls[0].limit_in_pages = tls[0].usable = true;
	tls[0].read_exec_only = tls[0].seg_not_present = false;
	ti->clear_tid_addr = 0x00007f0000001a10ULL;
	ti->gpregs = &regs;
	ti->fpregs = &fp;
	ti->n_tls = 3;
	ti->tls = tlsp;
}

static inline void sample_creds(CredsEntry *c)
{
	static uint32_t caps[2] = { 0xffffffffU, 0x000001ffU }, none[2], groups[] = { 0, 4, 27 };
	static uint8_t aa[5] = { 0, 1, 0x7f, 0x80, 0xff };

	creds_entry__init(c);
	c->uid = c->euid = c->suid = c->fsuid = 1000;
	c->gid = c->egid = c->sgid = c->fsgid = 0xfffffffeU;	/* nogroup-ish */
	c->n_cap_inh = 2, c->cap_inh = none;
	c->n_cap_prm = 2, c->cap_prm = caps;
	c->n_cap_eff = 2, c->cap_eff = caps;
	c->n_cap_bnd = 2, c->cap_bnd = caps;
	c->secbits = 0x2f;
	c->n_groups = 3, c->groups = groups;
	c->lsm_profile = "vzcr-default (enforce)";
	c->has_apparmor_data = true;
	c->apparmor_data.len = sizeof(aa);
	c->apparmor_data.data = aa;
}

static inline void sample_sigactions(SaEntry *sa, SaEntry **sap, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sa_entry__init(&sa[i]);
		sa[i].sigaction = i ? 0x0000555555550000ULL + i : 1;	/* SIG_IGN first */
		sa[i].flags = 0x04000000ULL | i;			/* SA_RESTORER */
		sa[i].restorer = 0x00007f0000042000ULL;
		sa[i].mask = 1ULL << (i + 1) | 0x8000000000000000ULL;
		sap[i] = &sa[i];
	}
	sa[1].has_compat_sigaction = true;
	sa[1].compat_sigaction = false;
	sa[2].has_mask_extended = true;
	sa[2].mask_extended = 0x1ULL;
}

static inline void sample_timers(TaskTimersEntry *t, PosixTimerEntry **pp)
{
	static ItimerEntry it[3];
	static PosixTimerEntry pt[2];
	size_t i;

	task_timers_entry__init(t);
	for (i = 0; i < 3; i++) {
		itimer_entry__init(&it[i]);
		it[i].isec = i, it[i].iusec = 500000 + i;
		it[i].vsec = 10 * i, it[i].vusec = 999999;
	}
	for (i = 0; i < 2; i++) {
		posix_timer_entry__init(&pt[i]);
		pt[i].it_id = i;
		pt[i].clock_id = i ? 1 : 0;
		pt[i].si_signo = 34 + i;
		pt[i].it_sigev_notify = i ? 4 : 0;	/* SIGEV_THREAD_ID */
		pt[i].sival_ptr = 0xffffffffffffff00ULL + i;
		pt[i].overrun = 3;
		pt[i].isec = 1, pt[i].insec = 999999999;
		pt[i].vsec = 0, pt[i].vnsec = 1;
		pp[i] = &pt[i];
	}
	pt[1].has_notify_thread_id = true;
	pt[1].notify_thread_id = -7;
	t->real = &it[0], t->virt = &it[1], t->prof = &it[2];
	t->n_posix = 2, t->posix = pp;
}

static inline void sample_rlimits(RlimitEntry *rl, RlimitEntry **rlp, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		rlimit_entry__init(&rl[i]);
		rl[i].cur = i == 3 ? 8 << 20 : (uint64_t)-1;	/* RLIM_INFINITY */
		rl[i].max = i == 7 ? 1024 * 1024 : (uint64_t)-1;
		rlp[i] = &rl[i];
	}
}

static inline void sample_sigqueue(SignalQueueEntry *q, SiginfoEntry *si, SiginfoEntry **sip,
				   uint8_t (*buf)[128], int signo)
{
	size_t i;

	signal_queue_entry__init(q);
	siginfo_entry__init(si);
	for (i = 0; i < 128; i++)
		(*buf)[i] = (uint8_t)(i * 3 + signo);
	(*buf)[0] = signo;
	si->siginfo.len = 128;
	si->siginfo.data = *buf;
	*sip = si;
	q->n_signals = 1;
	q->signals = sip;
}

static inline void sample_task_core(TaskCoreEntry *tc)
{
	static TaskTimersEntry timers;
	static PosixTimerEntry *ptp[2];
	static TaskRlimitsEntry rlims;
	static RlimitEntry rl[16], *rlp[16];
	static SignalQueueEntry sq;
	static SiginfoEntry si, *sip;
	static uint8_t sibuf[128];
	static SaEntry sa[3], *sap[3];

	task_core_entry__init(tc);
	tc->task_state = 1;
	tc->exit_code = 0;
	tc->personality = 0x0400000;	/* ADDR_NO_RANDOMIZE */
	tc->flags = 0x00400100;
	tc->blk_sigset = 0x8000000000004000ULL;
	tc->comm = "init \"ct101\"";
	sample_timers(&timers, ptp);
	tc->timers = &timers;
	task_rlimits_entry__init(&rlims);
	sample_rlimits(rl, rlp, 16);
	rlims.n_rlimits = 16, rlims.rlimits = rlp;
	tc->rlimits = &rlims;
	tc->has_cg_set = true, tc->cg_set = 1;
	sample_sigqueue(&sq, &si, &sip, &sibuf, 10);
	tc->signals_s = &sq;
	tc->has_loginuid = true, tc->loginuid = 0xffffffffU;
	tc->has_oom_score_adj = true, tc->oom_score_adj = -500;
	sample_sigactions(sa, sap, 3);
	tc->n_sigactions = 3, tc->sigactions = sap;
	tc->has_child_subreaper = true, tc->child_subreaper = true;
}

static inline void sample_thread_core(ThreadCoreEntry *th, CredsEntry *creds, int nice)
{
	static ThreadSasEntry sas;
	static RseqEntry rseq;
	static SignalQueueEntry sq;
	static SiginfoEntry si, *sip;
	static uint8_t sibuf[128];

	thread_core_entry__init(th);
	th->futex_rla = 0x00007f0000001a20ULL;
	th->futex_rla_len = 24;
	th->has_sched_nice = true, th->sched_nice = nice;
	th->has_sched_policy = true, th->sched_policy = 0;
	th->has_blk_sigset = true, th->blk_sigset = 0x10000;
	thread_sas_entry__init(&sas);
	sas.ss_sp = 0x00007f0000200000ULL, sas.ss_size = 8192, sas.ss_flags = 0;
	th->sas = &sas;
	th->has_pdeath_sig = true, th->pdeath_sig = 9;
	sample_sigqueue(&sq, &si, &sip, &sibuf, 12);
	th->signals_p = &sq;
	sample_creds(creds);
	th->creds = creds;
	th->has_seccomp_mode = true, th->seccomp_mode = SECCOMP_MODE__filter;
	th->has_seccomp_filter = true, th->seccomp_filter = 3;
	th->comm = "worker";
	rseq_entry__init(&rseq);
	rseq.rseq_abi_pointer = 0x00007f0000003020ULL;
	rseq.rseq_abi_size = 32;
	rseq.signature = 0x53053053;
	rseq.has_rseq_cs_pointer = true, rseq.rseq_cs_pointer = 0;
	th->rseq_entry = &rseq;
}

static inline void sample_core(struct sample_img *s)
{
	static CoreEntry core;
	static ThreadInfoX86 ti;
	static TaskCoreEntry tc;
	static TaskKobjIdsEntry ids;
	static ThreadCoreEntry th;
	static CredsEntry creds;

	core_entry__init(&core);
	core.mtype = CORE_ENTRY__MARCH__X86_64;
	sample_thread_info(&ti);
	core.thread_info = &ti;
	sample_task_core(&tc);
	core.tc = &tc;
	sample_ids(&ids);
	core.ids = &ids;
	sample_thread_core(&th, &creds, -5);
	core.thread_core = &th;
	S_ADD(s, &core);
}

/* A second thread: no task core, its own registers, no TLS. */
static inline void sample_core_thread(struct sample_img *s)
{
	static CoreEntry core;
	static ThreadInfoX86 ti;
	static UserX86RegsEntry regs;
	static UserX86FpregsEntry fp;
	static UserX86XsaveEntry xs;
	static ThreadCoreEntry th;

	core_entry__init(&core);
	core.mtype = CORE_ENTRY__MARCH__X86_64;
	thread_info_x86__init(&ti);
	sample_regs(&regs);
	regs.ip += 0x100;
	regs.ax = (uint64_t)-4;	/* -EINTR of an interrupted syscall */
	sample_fpregs(&fp, &xs);
	fp.xsave = NULL;	/* FXSAVE only */
	ti.clear_tid_addr = 0x00007f0000005a10ULL;
	ti.gpregs = &regs;
	ti.fpregs = &fp;
	core.thread_info = &ti;
	thread_core_entry__init(&th);
	th.futex_rla = 0x00007f0000005a20ULL;
	th.futex_rla_len = 24;
	th.has_sched_nice = true, th.sched_nice = 19;
	th.comm = "worker-2";
	core.thread_core = &th;
	S_ADD(s, &core);
}

static inline void sample_mm(struct sample_img *s)
{
	static MmEntry mm;
	static VmaEntry v[4], *vp[4];
	static AioRingEntry aio, *aiop = &aio;
	static uint64_t auxv[6] = { 33, 0x00007ffd00fff000ULL, 6, 4096, 0, 0 };
	size_t i;

	mm_entry__init(&mm);
	mm.mm_start_code = 0x0000555555554000ULL, mm.mm_end_code = 0x0000555555556000ULL;
	mm.mm_start_data = 0x0000555555757000ULL, mm.mm_end_data = 0x0000555555758000ULL;
	mm.mm_start_stack = 0x00007ffd00001000ULL;
	mm.mm_start_brk = 0x0000555555759000ULL, mm.mm_brk = 0x000055555577a000ULL;
	mm.mm_arg_start = 0x00007ffd00002000ULL, mm.mm_arg_end = 0x00007ffd00002010ULL;
	mm.mm_env_start = 0x00007ffd00002010ULL, mm.mm_env_end = 0x00007ffd00002fe0ULL;
	mm.exe_file_id = 3;
	mm.n_mm_saved_auxv = 6, mm.mm_saved_auxv = auxv;
	for (i = 0; i < 4; i++) {
		vma_entry__init(&v[i]);
		v[i].start = 0x0000555555554000ULL + i * 0x200000ULL;
		v[i].end = v[i].start + 0x2000;
		v[i].pgoff = i * 2;
		v[i].shmid = i == 0 ? 3 : 0;
		v[i].prot = i == 0 ? 5 : 3;			/* r-x, rw- */
		v[i].flags = i == 0 ? 2 : 0x22;			/* MAP_PRIVATE(|MAP_ANON) */
		v[i].status = i == 0 ? 0x41 : 0x201;
		v[i].fd = i == 0 ? 4 : -1;
		vp[i] = &v[i];
	}
	v[3].status = 0x80000003U;	/* VMA_UNSUPP | stack: the top bit */
	v[1].has_madv = true, v[1].madv = 1ULL << 14;
	v[2].has_fdflags = true, v[2].fdflags = 02;
	mm.n_vmas = 4, mm.vmas = vp;
	mm.has_dumpable = true, mm.dumpable = 1;
	aio_ring_entry__init(&aio);
	aio.id = 0x00007f0000600000ULL, aio.nr_req = 128, aio.ring_len = 8192;
	mm.n_aios = 1, mm.aios = &aiop;
	mm.has_thp_disabled = true, mm.thp_disabled = false;
	S_ADD(s, &mm);
}

static inline void sample_pagemap(struct sample_img *s)
{
	static PagemapHead head;
	static PagemapEntry pe[3];

	pagemap_head__init(&head);
	head.pages_id = 1;
	S_ADD(s, &head);
	pagemap_entry__init(&pe[0]);
	pe[0].vaddr = 0x0000555555757000ULL, pe[0].nr_pages = 1;
	pe[0].has_flags = true, pe[0].flags = 4;		/* PE_PRESENT */
	pagemap_entry__init(&pe[1]);
	pe[1].vaddr = 0x00007ffd00000000ULL, pe[1].nr_pages = 2;
	pe[1].has_flags = true, pe[1].flags = 4;
	pagemap_entry__init(&pe[2]);
	pe[2].vaddr = 0x00007f0000100000ULL, pe[2].nr_pages = 16;
	pe[2].has_in_parent = true, pe[2].in_parent = true;
	pe[2].has_flags = true, pe[2].flags = 1;		/* PE_PARENT */
	S_ADD(s, &pe[0]);
	S_ADD(s, &pe[1]);
	S_ADD(s, &pe[2]);
}

static inline void sample_pages(struct sample_img *s)
{
	static uint8_t pages[SAMPLE_NPAGES * SAMPLE_PAGE];
	size_t i;

	for (i = 0; i < sizeof(pages); i++)
		pages[i] = (uint8_t)(i * 7 + i / SAMPLE_PAGE);
	s->raw = pages;
	s->raw_len = sizeof(pages);
}

static inline void sample_fown(FownEntry *f, uint32_t pid)
{
	fown_entry__init(f);
	f->uid = 1000, f->euid = 1000, f->signum = pid ? 29 : 0, f->pid_type = pid ? 1 : 0;
	f->pid = pid;
}

static inline void sample_reg(RegFileEntry *r, FownEntry *f)
{
	static uint32_t build_id[5] = { 0xdeadbeef, 1, 2, 3, 0xffffffff };

	reg_file_entry__init(r);
	sample_fown(f, 1);
	r->id = 3;
	r->flags = 02 | 02000;	/* O_RDWR | O_APPEND */
	r->pos = 0x100000000ULL + 17;
	r->fown = f;
	r->name = "/var/log/a \"quoted\\\" name";
	r->has_mnt_id = true, r->mnt_id = -2;
	r->has_size = true, r->size = 0x100000011ULL;
	r->has_mode = true, r->mode = 0100644;
	r->n_build_id = 5, r->build_id = build_id;
}

static inline void sample_pipe(PipeEntry *p, FownEntry *f, uint32_t id, uint32_t flags)
{
	pipe_entry__init(p);
	sample_fown(f, 0);
	p->id = id;
	p->pipe_id = 0x12345;
	p->flags = flags;
	p->fown = f;
}

static inline void sample_files(struct sample_img *s)
{
	static FileEntry fe[3];
	static RegFileEntry reg;
	static PipeEntry pipe[2];
	static FownEntry fown[3];

	file_entry__init(&fe[0]);
	fe[0].type = FD_TYPES__REG, fe[0].id = 3;
	sample_reg(&reg, &fown[0]);
	fe[0].reg = &reg;
	file_entry__init(&fe[1]);
	fe[1].type = FD_TYPES__PIPE, fe[1].id = 4;
	sample_pipe(&pipe[0], &fown[1], 4, 0);		/* O_RDONLY */
	fe[1].pipe = &pipe[0];
	file_entry__init(&fe[2]);
	fe[2].type = FD_TYPES__PIPE, fe[2].id = 5;
	sample_pipe(&pipe[1], &fown[2], 5, 04001);	/* O_WRONLY | O_NONBLOCK */
	fe[2].pipe = &pipe[1];
	S_ADD(s, &fe[0]);
	S_ADD(s, &fe[1]);
	S_ADD(s, &fe[2]);
}

static inline void sample_fdinfo(struct sample_img *s)
{
	static FdinfoEntry fd[3];
	static const uint32_t ids[] = { 3, 4, 5 }, fds[] = { 0, 1, 255 };
	static const FdTypes types[] = { FD_TYPES__REG, FD_TYPES__PIPE, FD_TYPES__PIPE };
	size_t i;

	for (i = 0; i < 3; i++) {
		fdinfo_entry__init(&fd[i]);
		fd[i].id = ids[i];
		fd[i].flags = i == 2;	/* FD_CLOEXEC */
		fd[i].type = types[i];
		fd[i].fd = fds[i];
		S_ADD(s, &fd[i]);
	}
	fd[0].xattr_security_selinux = "system_u:object_r:var_log_t:s0";
}

static inline void sample_fs(struct sample_img *s)
{
	static FsEntry fs;

	fs_entry__init(&fs);
	fs.cwd_id = 7;
	fs.root_id = 8;
	fs.has_umask = true, fs.umask = 022;
	S_ADD(s, &fs);
}

static inline void sample_utsns(struct sample_img *s)
{
	static UtsnsEntry u;

	utsns_entry__init(&u);
	u.nodename = "ct101.example.org";
	u.domainname = "(none)";
	S_ADD(s, &u);
}

static inline void sample_pipes_data(struct sample_img *s)
{
	static PipeDataEntry pd[2];
	static const char data0[] = "hello from the pipe\n";
	static uint8_t data1[300];
	size_t i;

	for (i = 0; i < sizeof(data1); i++)
		data1[i] = (uint8_t)(255 - i);
	for (i = 0; i < 2; i++) {
		pipe_data_entry__init(&pd[i]);
		pd[i].pipe_id = 0x12345 + i;
		S_ADD(s, &pd[i]);
	}
	pd[0].bytes = sizeof(data0) - 1;
	pd[0].has_size = true, pd[0].size = 65536;
	s->e[0].extra = data0, s->e[0].extra_len = pd[0].bytes;
	pd[1].bytes = sizeof(data1);
	s->e[1].extra = data1, s->e[1].extra_len = sizeof(data1);
}

static inline void sample_stats(struct sample_img *s, bool dump)
{
	static StatsEntry st[2];
	static DumpStatsEntry d;
	static RestoreStatsEntry r;
	StatsEntry *e = &st[dump];

	stats_entry__init(e);
	if (dump) {
		dump_stats_entry__init(&d);
		d.freezing_time = 1200, d.frozen_time = 35000, d.memdump_time = 20000;
		d.memwrite_time = 9000, d.pages_scanned = 5000000000ULL;
		d.pages_skipped_parent = 4000, d.pages_written = 1000, d.pages_lazy = 0;
		d.has_page_pipes = true, d.page_pipes = 2;
		e->dump = &d;
	} else {
		restore_stats_entry__init(&r);
		r.pages_compared = 0, r.pages_skipped_cow = 12;
		r.forking_time = 800, r.restore_time = 45000;
		r.has_pages_restored = true, r.pages_restored = 1000;
		e->restore = &r;
	}
	S_ADD(s, e);
}

/* The images that CRIU now keeps inside core but still reads on their own. */
static inline void sample_legacy(struct sample_img *s)
{
	static TaskKobjIdsEntry ids;
	static CredsEntry creds;
	static SaEntry sa[4], *sap[4];
	static RegFileEntry reg;
	static PipeEntry pipe;
	static FownEntry fown[2];
	static RlimitEntry rl[3], *rlp[3];
	static ItimerEntry it;
	static TaskTimersEntry t;
	static PosixTimerEntry *ptp[2];
	size_t i;

	sample_ids(&ids), S_ADD(&s[0], &ids);
	sample_creds(&creds), S_ADD(&s[1], &creds);
	sample_sigactions(sa, sap, 4);
	for (i = 0; i < 4; i++)
		S_ADD(&s[2], &sa[i]);
	sample_reg(&reg, &fown[0]), S_ADD(&s[3], &reg);
	sample_pipe(&pipe, &fown[1], 4, 0), S_ADD(&s[4], &pipe);
	sample_rlimits(rl, rlp, 3);
	for (i = 0; i < 3; i++)
		S_ADD(&s[5], &rl[i]);
	itimer_entry__init(&it);
	it.isec = 1, it.iusec = 2, it.vsec = 0x100000000ULL, it.vusec = 4;
	for (i = 0; i < 3; i++)
		S_ADD(&s[6], &it);
	sample_timers(&t, ptp);
	S_ADD(&s[7], ptp[0]);
	S_ADD(&s[7], ptp[1]);
}

/* ghost-file-2a.img: a sparse unlinked file, two chunks of data. */
static inline void sample_ghost(struct sample_img *s)
{
	static GhostFileEntry g;
	static GhostChunkEntry ch[2];
	static Timeval at, mt;
	static const char d0[] = "start of an unlinked file\n";
	static uint8_t d1[200];
	size_t i;

	for (i = 0; i < sizeof(d1); i++)
		d1[i] = (uint8_t)(i * 3);
	ghost_file_entry__init(&g);
	timeval__init(&at);
	timeval__init(&mt);
	at.tv_sec = 1700000000, at.tv_usec = 999999;
	mt.tv_sec = 0x100000001ULL, mt.tv_usec = 1;
	g.uid = 1000, g.gid = 4294967294U, g.mode = 0100640;
	g.has_dev = true, g.dev = 8 << 20 | 1;
	g.has_ino = true, g.ino = 0x8000000000000001ULL;
	g.atim = &at, g.mtim = &mt;
	g.has_chunks = true, g.chunks = true;
	g.has_size = true, g.size = 1 << 20;
	S_ADD(s, &g);
	for (i = 0; i < 2; i++) {
		ghost_chunk_entry__init(&ch[i]);
		S_ADD(s, &ch[i]);
	}
	ch[0].off = 0, ch[0].len = sizeof(d0) - 1;
	s->e[1].extra = d0, s->e[1].extra_len = ch[0].len;
	ch[1].off = 0xff000, ch[1].len = sizeof(d1);
	s->e[2].extra = d1, s->e[2].extra_len = sizeof(d1);
}

static inline void sample_remap(struct sample_img *s)
{
	static RemapFilePathEntry r[2];

	remap_file_path_entry__init(&r[0]);
	remap_file_path_entry__init(&r[1]);
	r[0].orig_id = 7, r[0].remap_id = 0x2a;
	r[0].has_remap_type = true, r[0].remap_type = REMAP_TYPE__GHOST;
	r[1].orig_id = 8, r[1].remap_id = 0x2a | 1U << 31;	/* the old flag, no type */
	S_ADD(s, &r[0]);
	S_ADD(s, &r[1]);
}

/* The whole set, in the order it is written; static storage. */
static inline struct sample_img *sample_set(size_t *ret_n)
{
	static struct sample_img set[] = {
		{ .type = IMG_INVENTORY }, { .type = IMG_PSTREE },
		{ .type = IMG_CORE, .id = 1 }, { .type = IMG_CORE, .id = 5 },
		{ .type = IMG_MM, .id = 1 }, { .type = IMG_PAGEMAP, .id = 1 },
		{ .type = IMG_PAGES, .id = 1 }, { .type = IMG_FILES },
		{ .type = IMG_FDINFO, .id = 12 }, { .type = IMG_FS, .id = 1 },
		{ .type = IMG_UTSNS, .id = 1 }, { .type = IMG_PIPES_DATA },
		{ .type = IMG_STATS_DUMP }, { .type = IMG_STATS_RESTORE },
		{ .type = IMG_IDS, .id = 1 }, { .type = IMG_CREDS, .id = 1 },
		{ .type = IMG_SIGACT, .id = 1 }, { .type = IMG_REG_FILES },
		{ .type = IMG_PIPES }, { .type = IMG_RLIMIT, .id = 1 },
		{ .type = IMG_ITIMERS, .id = 1 }, { .type = IMG_POSIX_TIMERS, .id = 1 },
		{ .type = IMG_GHOST_FILE, .id = 0x2a }, { .type = IMG_REMAP_FPATH },
		{ .type = IMG_FIFO_DATA },
	};
	static bool done;

	if (!done) {
		sample_inventory(&set[0]);
		sample_pstree(&set[1]);
		sample_core(&set[2]);
		sample_core_thread(&set[3]);
		sample_mm(&set[4]);
		sample_pagemap(&set[5]);
		sample_pages(&set[6]);
		sample_files(&set[7]);
		sample_fdinfo(&set[8]);
		sample_fs(&set[9]);
		sample_utsns(&set[10]);
		sample_pipes_data(&set[11]);
		sample_stats(&set[12], true);
		sample_stats(&set[13], false);
		sample_legacy(&set[14]);
		sample_ghost(&set[22]);
		sample_remap(&set[23]);
		sample_pipes_data(&set[24]);
		done = true;
	}
	*ret_n = sizeof(set) / sizeof(set[0]);
	return set;
}

/* Write one sample image into @dfd with img_write(); 0 or -errno. */
static inline int sample_write(int dfd, const struct sample_img *s)
{
	struct img *img = img_open(dfd, s->type, O_WRONLY, s->id);
	size_t i;
	int ret = 0;

	if (!img)
		return -errno;
	for (i = 0; i < s->n && ret >= 0; i++) {
		ret = img_write(img, s->e[i].msg);
		if (ret >= 0 && s->e[i].extra_len)
			ret = img_write_raw(img, s->e[i].extra, s->e[i].extra_len);
	}
	if (ret >= 0 && s->raw_len)
		ret = img_write_raw(img, s->raw, s->raw_len);
	if (ret < 0) {
		img_abort(img);
		return ret;
	}
	return img_close(img);
}

#endif /* VZCR_TESTS_SAMPLE_H */
