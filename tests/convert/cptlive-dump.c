// SPDX-License-Identifier: GPL-2.0-only
/*
 * The second half of cptlive: the state cptlive.c collected, written as an
 * OpenVZ cpt dump in the RHEL6 section order (note section 2.5) with the
 * record sizes of the generation asked for: files and their INODEs (pipe
 * and FIFO data, unlinked files' and shared memory's pages), fd tables,
 * fs, sighands, POSIX timers, MMs with VMAs and page blocks, one TASK per
 * thread with its registers, FPU image, signals and SIGNAL_STRUCT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cptlive.h"
#include "cptw.h"

static struct cptw W;

static void data_blocks(int fd, uint64_t from, uint64_t end, uint64_t base)
{
	static const char zero[PAGE];
	static char buf[PAGE];
	size_t run = 0;

	for (uint64_t a = from; a <= end; a += PAGE) {
		bool data = a < end;

		memset(buf, 0, PAGE);
		if (data && pread(fd, buf, PAGE, (off_t)a) < 0)
			die("contents");
		data = data && memcmp(buf, zero, PAGE);
		if (run && !data) {
			w64(&W, run + 24, base + a - from);
			w_end(&W, run);
			run = 0;
		}
		if (data && !run) {
			run = w_obj(&W, 4098, 32, 2);
			w64(&W, run + 16, base + a - from);
		}
		if (data)
			w_data(&W, buf, PAGE);
	}
}

/* The INODE of an unlinked file: identity, owner, size, times, contents. */
static void ghost_inode(struct lfile *f)
{
	struct stat st;
	char p[64];
	size_t o;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/fd/%d", f->pid, f->fd);
	fd = open(p, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		die(p);
	o = f->inode_obj = w_obj(&W, 12, L.rhel5 ? 112 : 120, 1);
	w64(&W, o + 24, st.st_ino);
	w32(&W, o + 32, st.st_mode);
	w32(&W, o + 40, st.st_uid);
	w32(&W, o + 44, st.st_gid);
	w64(&W, o + 56, st.st_size);
	w64(&W, o + 72, ((uint64_t)st.st_atim.tv_sec << 32) + st.st_atim.tv_nsec);
	w64(&W, o + 80, ((uint64_t)st.st_mtim.tv_sec << 32) + st.st_mtim.tv_nsec);
	data_blocks(fd, 0, (st.st_size + PAGE - 1) / PAGE * PAGE, 0);
	close(fd);
	w_end(&W, o);
}

/* The INODE of a shared memory object: its non-zero pages, at object offsets. */
static void shm_inode(struct lfile *f)
{
	char p[64];
	size_t o = f->inode_obj = w_obj(&W, 12, L.rhel5 ? 112 : 120, 1);
	int mem;

	w64(&W, o + 24, f->ino);
	w32(&W, o + 32, f->i_mode);
	snprintf(p, sizeof(p), "/proc/%d/mem", f->pid);
	mem = open(p, O_RDONLY);
	if (mem < 0)
		die(p);
	data_blocks(mem, f->shm_start, f->shm_end, f->shm_pgoff);
	close(mem);
	w_end(&W, o);
}

/* One file per mapped path: the mapping's own description. */

static size_t file_obj(const struct lfile *f, uint32_t fmode)
{
	size_t o = w_obj(&W, 4, L.rhel5 ? 88 : 96, 1);
	/* root and cwd are files of their own, not in L.files */
	int k = f >= L.files && f < L.files + L.nfiles ? (int)(f - L.files) : -1;

	w32(&W, o + 16, f->flags);
	w32(&W, o + 20, fmode);
	w64(&W, o + 24, f->fpos);
	w32(&W, o + 40, f->i_mode);
	w32(&W, o + 44, (f->shm || f->deleted ? 0x1 : 0) | (k < 0 ? 0 : tty_lflags(k)));
	w64(&W, o + 48, f->inode_obj ? f->inode_obj : NUL64);
	w64(&W, o + 56, S_ISSOCK(f->i_mode) ? sock_index(k) : k < 0 ? NUL64 : tty_obj(k));
	w32(&W, o + 64, UINT32_MAX);
	if (!L.rhel5)
		w64(&W, o + 88, NUL64);
	w_name(&W, f->path);
	w_end(&W, o);
	return o;
}

static void sect_inodes_files(void)
{
	static char buf[1 << 20];
	size_t s = w_sect(&W, 12);

	for (int i = 0; i < L.nfiles; i++) {
		struct lfile *f = &L.files[i];
		size_t o, b, n;

		if (f->shm)
			shm_inode(f);
		if (f->deleted)
			ghost_inode(f);
		if (!S_ISFIFO(f->i_mode))
			continue;
		for (int k = 0; k < i; k++)
			if (S_ISFIFO(L.files[k].i_mode) && L.files[k].ino == f->ino)
				f->inode_obj = L.files[k].inode_obj;
		if (f->inode_obj)
			continue;
		o = w_obj(&W, 12, L.rhel5 ? 112 : 120, 1);
		w64(&W, o + 24, f->ino);
		w32(&W, o + 32, f->i_mode);
		n = pipe_bytes(f->pid, f->fd, buf, sizeof(buf));
		if (n) {
			b = w_obj(&W, 4103, 24, 2);
			w32(&W, b + 16, (uint32_t)n);
			w_data(&W, buf, n);
			w_end(&W, b);
		}
		w_end(&W, o);
		f->inode_obj = o;
	}
	w_end(&W, s);
	s = w_sect(&W, 2);
	for (int i = 0; i < L.nfiles; i++) {
		uint32_t acc = L.files[i].flags & O_ACCMODE;

		L.files[i].obj = file_obj(&L.files[i], acc == O_RDONLY ? 1 : acc == O_WRONLY ? 2 : 3);
	}
	w_end(&W, s);
}

static void sect_files_struct(void)
{
	size_t s = w_sect(&W, 5);

	for (int i = 0; i < L.np; i++) {
		struct lproc *P = &L.p[i];
		size_t o;

		P->files = NUL64;
		if (P->zombie)
			continue;
		o = P->files = w_obj(&W, 3, 32, 1);

		w32(&W, o + 16, i);
		w32(&W, o + 20, 1024);
		for (int fd = 0; fd < 1024; fd++) {
			size_t d;

			if (P->fd_file[fd] < 0)
				continue;
			d = w_obj(&W, 1025, L.rhel5 ? 32 : 40, 0);
			w32(&W, d + 16, fd);
			w32(&W, d + 20, P->fd_cloexec[fd]);
			w64(&W, d + 24, L.files[P->fd_file[fd]].obj);
			w_end(&W, d);
		}
		w_end(&W, o);
	}
	w_end(&W, s);
}

static void sect_fs(void)
{
	size_t s = w_sect(&W, 6);
	const char *which[2] = { "root", "cwd" };

	for (int k = 0; k < L.np; k++) {
		struct lproc *P = &L.p[k];
		size_t o;

		P->fs = NUL64;
		if (P->zombie)
			continue;
		o = P->fs = w_obj(&W, 2, 24, 1);

		w32(&W, o + 16, (uint32_t)status_field(P->pid, "Umask", 0));
		for (int i = 0; i < 2; i++) {
			struct lfile f = { .i_mode = S_IFDIR | 0755, .flags = O_RDONLY | O_DIRECTORY };
			char p[64];
			ssize_t n;

			snprintf(p, sizeof(p), "/proc/%d/%s", P->pid, which[i]);
			n = readlink(p, f.path, sizeof(f.path) - 1);
			if (n < 0)
				die(p);
			file_obj(&f, 1);
		}
		w_end(&W, o);
	}
	w_end(&W, s);
}

static void sect_sighand(void)
{
	size_t s = w_sect(&W, 7);

	for (int i = 0; i < L.np; i++) {
		struct lproc *P = &L.p[i];
		size_t o;

		P->sighand = NUL64;
		if (P->zombie)
			continue;
		o = P->sighand = w_obj(&W, 5, 16, 1);

		for (int sig = 1; sig <= 64; sig++) {
			size_t h;

			if (!P->sa[sig].handler && !P->sa[sig].flags)
				continue;
			h = w_obj(&W, 1026, 56, 0);
			w32(&W, h + 16, sig - 1);
			w64(&W, h + 24, P->sa[sig].handler);
			w64(&W, h + 32, P->sa[sig].restorer);
			w64(&W, h + 40, P->sa[sig].flags);
			w64(&W, h + 48, P->sa[sig].mask);
			w_end(&W, h);
		}
		w_end(&W, o);
	}
	w_end(&W, s);
}

static uint64_t ts_packed(const struct timespec *t)
{
	return ((uint64_t)t->tv_sec << 32) + (uint64_t)t->tv_nsec;
}

/* Is a signal of timer @t queued? The old writer left it out of the queue. */
static bool timer_queued(const struct ltimer *t, siginfo_t *q, int *n)
{
	for (int i = 0; i < *n; i++)
		if (q[i].si_code == SI_TIMER && q[i].si_timerid == (int)t->id) {
			memmove(&q[i], &q[i + 1], (size_t)(*n - i - 1) * sizeof(*q));
			(*n)--;
			return true;
		}
	return false;
}

/* One timer list per process that has timers; the signal of a timer, if queued, leaves the queue. */
static void timer_list(struct lproc *P)
{
	size_t o = P->timers = w_obj(&W, 20, 16, 1);

	for (int i = 0; i < P->ntm; i++) {
		const struct ltimer *t = &P->tm[i];
		size_t r = w_obj(&W, 4123, 88, 0);
		bool q = timer_queued(t, P->shared, &P->nshared);

		for (int k = 0; k < P->nth && !q; k++)
			q = timer_queued(t, P->th[k].priv, &P->th[k].npriv);
		w32(&W, r + 16, t->id);
		w32(&W, r + 20, t->clock);
		w32(&W, r + 24, (uint32_t)t->overrun);
		w32(&W, r + 32, q);
		w64(&W, r + 40, ts_packed(&t->its.it_interval));
		w64(&W, r + 48, ts_packed(&t->its.it_value));
		w64(&W, r + 56, t->value);
		w32(&W, r + 64, t->signo);
		w32(&W, r + 68, t->notify);
		w32(&W, r + 72, t->tid);
		w64(&W, r + 80, (uint64_t)time(NULL) << 32);
		w_end(&W, r);
	}
	w_end(&W, o);
}

static void sect_timers(void)
{
	size_t s;

	for (int i = 0; i < L.np; i++)
		L.p[i].timers = NUL64;
	if (L.rhel5)	/* 2.6.18 dumps have no POSIX timers */
		return;
	s = w_sect(&W, 33);
	for (int i = 0; i < L.np; i++)
		if (L.p[i].ntm)
			timer_list(&L.p[i]);
	w_end(&W, s);
}

static uint64_t vm_flags(const struct vma_area *v, const char *exe)
{
	uint64_t f = v->prot & 7;

	if (v->flags & MAP_SHARED)
		f |= 0x8;
	if (v->flags & MAP_GROWSDOWN)
		f |= 0x100;
	if (v->locked)
		f |= 0x2000;
	if ((v->prot & 4) && v->path && !strcmp(v->path, exe))
		f |= 0x1000;	/* VM_EXECUTABLE: what 2.6.x marked the exe mapping with */
	/* madvise flags, with RHEL6's bits: DONTCOPY, SEQ/RAND_READ, NOHUGEPAGE, ... */
	if (v->madv & (1ULL << MADV_DONTFORK))
		f |= 0x20000;
	if (v->madv & (1ULL << MADV_SEQUENTIAL))
		f |= 0x8000;
	if (v->madv & (1ULL << MADV_RANDOM))
		f |= 0x10000;
	if (v->madv & (1ULL << MADV_NOHUGEPAGE))
		f |= 0x200;
	if (v->madv & (1ULL << MADV_HUGEPAGE))
		f |= 0x100000000ULL;
	if (v->madv & (1ULL << MADV_DONTDUMP))
		f |= 0x04000000;
	if (v->madv & (1ULL << MADV_MERGEABLE))
		f |= 0x80000000ULL;
	return f;
}

/* pagemap of each process, by its index in L.p */
static int pagemaps[MAX_PROCS];

/*
 * What the old writer emits for the page at @a of process @k: 0 nothing
 * (absent, or the file's own page), 1 its data, 2 + j a COPYPAGES of the
 * same physical page mapped at @a by the earlier process j (fork sharing).
 */
static int page_kind(int k, uint64_t a)
{
	uint64_t e = 0, pe;

	if (pread(pagemaps[k], &e, 8, (off_t)(a / PAGE * 8)) != 8)
		die("pagemap");
	if (!((e >> 63) & 1))
		return (e >> 62) & 1;	/* swapped: data */
	if ((e >> 61) & 1)
		return 0;
	for (int j = 0; j < k; j++)
		if (pagemaps[j] >= 0 && pread(pagemaps[j], &pe, 8, (off_t)(a / PAGE * 8)) == 8 && (pe >> 63) & 1 &&
		    !((pe >> 61) & 1) && (pe & ((1ULL << 55) - 1)) == (e & ((1ULL << 55) - 1)))
			return 2 + j;
	return 1;
}

/* Private pages of @v as PAGES and COPYPAGES blocks, run by run. */
static void vma_pages(int k, const struct vma_area *v, int mem)
{
	static char buf[PAGE];
	uint64_t run = 0;
	int kind = 0;

	for (uint64_t a = v->start; a <= v->end; a += PAGE) {
		int now = a < v->end ? page_kind(k, a) : 0;

		if (run && now != kind) {
			w64(&W, run + 24, a);
			w_end(&W, run);
			run = 0;
		}
		if (now && !run) {
			run = w_obj(&W, now == 1 ? 4098 : 4099, now == 1 ? 32 : 40, now == 1 ? 2 : 0);
			w64(&W, run + 16, a);
			if (now > 1)
				w64(&W, run + 32, L.p[now - 2].mm);
		}
		kind = now;
		if (now == 1) {
			if (pread(mem, buf, PAGE, (off_t)a) != (ssize_t)PAGE)
				die("/proc/PID/mem");
			w_data(&W, buf, PAGE);
		}
	}
}

/* The FILE a VMA maps: its path's, or its shared memory object's. */
static size_t file_of(const struct vma_area *v)
{
	for (int k = 0; k < L.nfiles; k++) {
		const struct lfile *f = &L.files[k];

		if ((v->status & VMA_ANON_SHARED) ? f->shm && f->ino == v->ino :
		    (v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)) && v->path && f->map_only &&
		    !strcmp(f->path, v->path))
			return f->obj;
	}
	return NUL64;
}

