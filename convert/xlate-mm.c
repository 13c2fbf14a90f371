// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory of a process (note section 5): the MM record becomes mm-PID.img
 * (layout, saved auxv, VMAs with their protections, MAP_* flags and files),
 * its page blocks pagemap-PID.img plus pages-PID.img. PAGES payloads are
 * copied straight from the dump (copy_file_range: no pass through user
 * space where the filesystem allows); COPYPAGES take the same addresses
 * from the earlier MM they name. Old-kernel vDSO areas (VMA type 2/3)
 * become [vdso] (the executable one) and [vvar]/[vvar_vclock] (readable
 * ones); xlate-vdso.c gives the restore what its vDSO proxy needs
 * (see ovz2img.8).
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "vma-status.h"
#include "xlate.h"

/* vm_flags bits as the RHEL6 (042stab) kernel numbers them */
#define VM_SHARED	0x8ULL
#define VM_GROWSDOWN	0x100ULL
#define VM_NOHUGEPAGE	0x200ULL	/* RHEL6's THP backport; VM_GROWSUP (0 on x86) before */
#define VM_EXECUTABLE	0x1000ULL	/* the exe mapping, on kernels that had the flag */
#define VM_LOCKED	0x2000ULL
#define VM_SEQ_READ	0x8000ULL
#define VM_RAND_READ	0x10000ULL
#define VM_DONTCOPY	0x20000ULL
#define VM_NORESERVE	0x200000ULL
#define VM_HUGETLB	0x400000ULL
#define VM_NODUMP	0x04000000ULL
#define VM_MERGEABLE	0x80000000ULL
#define VM_HUGEPAGE	0x100000000ULL

#define PE_PRESENT		(1U << 2)

#define MM_REC_LEN	136
#define VMA_REC_LEN	80
#define MAX_VMAS	65536
#define MAX_AUXV	512
#define COPY_DEPTH	4

struct mm_x {
	struct xlate *x;
	uint32_t pid;
	uint8_t mm[MM_REC_LEN];
	MmEntry me;
	VmaEntry *vmas;
	VmaEntry **vp;
	size_t nvmas;
	uint64_t auxv[MAX_AUXV];
	uint32_t exe_id, code_id;
	struct img *pagemap;
	int pages_fd;
	uint64_t last_end;	/* pagemap entries must rise */
	uint64_t pages_off;	/* bytes in the pages image so far */
	unsigned int nvvar;
};

/* @len bytes of the dump at @off to the end of the pages image. */
static int copy_pages(struct mm_x *m, uint64_t off, uint64_t len)
{
	static char buf[1 << 20];
	loff_t in = (loff_t)off;

	while (len) {
		ssize_t n = copy_file_range(m->x->f->fd, &in, m->pages_fd, NULL, len, 0);

		if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP ||
			      errno == ENOSYS)) {
			n = pread(m->x->f->fd, buf, len < sizeof(buf) ? len : sizeof(buf), in);
			if (n > 0 && write(m->pages_fd, buf, (size_t)n) != n)
				return log_perr(-errno ?: -EIO, "Failed to write pages-%u.img", m->pid);
			if (n > 0)
				in += n;
		}
		if (n < 0)
			return log_perr(-errno, "Failed to copy pages at offset %#" PRIx64 " of the dump",
					(uint64_t)in);
		if (n == 0)
			return log_err(-EIO, "Failed to copy pages at offset %#" PRIx64 ": the dump ends",
				       (uint64_t)in);
		len -= (uint64_t)n;
	}
	return 0;
}

