// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vDSO proxy at restore. A task dumped on another kernel holds
 * pointers into that kernel's vDSO (glibc resolves them once, at start),
 * and this kernel's vDSO has its functions at other offsets and its own
 * data pages. So this kernel's [vvar], [vvar_vclock] and [vdso] go to a
 * hole the dumped VMAs leave free, the old vDSO's bytes are put back at the
 * dumped address (read-execute, anonymous), and each of its entry points
 * becomes a jump to the same function in this kernel's vDSO.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "log.h"
#include "restore.h"
#include "vdso.h"
#include "vzcr-vdso.pb-c.h"

#define PAGE_SZ		4096UL
#define MMAP_MIN	0x10000UL
#define TASK_TOP	0x7ffffffff000UL
#define AREAS		(VMA_AREA_VVAR | VMA_AREA_VVAR_VCLOCK | VMA_AREA_VDSO)
#define STACK_ROOM	(16UL << 20)	/* kept free below a stack, for its growth */

struct span {
	uint64_t lo, hi;
};

static bool overlaps(uint64_t lo, uint64_t hi, const struct span *s)
{
	return lo < s->hi && s->lo < hi;
}

/*
 * What this kernel's areas must not overlap: every dumped VMA (a stack with
 * room to grow), the scratch area and its guards. @ret holds n_vmas + 1.
 */
static size_t busy_spans(const struct rst_task *t, struct span *ret)
{
	size_t i, n = 0;

	for (i = 0; i < t->mm->n_vmas; i++) {
		const VmaEntry *v = t->mm->vmas[i];

		if (v->start >= TASK_TOP)
			continue;
		ret[n].lo = v->start;
		ret[n].hi = v->end;
		if ((v->flags & MAP_GROWSDOWN) && v->start > STACK_ROOM)
			ret[n].lo -= STACK_ROOM;
		n++;
	}
	ret[n].lo = t->scratch - (1UL << 20);
	ret[n++].hi = t->scratch + INFECT_SCRATCH_SIZE + (1UL << 20);
	return n;
}

static bool is_free(uint64_t lo, uint64_t hi, const struct span *busy, size_t n)
{
	size_t i;

	if (lo < MMAP_MIN || hi > TASK_TOP || hi < lo)
		return false;
	for (i = 0; i < n; i++)
		if (overlaps(lo - PAGE_SZ, hi + PAGE_SZ, &busy[i]))
			return false;
	return true;
}

/*
 * Where this kernel's block @blk of areas goes: where it is if that is free,
 * else the highest free place just below a busy span (or below the top),
 * never over the block itself (mremap would unmap what it lands on).
 */
static int plan_block(const struct rst_task *t, const struct span *blk, uint64_t *ret)
{
	_cleanup_free_ struct span *busy = calloc(t->mm->n_vmas + 1, sizeof(*busy));
	uint64_t size = blk->hi - blk->lo, best = 0, at;
	size_t i, n;

	if (!busy)
		return -ENOMEM;
	n = busy_spans(t, busy);
	if (is_free(blk->lo, blk->hi, busy, n)) {
		*ret = blk->lo;
		return 0;
	}
	for (i = 0; i <= n; i++) {
		at = (i < n ? busy[i].lo : TASK_TOP) - PAGE_SZ - size;
		if (at > best && !overlaps(at - PAGE_SZ, at + size + PAGE_SZ, blk) &&
		    is_free(at, at + size, busy, n))
			best = at;
	}
	if (!best)
		return log_err(-ENOMEM, "Task %d: no free %llu bytes for this kernel's vDSO", t->pid,
			       (unsigned long long)size);
	*ret = best;
	return 0;
}