static void mm_auxv(pid_t pid)
{
	uint64_t aux[512];
	char p[64];
	ssize_t n;
	size_t o;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/auxv", pid);
	fd = open(p, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, aux, sizeof(aux));
	if (fd >= 0)
		close(fd);
	if (n < 16)
		die(p);
	while (n >= 16 && !aux[n / 8 - 2])
		n -= 16;	/* the AT_NULL pair is not stored */
	o = w_obj(&W, 1051, 16, 2);
	w_data(&W, aux, (size_t)n);
	w_end(&W, o);
}

static void one_mm(int k)
{
	static const int stat_at[] = { 26, 27, 45, 46, 47, 0, 28, 48, 49, 50, 51 };
	struct lproc *P = &L.p[k];
	size_t o = P->mm = w_obj(&W, 1, L.rhel5 ? 128 : 136, 1);
	char p[64], exe[4096] = "";
	int mem;

	for (int i = 0; i < 11; i++)
		w64(&W, o + 16 + 8 * i, stat_at[i] ? stat_field(P->pid, stat_at[i]) : P->brk);
	w64(&W, o + 112, NUL64);
	W.d[o + 120] = 1;
	if (!L.rhel5) {
		w64(&W, o + 128, 1);	/* mm_flags: dumpable */
		mm_auxv(P->pid);
	}
	snprintf(p, sizeof(p), "/proc/%d/exe", P->pid);
	if (readlink(p, exe, sizeof(exe) - 1) < 0)
		die(p);
	snprintf(p, sizeof(p), "/proc/%d/pagemap", P->pid);
	pagemaps[k] = open(p, O_RDONLY);
	snprintf(p, sizeof(p), "/proc/%d/mem", P->pid);
	mem = open(p, O_RDONLY);
	if (pagemaps[k] < 0 || mem < 0)
		die(p);
	for (size_t i = 0; i < P->vmas.n; i++) {
		const struct vma_area *v = &P->vmas.v[i];
		bool special = v->status & (VMA_AREA_VDSO | VMA_AREA_VVAR | VMA_AREA_VVAR_VCLOCK);
		size_t r;

		if (v->status & VMA_AREA_VSYSCALL)
			continue;	/* the kernel's, not in the mm: not dumped */
		if (L.old_vdso && (v->status & (VMA_AREA_VVAR | VMA_AREA_VVAR_VCLOCK)))
			continue;	/* an old kernel's vDSO had no data areas */
		r = w_obj(&W, 1024, 80, 1);
		w64(&W, r + 16, file_of(v));
		w32(&W, r + 24, special ? 2 : 0);
		w64(&W, r + 40, v->start);
		w64(&W, r + 48, v->end);
		w64(&W, r + 56, vm_flags(v, exe));
		w64(&W, r + 72, v->pgoff / PAGE);
		if (!special && !(v->flags & MAP_SHARED))
			vma_pages(k, v, mem);
		w_end(&W, r);
	}
	close(mem);
	w_end(&W, o);
}

