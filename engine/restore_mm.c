// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rebuild a task's memory from inside it, with syscalls the tool runs in the
 * skeleton: drop the skeleton's own mappings, move the running kernel's vDSO
 * areas to where the dumped task had them (or, for another kernel's vDSO,
 * set up the proxy of vdso_restore.c), map every VMA, read the pages
 * into place straight from the pages image (preadv in the task: one copy),
 * set protections and madvise flags, then the mm layout (PR_SET_MM_MAP).
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>

#include <asm/syscall-nr.h>

#include "log.h"
#include "page_xfer.h"
#include "pagemap.pb-c.h"
#include "proc_parse.h"
#include "restore.h"
#include "shmem.h"
#include "vdso.h"
#include "sysv_shm.h"
#include "vma_name.h"

#define PAGE_SZ		4096UL
#define SPECIAL		(VMA_AREA_VDSO | VMA_AREA_VVAR | VMA_AREA_VVAR_VCLOCK | VMA_AREA_VSYSCALL)
#define MMAP_MIN	0x10000UL
#define TASK_TOP	0x7ffffffff000UL

/* the kernel's struct prctl_mm_map */
struct mm_map {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv;
	uint32_t auxv_size, exe_fd;
};

static long rcall(struct infect *inf, const char *what, long nr, unsigned long a0,
		  unsigned long a1, unsigned long a2, unsigned long a3, unsigned long a4,
		  unsigned long a5)
{
	return infect_call(inf, what, nr, a0, a1, a2, a3, a4, a5);
}

/* Unmap everything of the skeleton but the scratch area and the vDSO areas. */
static int drop_skeleton_maps(struct rst_task *t, const struct vma_list *cur)
{
	unsigned long from = MMAP_MIN;
	size_t i;
	long r;

	for (i = 0; i <= cur->n; i++) {
		const struct vma_area *v = i < cur->n ? &cur->v[i] : NULL;
		unsigned long keep = v ? v->start : TASK_TOP;

		if (v && !(v->status & SPECIAL) && v->start != t->scratch)
			continue;
		if (keep > TASK_TOP)
			keep = TASK_TOP;
		if (keep > from) {
			r = rcall(&t->inf, "unmap the skeleton", NR_munmap, from, keep - from, 0, 0, 0,
				  0);
			if (r < 0)
				return r;
		}
		if (v && v->end > from)
			from = v->end;
	}
	return 0;
}

static const struct vma_area *find_special(const struct vma_list *cur, uint32_t kind)
{
	size_t i;

	for (i = 0; i < cur->n; i++)
		if (cur->v[i].status & kind)
			return &cur->v[i];
	return NULL;
}

static const VmaEntry *find_dumped(const MmEntry *mm, uint32_t kind)
{
	size_t i;

	for (i = 0; i < mm->n_vmas; i++)
		if (mm->vmas[i]->status & kind)
			return mm->vmas[i];
	return NULL;
}

/*
 * Put the running kernel's [vvar], [vvar_vclock] and [vdso] where the dumped
 * task had them: the dumped code calls into the vDSO at those addresses.
 * Moves go through a parking hole so that old and new places may overlap.
 */