/* Move each of this kernel's areas by the same distance: they stay together. */
static int move_block(struct rst_task *t, const struct vma_list *cur, const struct span *blk,
		      uint64_t to)
{
	size_t i;
	long r;

	for (i = 0; i < cur->n && to != blk->lo; i++) {
		const struct vma_area *v = &cur->v[i];

		if (!(v->status & AREAS))
			continue;
		r = infect_call(&t->inf, "move this kernel's vDSO area", NR_mremap, v->start,
				v->end - v->start, v->end - v->start, MREMAP_MAYMOVE | MREMAP_FIXED,
				to + (v->start - blk->lo), 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The old vDSO's patched bytes at its dumped place, then read-execute. */
static int map_old(struct rst_task *t, const VmaEntry *was, const uint8_t *img)
{
	uint64_t len = was->end - was->start;
	long r;

	r = infect_call(&t->inf, "map the checkpoint's vDSO", NR_mmap, was->start, len,
			PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (r >= 0 && (uint64_t)r != was->start)
		return log_err(-EFAULT, "Task %d: the checkpoint's vDSO mapped at %#lx, not %#llx",
			       t->pid, r, (unsigned long long)was->start);
	if (r >= 0)
		r = infect_poke(&t->inf, was->start, img, len);
	if (r >= 0)
		r = infect_call(&t->inf, "protect the checkpoint's vDSO", NR_mprotect, was->start,
				len, was->prot, 0, 0, 0);
	return r < 0 ? r : 0;
}

/* This kernel's areas in the skeleton, as one span; -ENOENT without a vDSO. */
static int cur_block(const struct vma_list *cur, struct span *blk, uint64_t *ret_vdso)
{
	size_t i;

	*blk = (struct span){ UINT64_MAX, 0 };
	*ret_vdso = 0;
	for (i = 0; i < cur->n; i++) {
		const struct vma_area *v = &cur->v[i];

		if (!(v->status & AREAS))
			continue;
		if (v->status & VMA_AREA_VDSO)
			*ret_vdso = v->start;
		blk->lo = v->start < blk->lo ? v->start : blk->lo;
		blk->hi = v->end > blk->hi ? v->end : blk->hi;
	}
	return *ret_vdso ? 0 : log_err(-ENOENT, "No vDSO in the skeleton's mappings");
}

/* Plan, patch, move, map: nothing is moved before every entry could be patched. */
static int proxy(struct rst_task *t, const struct vma_list *cur, const VmaEntry *was,
		 uint8_t *img, const struct vdso_syms *old)
{
	const uint8_t *self;
	struct vdso_syms now;
	struct span blk;
	uint64_t to, vdso;
	size_t slen;
	int n, err;

	err = vdso_self(&self, &slen) ?: vdso_parse(self, slen, "this kernel's vDSO", &now) ?:
	      cur_block(cur, &blk, &vdso) ?: plan_block(t, &blk, &to);
	if (err)
		return err;
	vdso += to - blk.lo;
	n = vdso_patch(img, was->end - was->start, old, was->start, &now, vdso, t->pid);
	if (n < 0)
		return n;
	err = move_block(t, cur, &blk, to) ?: map_old(t, was, img);
	if (err)
		return err;
	pr_info("Task %d: vDSO proxy: %d entry points of the checkpoint's vDSO at %#llx jump to this kernel's vDSO at %#llx\n",
		t->pid, n, (unsigned long long)was->start, (unsigned long long)vdso);
	return 1;
}

static const VmaEntry *dumped_vdso(const MmEntry *mm)
{
	size_t i;

	for (i = 0; i < mm->n_vmas; i++)
		if (mm->vmas[i]->status & VMA_AREA_VDSO)
			return mm->vmas[i];
	return NULL;
}

int vdso_restore(struct rst_ctx *c, struct rst_task *t, const struct vma_list *cur)
{
	const VmaEntry *was = dumped_vdso(t->mm);
	char what[48];
	VzcrVdsoEntry *e;
	const uint8_t *self;
	struct vdso_syms old;
	size_t slen;
	int err;

	if (!img_exists(c->dfd, IMG_VZCR_VDSO, t->pid))
		return 0;	/* CRIU's images, or older vzcr's: the same kernel assumed */
	err = img_read_single(c->dfd, IMG_VZCR_VDSO, t->pid, (void **)&e);
	if (err)
		return err;
	snprintf(what, sizeof(what), "vzcr-vdso-%d.img", t->pid);
	if (!was || e->start != was->start || e->text.len != was->end - was->start)
		err = log_err(-EINVAL, "%s: start %#llx, %zu bytes: not the [vdso] of mm-%d.img",
			      what, (unsigned long long)e->start, e->text.len, t->pid);
	else
		err = vdso_self(&self, &slen);
	if (!err && slen == e->text.len && !memcmp(self, e->text.data, slen)) {
		pr_debug("Task %d: the checkpoint's vDSO is this kernel's\n", t->pid);
	} else if (!err) {
		pr_info("Task %d: the checkpoint's vDSO (%zu bytes) is not this kernel's (%zu bytes): proxy\n",
			t->pid, e->text.len, slen);
		err = vdso_parse(e->text.data, e->text.len, what, &old) ?:
		      proxy(t, cur, was, e->text.data, &old);
	}
	img_free_entry(e);
	return err;
}