static void sect_mm(void)
{
	size_t s = w_sect(&W, 4);

	for (int k = 0; k < L.np; k++) {
		pagemaps[k] = -1;
		L.p[k].mm = NUL64;
		if (!L.p[k].zombie)
			one_mm(k);
	}
	for (int k = 0; k < L.np; k++)
		if (pagemaps[k] >= 0)
			close(pagemaps[k]);
	w_end(&W, s);
}

static uint8_t seg_code(uint64_t sel)
{
	if (!sel)
		return 0;
	if (sel == 0x33)
		return 7;
	if (sel == 0x2b)
		return 6;
	if (sel == 0x23)
		return 5;
	if (sel & 4)
		return 0;	/* LDT: not used by the workloads */
	return (uint8_t)((sel >> 3) - 12 + 1);	/* GDT TLS slots 12..14 */
}

static void task_regs(const struct lthr *t)
{
	const arch_regs_t *g = &t->regs;
	uint64_t v[21] = { g->r15, g->r14, g->r13, g->r12, g->rbp, g->rbx, g->r11, g->r10, g->r9,
			   g->r8, g->rax, g->rcx, g->rdx, g->rsi, g->rdi, g->orig_rax, g->rip,
			   seg_code(g->cs), g->eflags, g->rsp, seg_code(g->ss) };
	size_t r = w_obj(&W, 4097, 280, 0), b;

	w64(&W, r + 80, g->fs_base);
	w64(&W, r + 88, g->gs_base);
	w32(&W, r + 96, seg_code(g->fs));
	w32(&W, r + 100, seg_code(g->gs));
	w32(&W, r + 104, seg_code(g->ds));
	w32(&W, r + 108, seg_code(g->es));
	for (int i = 0; i < 21; i++)
		w64(&W, r + 112 + 8 * i, v[i]);
	b = w_obj(&W, 4103, 24, L.rhel5 ? 6 : 11);
	w32(&W, b + 16, (uint32_t)t->fpu_len);
	w_data(&W, t->fpu, t->fpu_len);
	w_end(&W, b);
}