static int move_vdso(struct rst_task *t, const struct vma_list *cur)
{
	static const uint32_t kinds[] = { VMA_AREA_VVAR, VMA_AREA_VVAR_VCLOCK, VMA_AREA_VDSO };
	unsigned long park = t->scratch + INFECT_SCRATCH_SIZE + (1UL << 20), at[3] = {};
	size_t i;
	long r;

	for (i = 0; i < 3; i++) {
		const struct vma_area *now = find_special(cur, kinds[i]);
		const VmaEntry *was = find_dumped(t->mm, kinds[i]);
		unsigned long size = now ? now->end - now->start : 0;

		if (!now && !was)
			continue;
		if (!was) {
			r = rcall(&t->inf, "unmap a vDSO area", NR_munmap, now->start, size, 0, 0, 0, 0);
			if (r < 0)
				return r;
			continue;
		}
		if (!now || was->end - was->start != size)
			return log_err(-EOPNOTSUPP,
				       "Task %d: the vDSO layout of this kernel differs from the checkpoint's (%s %lu bytes, was %llu): not supported yet",
				       t->pid, i == 2 ? "vdso" : "vvar", size,
				       (unsigned long long)(was->end - was->start));
		r = rcall(&t->inf, "park a vDSO area", NR_mremap, now->start, size, size,
			  MREMAP_MAYMOVE | MREMAP_FIXED, park, 0);
		if (r < 0)
			return r;
		at[i] = park;
		park += size + PAGE_SZ;
	}
	for (i = 0; i < 3; i++) {
		const VmaEntry *was = find_dumped(t->mm, kinds[i]);

		if (!was || !at[i])
			continue;
		r = rcall(&t->inf, "move a vDSO area", NR_mremap, at[i], was->end - was->start,
			  was->end - was->start, MREMAP_MAYMOVE | MREMAP_FIXED, was->start, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * madvise flags go on right after the mapping, before the pages are read
 * in: MADV_HUGEPAGE then gets huge pages for them, NOHUGEPAGE none.
 */
static int advise_vma(struct rst_task *t, const VmaEntry *v)
{
	int adv;
	long r;

	for (adv = 0; v->has_madv && adv < 64; adv++) {
		if (!(v->madv & (1ULL << adv)))
			continue;
		r = rcall(&t->inf, "madvise a VMA", NR_madvise, v->start, v->end - v->start, adv, 0,
			  0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

static int map_vmas(struct rst_ctx *c, struct rst_task *t)
{
	size_t i;
	long r;

	for (i = 0; i < t->mm->n_vmas; i++) {
		const VmaEntry *v = t->mm->vmas[i];
		unsigned long flags = MAP_FIXED |
				      (v->flags & (MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS |
						   MAP_GROWSDOWN | MAP_NORESERVE));
		unsigned long prot = v->prot;
		long fd = -1;

		if (v->status & SPECIAL)
			continue;
		if (v->end <= v->start || v->start < MMAP_MIN || v->end > TASK_TOP ||
		    (v->start | v->end) % PAGE_SZ)
			return log_err(-EINVAL, "mm-%d.img: bad VMA %#llx-%#llx", t->pid,
				       (unsigned long long)v->start, (unsigned long long)v->end);
		if (v->status & (VMA_ANON_SHARED | VMA_AREA_SYSVIPC)) {
			r = (v->status & VMA_AREA_SYSVIPC ? sysv_shm_restore_vma(c, t, i) :
							    shmem_restore_vma(c, t, i)) ?:
			    advise_vma(t, v);
			if (r < 0)
				return r;
			continue;
		}
		if (!(v->flags & MAP_SHARED))
			prot |= PROT_WRITE;	/* pages are read in; mprotect later */
		if (t->svc_vma[i] >= 0)
			fd = c->svc_base + t->svc_vma[i];
		r = rcall(&t->inf, "map a VMA", NR_mmap, v->start, v->end - v->start, prot, flags,
			  fd, v->pgoff);
		if (r < 0)
			return r;
		if ((unsigned long)r != v->start)
			return log_err(-EFAULT, "Task %d: VMA %#llx mapped at %#lx", t->pid,
				       (unsigned long long)v->start, r);
		r = advise_vma(t, v);
		if (r < 0)
			return r;
	}
	return 0;
}

struct fill {
	struct rst_ctx *c;
	struct rst_task *t;
	struct iovec *iov;		/* batch, copied to the scratch area */
	size_t n, max;
	uint64_t batch_off;		/* pages image offset of the batch */
	uint64_t off;			/* pages image offset of the next entry */
	uint64_t bytes;			/* in the batch */
};

/* One preadv in the task: the batch's pages land straight in place. */
static int fill_flush(struct fill *f)
{
	struct infect *inf = &f->t->inf;
	long r;

	if (!f->n)
		return 0;
	r = infect_poke(inf, inf->scratch, f->iov, f->n * sizeof(*f->iov));
	if (r < 0)
		return r;
	r = rcall(inf, "read pages into place", NR_preadv, f->c->svc_base + f->t->svc_pages,
		  inf->scratch, f->n, f->batch_off, 0, 0);
	if (r < 0)
		return r;
	if ((uint64_t)r != f->bytes)
		return log_err(-EIO, "pages image of task %d is truncated at offset %llu", f->t->pid,
			       (unsigned long long)(f->batch_off + r));
	f->batch_off += f->bytes;
	f->bytes = 0;
	f->n = 0;
	return 0;
}

static int fill_entry(struct fill *f, const PagemapEntry *pe)
{
	uint64_t len = (uint64_t)pe->nr_pages * PAGE_SZ;
	int err;

	if (!pe->has_flags || !(pe->flags & PE_PRESENT) || (pe->flags & (PE_LAZY | PE_PARENT)))
		return log_err(-EOPNOTSUPP, "pagemap-%d.img: entry at %#llx with flags %#x: not supported",
			       f->t->pid, (unsigned long long)pe->vaddr, pe->flags);
	if (pe->vaddr % PAGE_SZ || pe->vaddr < MMAP_MIN || pe->vaddr + len > TASK_TOP ||
	    pe->vaddr + len < pe->vaddr)
		return log_err(-EINVAL, "pagemap-%d.img: bad entry %#llx + %u pages", f->t->pid,
			       (unsigned long long)pe->vaddr, pe->nr_pages);
	if (f->n == f->max || f->bytes + len > (1UL << 30)) {
		err = fill_flush(f);
		if (err)
			return err;
	}
	f->iov[f->n].iov_base = (void *)(uintptr_t)pe->vaddr;
	f->iov[f->n++].iov_len = len;
	f->bytes += len;
	f->off += len;
	return 0;
}

static int fill_pages(struct rst_ctx *c, struct rst_task *t)
{
	struct img *img = img_open(c->dfd, IMG_PAGEMAP, O_RDONLY, t->pid);
	struct fill f = { .c = c, .t = t };
	void *msg;
	int ret, first = 1;

	if (!img)
		return -errno;
	f.max = t->inf.scratch_len / sizeof(struct iovec);
	if (f.max > IOV_MAX)
		f.max = IOV_MAX;
	f.iov = malloc(f.max * sizeof(*f.iov));
	ret = f.iov ? 0 : -ENOMEM;
	while (!ret && (ret = img_read(img, &msg)) > 0) {
		ret = first ? 0 : fill_entry(&f, msg);	/* the head names the pages image */
		first = 0;
		img_free_entry(msg);
	}
	if (!ret)
		ret = fill_flush(&f);
	free(f.iov);
	img_close(img);
	return ret;
}

#define MADV_GUARD_INSTALL_	102	/* 6.13+ */

/* Guard regions back (vzcr-guards-PID.img), once the pages are in. */
static int install_guards(struct rst_ctx *c, struct rst_task *t)
{
	PagemapEntry *pe;
	struct img *img;
	long r = 0;
	int ret;

	if (!img_exists(c->dfd, IMG_VZCR_GUARDS, t->pid))
		return 0;
	img = img_open(c->dfd, IMG_VZCR_GUARDS, O_RDONLY, t->pid);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&pe)) > 0) {
		r = rcall(&t->inf, "install a guard region", NR_madvise, pe->vaddr,
			  (unsigned long)pe->nr_pages * PAGE_SZ, MADV_GUARD_INSTALL_, 0, 0, 0);
		img_free_entry(pe);
		if (r < 0)
			break;
	}
	img_close(img);
	return r < 0 ? (int)r : ret;
}

/* Final protections, then mlock (VM_LOCKED) once the contents are in. */
static int protect_vmas(struct rst_task *t)
{
	size_t i;
	long r;

	for (i = 0; i < t->mm->n_vmas; i++) {
		const VmaEntry *v = t->mm->vmas[i];

		if (v->status & SPECIAL)
			continue;
		if (!(v->flags & MAP_SHARED)) {
			r = rcall(&t->inf, "protect a VMA", NR_mprotect, v->start, v->end - v->start,
				  v->prot, 0, 0, 0);
			if (r < 0)
				return r;
		}
		if (v->flags & MAP_LOCKED) {
			r = rcall(&t->inf, "lock a VMA", NR_mlock, v->start, v->end - v->start, 0, 0,
				  0, 0);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int set_mm_map(struct rst_ctx *c, struct rst_task *t)
{
	const MmEntry *mm = t->mm;
	struct infect *inf = &t->inf;
	size_t auxv_len = mm->n_mm_saved_auxv * sizeof(uint64_t);
	struct mm_map m = {
		.start_code = mm->mm_start_code, .end_code = mm->mm_end_code,
		.start_data = mm->mm_start_data, .end_data = mm->mm_end_data,
		.start_brk = mm->mm_start_brk, .brk = mm->mm_brk,
		.start_stack = mm->mm_start_stack,
		.arg_start = mm->mm_arg_start, .arg_end = mm->mm_arg_end,
		.env_start = mm->mm_env_start, .env_end = mm->mm_env_end,
		.auxv = inf->scratch + sizeof(struct mm_map), .auxv_size = auxv_len,
		.exe_fd = c->svc_base + t->svc_exe,
	};
	long r;

	if (auxv_len > 512 * sizeof(uint64_t))
		return log_err(-EINVAL, "mm-%d.img: %zu auxv words, too many", t->pid,
			       mm->n_mm_saved_auxv);
	r = infect_poke(inf, inf->scratch, &m, sizeof(m));
	if (!r && auxv_len)
		r = infect_poke(inf, m.auxv, mm->mm_saved_auxv, auxv_len);
	if (!r)
		r = rcall(inf, "set the mm layout", NR_prctl, PR_SET_MM, PR_SET_MM_MAP,
			  inf->scratch, sizeof(m), 0, 0);
	return r < 0 ? r : 0;
}

/* PR_SET_THP_DISABLE before any VMA is made: it applies to the new ones. */
static int set_thp_disabled(struct rst_task *t)
{
	long r;

	if (!t->mm->has_thp_disabled)
		return 0;
	r = rcall(&t->inf, "set the THP-disable flag", NR_prctl, PR_SET_THP_DISABLE,
		  t->mm->thp_disabled, 0, 0, 0, 0);
	return r < 0 ? r : 0;
}

int rst_memory(struct rst_ctx *c, struct rst_task *t)
{
	struct vma_list cur;
	int err;

	err = proc_parse_smaps(t->hpid, &cur);
	if (err)
		return err;
	err = drop_skeleton_maps(t, &cur) ?: vdso_restore(c, t, &cur);
	if (!err)	/* the dumped vDSO is this kernel's: its areas go to their places */
		err = move_vdso(t, &cur);
	err = err < 0 ? err : set_thp_disabled(t);
	vma_list_free(&cur);
	return err ?: map_vmas(c, t) ?: vma_names_restore(c, t) ?: fill_pages(c, t) ?:
	       install_guards(c, t) ?: protect_vmas(t) ?: set_mm_map(c, t);
}