/* One run of present pages: a pagemap entry and its bytes. */
static int emit(struct mm_x *m, uint64_t start, uint64_t end, uint64_t data_off)
{
	PagemapEntry pe = PAGEMAP_ENTRY__INIT;
	int r;

	if (start < m->last_end)
		return log_err(-EPROTO, "page block %#" PRIx64 "-%#" PRIx64 " of process %u overlaps or precedes the one before (ending at %#" PRIx64 ")",
			       start, end, m->pid, m->last_end);
	if ((end - start) / XL_PAGE > UINT32_MAX)
		return log_err(-EPROTO, "page block %#" PRIx64 "-%#" PRIx64 " of process %u: more pages than a pagemap entry holds",
			       start, end, m->pid);
	pe.vaddr = start;
	pe.nr_pages = (uint32_t)((end - start) / XL_PAGE);
	pe.has_flags = true;
	pe.flags = PE_PRESENT;
	r = img_write(m->pagemap, &pe) ?: copy_pages(m, data_off, end - start);
	for (size_t i = 0; !r && i < m->x->npokes; i++) {	/* xl_mm_poke()'s */
		const struct xl_poke *p = &m->x->pokes[i];

		if (p->pid != m->pid || p->addr < start || p->addr + p->len > end)
			continue;
		if (pwrite(m->pages_fd, p->data, p->len,
			   (off_t)(m->pages_off + p->addr - start)) != (ssize_t)p->len)
			r = log_perr(-errno ?: -EIO, "Failed to write pages-%u.img", m->pid);
	}
	m->last_end = end;
	m->pages_off += end - start;
	m->x->page_bytes += end - start;
	return r;
}

struct poke_arg {
	uint64_t addr, end;
	bool found;
};

/* Is [addr, end) inside a page block of the MM (PAGES or COPYPAGES)? */
static int poke_find(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct poke_arg *a = arg;
	uint8_t rec[32];
	int r;

	if (h->type == CPT_OBJ_VMA)
		return xl_children(x, pos, h, poke_find, arg);
	if (h->type != CPT_OBJ_PAGES && h->type != CPT_OBJ_COPYPAGES)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, h->type, "page block", rec, sizeof(rec), NULL);
	if (r < 0)
		return r;
	if (get64(rec, 16) <= a->addr && a->end <= get64(rec, 24))
		a->found = true;
	return 0;
}