static void siginfo_obj(const siginfo_t *si)
{
	size_t o = w_obj(&W, 1027, L.rhel5 ? 72 : 184, 0);

	w32(&W, o + 20, si->si_signo);
	w32(&W, o + 24, si->si_errno);
	w32(&W, o + 28, si->si_code);
	w64(&W, o + 32, (uint64_t)(uintptr_t)si->si_ptr);
	w32(&W, o + 40, si->si_pid);
	w32(&W, o + 44, si->si_uid);
	if (!L.rhel5)	/* cpt_sifields: the raw union */
		memcpy(W.d + o + 72, (const char *)si + 16, 112);
}

static void task_ids(size_t o, const struct lproc *P, const struct lthr *t)
{
	uint32_t ngids = 0;

	w32(&W, o + 176, t->tid);
	w32(&W, o + 180, P->pid);
	w32(&W, o + 184, (uint32_t)stat_field(P->pid, 4));
	w32(&W, o + 188, (uint32_t)stat_field(P->pid, 4));
	w32(&W, o + 192, (uint32_t)stat_field(P->pid, 5));
	w32(&W, o + 196, (uint32_t)stat_field(P->pid, 6));
	w32(&W, o + 208, P->pid);
	W.d[o + 215] = 1;
	w32(&W, o + 236, t->tid == P->pid ? SIGCHLD : UINT32_MAX);
	w32(&W, o + 240, (uint32_t)P->pdeath);
	for (int i = 0; i < 4; i++) {
		w32(&W, o + 248 + 4 * i, (uint32_t)status_field(t->tid, "Uid", i));
		w32(&W, o + 264 + 4 * i, (uint32_t)status_field(t->tid, "Gid", i));
	}
	w32(&W, o + 244, (uint32_t)status_field(t->tid, "Uid", 0));
	for (gid_t g; ngids < 32 && (g = (gid_t)status_field(t->tid, "Groups", (int)ngids)); ngids++)
		w32(&W, o + 284 + 4 * ngids, g);
	w32(&W, o + 280, ngids);
	w64(&W, o + 416, status_field(t->tid, "CapEff", 0));
	w64(&W, o + 424, status_field(t->tid, "CapInh", 0));
	w64(&W, o + 432, status_field(t->tid, "CapPrm", 0));
	if (!L.rhel5)
		w64(&W, o + 984, status_field(t->tid, "CapBnd", 0));
}

static void task_rlimits(pid_t pid, size_t o, size_t cur, size_t max)
{
	for (int i = 0; i < 16; i++) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		prlimit(pid, i, NULL, &rl);
		w64(&W, o + cur + 8 * i, rl.rlim_cur);
		w64(&W, o + max + 8 * i, rl.rlim_max);
	}
}

static void task_times(size_t o, const struct lproc *P)
{
	const struct itimerval *it = P->it;
	uint64_t ms[4] = { it[2].it_value.tv_sec * 1000ULL + it[2].it_value.tv_usec / 1000,
			   it[2].it_interval.tv_sec * 1000ULL + it[2].it_interval.tv_usec / 1000,
			   it[1].it_value.tv_sec * 1000ULL + it[1].it_value.tv_usec / 1000,
			   it[1].it_interval.tv_sec * 1000ULL + it[1].it_interval.tv_usec / 1000 };

	w64(&W, o + 520, it[0].it_value.tv_sec * 1000000000ULL + it[0].it_value.tv_usec * 1000ULL);
	w64(&W, o + 528, it[0].it_interval.tv_sec * 1000000000ULL +
			 it[0].it_interval.tv_usec * 1000ULL);
	for (int i = 0; i < 4; i++)	/* prof, virt: cputime in jiffies of HZ 1000 */
		w64(&W, o + 536 + 8 * i, ms[i]);
}