int xl_mm_poke(struct xlate *x, uint64_t mm, uint32_t pid, uint64_t addr, const void *data,
	       size_t len)
{
	struct poke_arg a = { addr, addr + len, false };
	struct cpt_obj_hdr h;
	struct xl_poke *n;
	int r;

	if (len > sizeof(n->data) || a.end < addr)
		return 0;
	r = cpt_resolve(x->f, mm, CPT_OBJ_MM, mm, "cpt_mm");
	if (r > 0)
		r = cpt_read_obj(x->f, mm, x->f->size, CPT_OBJ_MM, "MM", NULL, 0, &h) ?:
		    xl_children(x, mm, &h, poke_find, &a);
	if (r < 0 || !a.found)
		return r < 0 ? r : 0;
	n = realloc(x->pokes, (x->npokes + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->pokes = n;
	n += x->npokes++;
	n->pid = pid;
	n->addr = addr;
	n->len = len;
	memcpy(n->data, data, len);
	return 1;
}

struct copy_arg {
	struct mm_x *m;
	uint64_t start, end;
	unsigned int depth;
};

static int copy_from_mm(struct mm_x *m, uint64_t src, uint64_t start, uint64_t end,
			unsigned int depth);

/* A page block of the source MM: the part inside [start, end) is ours too. */
static int copy_block(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct copy_arg *a = arg;
	uint8_t rec[40];
	uint64_t s, e;
	int r;

	if (h->type == CPT_OBJ_VMA)
		return xl_children(x, pos, h, copy_block, arg);
	if (h->type != CPT_OBJ_PAGES && h->type != CPT_OBJ_COPYPAGES)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, h->type, "page block", rec, sizeof(rec), NULL);
	if (r < 0)
		return r;
	s = get64(rec, 16) > a->start ? get64(rec, 16) : a->start;
	e = get64(rec, 24) < a->end ? get64(rec, 24) : a->end;
	if (s >= e)
		return 0;
	if (h->type == CPT_OBJ_COPYPAGES)
		return copy_from_mm(a->m, get64(rec, 32), s, e, a->depth + 1);
	if (h->content != CPT_CONTENT_DATA)
		return 0;	/* refused where the source MM was translated */
	return emit(a->m, s, e, pos + h->hdrlen + (s - get64(rec, 16)));
}

static int copy_from_mm(struct mm_x *m, uint64_t src, uint64_t start, uint64_t end,
			unsigned int depth)
{
	struct copy_arg a = { m, start, end, depth };
	struct cpt_obj_hdr h;
	int r;

	if (depth > COPY_DEPTH)
		return log_err(-EPROTO, "COPYPAGES of process %u: chain of source MMs deeper than %d",
			       m->pid, COPY_DEPTH);
	r = cpt_resolve(m->x->f, src, CPT_OBJ_MM, src, "cpt_source of COPYPAGES");
	if (r == 0)
		return log_err(-EPROTO, "COPYPAGES of process %u: field cpt_source is CPT_NULL", m->pid);
	if (r < 0)
		return r;
	r = cpt_read_obj(m->x->f, src, m->x->f->size, CPT_OBJ_MM, "source MM", NULL, 0, &h);
	return r < 0 ? r : xl_children(m->x, src, &h, copy_block, &a);
}

struct vma_arg {
	struct mm_x *m;
	VmaEntry *v;
};

static int page_block(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct vma_arg *a = arg;
	uint8_t rec[40];
	uint64_t s, e;
	int r;

	r = cpt_read_obj(x->f, pos, pos + h->next, h->type, "page block", rec, sizeof(rec), NULL);
	if (r < 0)
		return r;
	s = get64(rec, 16);
	e = get64(rec, 24);
	if (s >= e || s % XL_PAGE || e % XL_PAGE || s < a->v->start || e > a->v->end)
		return log_err(-EPROTO, "%s at offset %#" PRIx64 ": %#" PRIx64 "-%#" PRIx64 " is not a page range inside its VMA %#" PRIx64 "-%#" PRIx64,
			       cpt_obj_name(h->type), pos, s, e, a->v->start, a->v->end);
	switch (h->type) {
	case CPT_OBJ_PAGES:
		if (h->content == CPT_CONTENT_PRAM)
			return log_err(-EOPNOTSUPP, "PAGES at offset %#" PRIx64 ": the pages were kept in persistent RAM (PRAM) of the old host, not in the dump",
				       pos);
		if (h->next - h->hdrlen != e - s)
			return log_err(-EPROTO, "PAGES at offset %#" PRIx64 ": %" PRIu64 " bytes of data for %#" PRIx64 "-%#" PRIx64 " (%" PRIu64 " bytes)",
				       pos, h->next - h->hdrlen, s, e, e - s);
		return emit(a->m, s, e, pos + h->hdrlen);
	case CPT_OBJ_COPYPAGES:
		return copy_from_mm(a->m, get64(rec, 32), s, e, 0);
	}
	return log_err(-EOPNOTSUPP, "%s at offset %#" PRIx64 " in the VMA %#" PRIx64 "-%#" PRIx64 ": its pages are not in the dump (non-linear, lazy or iterative migration): not supported",
		       cpt_obj_name(h->type), pos, s, e);
}

/* The VMA's kind: status, MAP_* flags, file (note 5.1). */
/*
 * 2.6.18 kernels wrote their vDSO as a type 0 VMA (note section 11): no
 * file, no pages, read+exec, one or two pages. Taken as the vDSO there.
 */
static bool rhel5_vdso(const struct mm_x *m, const uint8_t *rec, const VmaEntry *v, bool bare)
{
	return m->x->f->hdr.version < 0x800 && bare && get32(rec, 24) == 0 &&
	       get64(rec, 16) == CPT_NULL && (get64(rec, 56) & 7) == 5 &&
	       v->end - v->start <= 2 * XL_PAGE;
}

static int vma_kind(struct mm_x *m, uint64_t pos, const uint8_t *rec, VmaEntry *v, bool bare)
{
	uint64_t fl = get64(rec, 56), file = get64(rec, 16);
	uint32_t type = rhel5_vdso(m, rec, v, bare) ? 2 : get32(rec, 24), id = 0;
	int r;

	if (type == 1 || (fl & VM_HUGETLB))
		return xl_unsupported(m->x, "the %s mapping %#" PRIx64 "-%#" PRIx64 " of process %u (VMA at offset %#" PRIx64 ")",
				      type == 1 ? "SysV shared memory" : "hugetlb", v->start, v->end,
				      m->pid, pos) ?: 1;
	if (type == 2 || type == 3) {
		v->flags = MAP_PRIVATE | MAP_ANONYMOUS;
		v->status = VMA_AREA_REGULAR | ((fl & 4) ? VMA_AREA_VDSO :
			    m->nvvar++ ? VMA_AREA_VVAR_VCLOCK : VMA_AREA_VVAR);
		return 0;
	}
	if (file != CPT_NULL && (fl & VM_SHARED)) {
		uint64_t ino;

		r = xl_file_is_shmem(m->x, file, &ino);
		if (r < 0)
			return r;
		if (r) {
			r = xl_shmem_id(m->x, file, ino, &id);
			v->shmid = id;
			v->pgoff = get64(rec, 72) * XL_PAGE;
			v->flags = MAP_SHARED | MAP_ANONYMOUS;
			v->status = VMA_AREA_REGULAR | VMA_ANON_SHARED;
			return r;
		}
	}
	if (file != CPT_NULL) {
		r = xl_file_id(m->x, file, &id, NULL);
		if (r < 0)
			return r;
		if (!id)
			return xl_unsupported(m->x, "the mapping %#" PRIx64 "-%#" PRIx64 " of process %u of a file left out", v->start, v->end, m->pid) ?: 1;
		v->shmid = id;
		v->pgoff = get64(rec, 72) * XL_PAGE;
		v->flags = (fl & VM_SHARED) ? MAP_SHARED : MAP_PRIVATE;
		v->status = VMA_AREA_REGULAR | ((fl & VM_SHARED) ? VMA_FILE_SHARED : VMA_FILE_PRIVATE);
		if ((fl & VM_EXECUTABLE) && !m->exe_id)
			m->exe_id = id;
		if (v->start <= get64(m->mm, 16) && get64(m->mm, 16) < v->end && !m->code_id)
			m->code_id = id;
		return 0;
	}
	if (fl & VM_SHARED)
		return xl_unsupported(m->x, "the shared anonymous mapping %#" PRIx64 "-%#" PRIx64 " of process %u without a file (VMA at offset %#" PRIx64 ")",
				      v->start, v->end, m->pid, pos) ?: 1;
	v->flags = MAP_PRIVATE | MAP_ANONYMOUS;
	v->status = VMA_AREA_REGULAR | VMA_ANON_PRIVATE;
	if (fl & VM_GROWSDOWN) {
		v->flags |= MAP_GROWSDOWN;
		v->status |= VMA_AREA_STACK;
	}
	if (v->start < get64(m->mm, 56) + XL_PAGE && v->end > get64(m->mm, 48) &&
	    get64(m->mm, 48))
		v->status |= VMA_AREA_HEAP;
	return 0;
}

static int one_vma(struct mm_x *m, uint64_t pos, const struct cpt_obj_hdr *h)
{
	uint8_t rec[VMA_REC_LEN];
	uint64_t fl;
	VmaEntry *v;
	int r;

	if (m->nvmas == MAX_VMAS)
		return log_err(-E2BIG, "VMA at offset %#" PRIx64 ": process %u has more than %d", pos,
			       m->pid, MAX_VMAS);
	r = cpt_read_obj(m->x->f, pos, pos + h->next, CPT_OBJ_VMA, "VMA", rec, sizeof(rec), NULL);
	if (r < 0)
		return r;
	v = &m->vmas[m->nvmas];
	vma_entry__init(v);
	v->start = get64(rec, 40);
	v->end = get64(rec, 48);
	fl = get64(rec, 56);
	if (v->start >= v->end || (v->start | v->end) % XL_PAGE)
		return log_err(-EPROTO, "VMA at offset %#" PRIx64 ": fields cpt_start %#" PRIx64 " / cpt_end %#" PRIx64 " are not a page range",
			       pos, v->start, v->end);
	v->prot = fl & 7;	/* VM_READ | VM_WRITE | VM_EXEC == PROT_* */
	v->fd = -1;
	r = vma_kind(m, pos, rec, v, h->next == h->hdrlen);
	if (r)
		return r < 0 ? r : 0;	/* 1: skipped with --force */
	v->flags |= (fl & VM_LOCKED ? MAP_LOCKED : 0) | (fl & VM_NORESERVE ? MAP_NORESERVE : 0);
	v->madv = (fl & VM_DONTCOPY ? 1ULL << MADV_DONTFORK : 0) |
		  (fl & VM_SEQ_READ ? 1ULL << MADV_SEQUENTIAL : 0) |
		  (fl & VM_RAND_READ ? 1ULL << MADV_RANDOM : 0) |
		  (fl & VM_NOHUGEPAGE ? 1ULL << MADV_NOHUGEPAGE : 0) |
		  (fl & VM_HUGEPAGE ? 1ULL << MADV_HUGEPAGE : 0) |
		  (fl & VM_NODUMP ? 1ULL << MADV_DONTDUMP : 0) |
		  (fl & VM_MERGEABLE ? 1ULL << MADV_MERGEABLE : 0);
	v->has_madv = v->madv != 0;
	m->vp[m->nvmas++] = v;
	if (v->status & (VMA_AREA_VDSO | VMA_AREA_VVAR | VMA_AREA_VVAR_VCLOCK))
		return 0;	/* no page blocks: the kernel's own */
	return xl_children(m->x, pos, h, page_block, &(struct vma_arg){ m, v });
}

static int mm_child(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct mm_x *m = arg;
	uint64_t len = h->next - h->hdrlen;

	switch (h->type) {
	case CPT_OBJ_VMA:
		return one_vma(m, pos, h);
	case CPT_OBJ_MM_AUXV:
		if (len % 16 || len / 8 + 2 > (uint64_t)MAX_AUXV)
			return log_err(-EPROTO, "MM_AUXV at offset %#" PRIx64 ": %" PRIu64 " bytes, not pairs of u64 or more than %d words",
				       pos, len, MAX_AUXV - 2);
		m->me.n_mm_saved_auxv = len / 8 + 2;	/* and the AT_NULL pair */
		return cpt_pread(x->f, pos + h->hdrlen, m->auxv, len, "MM_AUXV");
	case CPT_OBJ_BITS:
		return h->next > h->hdrlen ?
		       xl_unsupported(x, "the LDT of process %u (BITS at offset %#" PRIx64 ")", m->pid, pos) : 0;
	case 1041:	/* AIO_CONTEXT */
		return xl_unsupported(x, "an AIO context of process %u (at offset %#" PRIx64 ")", m->pid, pos);
	}
	return 0;
}

static void fill_layout(struct mm_x *m)
{
	MmEntry *me = &m->me;
	const uint8_t *r = m->mm;

	me->mm_start_code = get64(r, 16);
	me->mm_end_code = get64(r, 24);
	me->mm_start_data = get64(r, 32);
	me->mm_end_data = get64(r, 40);
	me->mm_start_brk = get64(r, 48);
	me->mm_brk = get64(r, 56);
	me->mm_start_stack = get64(r, 64);
	me->mm_arg_start = get64(r, 72);
	me->mm_arg_end = get64(r, 80);
	me->mm_env_start = get64(r, 88);
	me->mm_env_end = get64(r, 96);
	me->has_dumpable = true;
	/* mm_flags' low bits on RHEL6, the old flag before */
	me->dumpable = m->mm[120];
	if (get64(r, 128))
		me->dumpable = get64(r, 128) & 3;
}

static int walk_mm(struct mm_x *m, uint64_t ref, uint64_t from)
{
	struct cpt_obj_hdr h;
	PagemapHead ph = PAGEMAP_HEAD__INIT;
	int r;

	r = cpt_resolve(m->x->f, ref, CPT_OBJ_MM, from, "cpt_mm");
	if (r == 0)
		return log_err(-EPROTO, "TASK %u at offset %#" PRIx64 ": a live process with no MM (field cpt_mm is CPT_NULL)",
			       m->pid, from);
	if (r < 0)
		return r;
	r = cpt_read_obj(m->x->f, ref, m->x->f->size, CPT_OBJ_MM, "MM", m->mm, sizeof(m->mm), &h);
	if (r < 0)
		return r;
	fill_layout(m);
	m->pagemap = img_open(m->x->dfd, IMG_PAGEMAP, O_WRONLY, m->pid);
	if (!m->pagemap)
		return -errno;
	ph.pages_id = m->pid;
	r = img_write(m->pagemap, &ph);
	if (r)
		return r;
	m->pages_fd = openat(m->x->dfd, "pages.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (m->pages_fd < 0)
		return log_perr(-errno, "Failed to create the pages image of process %u", m->pid);
	return xl_children(m->x, ref, &h, mm_child, m);
}

/* Close the pagemap and give the pages image its name. */
static int finish(struct mm_x *m)
{
	char name[64];
	int r = img_close(m->pagemap);

	m->pagemap = NULL;
	if (close(m->pages_fd) < 0 && !r)
		r = log_perr(-errno, "Failed to write the pages image of process %u", m->pid);
	m->pages_fd = -1;
	snprintf(name, sizeof(name), "pages-%u.img", m->pid);
	if (!r && renameat(m->x->dfd, "pages.tmp", m->x->dfd, name) < 0)
		r = log_perr(-errno, "Failed to name '%s'", name);
	return r;
}

int xl_write_mm(struct xlate *x, const struct xl_task *t)
{
	struct mm_x *m = calloc(1, sizeof(*m));
	int r;

	if (get64(t->rec, 16) & 16 /* EXIT_ZOMBIE: no memory */)
		return free(m), 0;
	if (!m)
		return -ENOMEM;
	m->x = x;
	m->pid = t->pid;
	m->pages_fd = -1;
	mm_entry__init(&m->me);
	m->vmas = calloc(MAX_VMAS, sizeof(*m->vmas));
	m->vp = calloc(MAX_VMAS, sizeof(*m->vp));
	r = m->vmas && m->vp ? walk_mm(m, get64(t->rec, 96), t->pos) : -ENOMEM;
	if (!r)
		r = xl_vdso_fixup(x, t->pid, m->vmas, m->vp, &m->nvmas, MAX_VMAS);
	if (!r && m->pagemap)
		r = finish(m);
	m->me.exe_file_id = m->exe_id ?: m->code_id;
	if (!r && !m->me.exe_file_id)
		r = log_err(-EPROTO, "Failed to translate process %u: no file mapping holds its code (no VM_EXECUTABLE VMA, none at start_code %#" PRIx64 ")",
			    t->pid, m->me.mm_start_code);
	m->me.vmas = m->vp;
	m->me.n_vmas = m->nvmas;
	m->me.mm_saved_auxv = m->auxv;
	if (!r)
		r = img_write_single(x->dfd, IMG_MM, t->pid, &m->me);
	img_abort(m->pagemap);
	if (m->pages_fd >= 0)
		close(m->pages_fd);
	free(m->vmas);
	free(m->vp);
	free(m);
	return r;
}