static void task_comm(size_t o, pid_t pid, pid_t tid)
{
	char p[96], comm[64] = "";
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/task/%d/comm", pid, tid);
	f = fopen(p, "r");
	if (!f || !fgets(comm, sizeof(comm), f))
		die(p);
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	memcpy(W.d + o + 440, comm, strlen(comm) < 16 ? strlen(comm) : 15);
}

/* The records a TASK holds (note 4.2); the group's last thread the SIGNAL_STRUCT. */
static void task_children(struct lproc *P, struct lthr *t, bool last)
{
	size_t sig;
	uint64_t pend = 0;

	if (P->zombie)
		goto signal;
	task_regs(t);
	if (!(t->ss.ss_flags & SS_DISABLE)) {
		size_t a = w_obj(&W, 1046, 32, 0);

		w64(&W, a + 16, (uint64_t)(uintptr_t)t->ss.ss_sp);
		w32(&W, a + 24, (uint32_t)t->ss.ss_size);
	}
	if (t->robust) {
		size_t a = w_obj(&W, 4112, 152, 0);

		w64(&W, a + 16, t->robust);
	}
	for (int i = 0; i < t->npriv; i++)
		siginfo_obj(&t->priv[i]);
	if (!last)
		return;
signal:
	sig = w_obj(&W, 6, L.rhel5 ? 448 : 456, 1);
	for (int i = 0; i < P->nth; i++)	/* every thread's cpt_signal */
		w64(&W, P->th[i].obj + 120, sig);
	w64(&W, sig + 56, NUL64);
	for (int i = 0; i < P->nshared; i++) {
		pend |= 1ULL << (P->shared[i].si_signo - 1);
		siginfo_obj(&P->shared[i]);
	}
	w64(&W, sig + 48, pend);
	task_rlimits(P->pid, sig, 192, 320);
	w_end(&W, sig);
}

static void one_task(struct lproc *P, struct lthr *t, size_t ns, bool last)
{
	size_t o = t->obj = w_obj(&W, 0, L.rhel5 ? 976 : 992, 1);
	uint64_t pend = 0;

	/* EXIT_ZOMBIE; stopped as each generation coded it; else frozen */
	w64(&W, o + 16, P->zombie ? 16 : P->stopped ? (L.rhel5 ? 4 : 0x84) : 2);
	if (P->zombie)
		w32(&W, o + 232, (uint32_t)stat_field(P->pid, 52));	/* its wait status */
	w64(&W, o + 56, NUL64);
	w64(&W, o + 80, NUL64);
	w32(&W, o + 40, 120 + (int32_t)stat_field(P->pid, 19));
	w32(&W, o + 44, 120 + (int32_t)stat_field(P->pid, 19));
	w64(&W, o + 96, P->mm);
	w64(&W, o + 104, P->files);
	w64(&W, o + 112, P->fs);
	w64(&W, o + 128, P->sighand);
	w64(&W, o + 136, t->blocked);
	for (int i = 0; i < t->npriv; i++)
		pend |= 1ULL << (t->priv[i].si_signo - 1);
	w64(&W, o + 152, pend);
	w64(&W, o + 160, ns);
	w64(&W, o + 168, NUL64);
	w64(&W, o + 224, t->clear_tid);
	task_ids(o, P, t);
	task_comm(o, P->pid, t->tid);
	task_times(o, P);
	w16(&W, o + 568, !P->zombie);	/* used_math: an FPU record follows */
	W.d[o + 570] = (uint8_t)P->secbits;
	task_rlimits(P->pid, o, 688, 816);
	for (int i = 944; i < 976; i += 8)
		w64(&W, o + i, NUL64);
	if (!L.rhel5)
		w64(&W, o + 976, t->tid == P->pid ? P->timers : NUL64);
	task_children(P, t, last);
	w_end(&W, o);
}

/* One TASK per thread: each process, its threads, breadth first. */
static void sect_tasks(size_t ns)
{
	size_t s = w_sect(&W, 3);

	for (int i = 0; i < L.np; i++)
		for (int k = 0; k < L.p[i].nth; k++)
			one_task(&L.p[i], &L.p[i].th[k], ns, k == L.p[i].nth - 1);
	w_end(&W, s);
}

int write_dump(const char *path)
{
	struct utsname u;
	size_t s, ns;
	uint32_t n = 0;

	w_header(&W, L.rhel5 ? 0x304 : 0x803, (uint32_t)time(NULL));
	s = w_sect(&W, 1);
	w_end(&W, w_obj(&W, 1042, L.rhel5 ? 72 : 160, 0));
	w_end(&W, s);
	s = w_sect(&W, 10);
	ns = w_obj(&W, 10, 16, 1);
	w_end(&W, ns);
	w_end(&W, s);
	sect_ttys(&W);
	sect_inodes_files();
	sect_socks(&W);
	sect_files_struct();
	sect_fs();
	sect_sighand();
	sect_timers();
	sect_mm();
	sect_tasks(ns);
	uname(&u);
	s = w_sect(&W, 22);
	w_name(&W, u.nodename);
	w_name(&W, u.domainname);
	if (!L.rhel5)
		w_name(&W, "2.6.32-042stab120.11");
	w_end(&W, s);
	if (L.old_vdso)
		sect_vsyscall(&W);
	for (int i = 0; i < L.np; i++)
		n += L.p[i].nth;
	w_trailer(&W, n);
	return w_save(&W, path);
}

