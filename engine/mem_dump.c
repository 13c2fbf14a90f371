// SPDX-License-Identifier: GPL-2.0-only
/* Private memory of a task to page images, guided by /proc/PID/pagemap. */
#define LOG_PREFIX "mem: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "mem_dump.h"
#include "pagemap.pb-c.h"
#include "xmalloc.h"

#define PAGE_SZ		4096UL
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAPPED	(1ULL << 62)
#define PM_FILE		(1ULL << 61)	/* file page or shared anon */
#define PM_GUARD	(1ULL << 58)	/* a guard region page (6.15+; with PM_SWAPPED) */
/* pages handled per round: pagemap entries and contents */
#define CHUNK_PAGES	1024UL

#define PM_PFN_MASK	((1ULL << 55) - 1)

struct mem_ctx {
	pid_t pid;
	uint64_t zero_pfn;		/* of the kernel's zero page; 0: unknown */
	int pagemap_fd, mem_fd;
	uint64_t pm[CHUNK_PAGES];
	/* runs of a chunk: at most every other page */
	struct iovec riov[CHUNK_PAGES / 2 + 1];
	char *buf;			/* CHUNK_PAGES pages */
	struct page_xfer *x;
	struct mem_dump_stats *st;
	struct mem_guards *guards;
};

bool vma_needs_pages(const struct vma_area *v)
{
	if (v->status & (VMA_AREA_VDSO | VMA_AREA_VVAR | VMA_AREA_VVAR_VCLOCK | VMA_AREA_VSYSCALL))
		return false;		/* the kernel's */
	return v->status & (VMA_ANON_PRIVATE | VMA_FILE_PRIVATE);
}

static bool page_wanted(const struct vma_area *v, uint64_t pm)
{
	if (pm & PM_GUARD)
		return false;		/* no contents; see note_guards() */
	if (pm & PM_SWAPPED)
		return true;
	if (!(pm & PM_PRESENT))
		return false;
	/* in a private file mapping only CoW'd (anonymous) pages differ from the file */
	return !(v->status & VMA_FILE_PRIVATE) || !(pm & PM_FILE);
}

/* Mapped to the kernel's zero page (read, never written): zero for sure, no need to read it. */
static bool page_on_zero_pfn(const struct mem_ctx *c, uint64_t pm)
{
	return c->zero_pfn && (pm & (PM_PRESENT | PM_SWAPPED)) == PM_PRESENT &&
	       (pm & PM_PFN_MASK) == c->zero_pfn;
}

/*
 * The pfn of the zero page, from our own pagemap after a read fault on a
 * fresh anonymous page; 0 where pagemap hides pfns (no CAP_SYS_ADMIN).
 */
static uint64_t find_zero_pfn(void)
{
	_cleanup_close_ int self_pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	volatile char *p = mmap(NULL, PAGE_SZ, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t pm = 0;

	if (p == MAP_FAILED || self_pm < 0) {
		if (p != MAP_FAILED)
			munmap((void *)p, PAGE_SZ);
		return 0;
	}
	(void)p[0];
	if (pread(self_pm, &pm, sizeof(pm), (uintptr_t)p / PAGE_SZ * 8) != sizeof(pm))
		pm = 0;
	munmap((void *)p, PAGE_SZ);
	return (pm & PM_PRESENT) ? pm & PM_PFN_MASK : 0;
}

bool mem_page_is_zero(const void *p)
{
	static const char zero[PAGE_SZ];

	return !memcmp(p, zero, PAGE_SZ);
}

/* Read @nr pages at @addr into @buf: fast path first, /proc/PID/mem for the rest. */
static int read_pages(struct mem_ctx *c, uint64_t addr, char *buf, size_t nr)
{
	struct iovec local = { buf, nr * PAGE_SZ }, remote = { (void *)addr, nr * PAGE_SZ };
	ssize_t n = process_vm_readv(c->pid, &local, 1, &remote, 1, 0);

	if (n == (ssize_t)(nr * PAGE_SZ))
		return 0;
	/* unreadable protection (PROT_NONE, PROT_WRITE only): mem forces access */
	n = pread(c->mem_fd, buf, nr * PAGE_SZ, addr);
	if (n != (ssize_t)(nr * PAGE_SZ))
		return log_perr(n < 0 ? -errno : -EIO, "Failed to read %zu pages at %#lx of %d",
				nr, (unsigned long)addr, c->pid);
	return 0;
}

/* Emit the wanted pages of [addr, addr + nr pages), skipping zero anon pages. */
/*
 * The runs of pages to read in a chunk, as remote iovecs; pages on the zero
 * pfn are counted and left out. Returns the number of runs.
 */
static size_t collect_runs(struct mem_ctx *c, const struct vma_area *v, uint64_t addr, size_t nr)
{
	bool anon = v->status & VMA_ANON_PRIVATE;
	size_t i, n = 0;

	for (i = 0; i < nr; i++) {
		if (!page_wanted(v, c->pm[i]))
			continue;
		c->st->pages_present++;
		if (anon && page_on_zero_pfn(c, c->pm[i])) {
			c->st->pages_zero++;
			continue;
		}
		if (n && (char *)c->riov[n - 1].iov_base + c->riov[n - 1].iov_len ==
			 (char *)(uintptr_t)(addr + i * PAGE_SZ)) {
			c->riov[n - 1].iov_len += PAGE_SZ;
			continue;
		}
		c->riov[n].iov_base = (void *)(uintptr_t)(addr + i * PAGE_SZ);
		c->riov[n++].iov_len = PAGE_SZ;
	}
	return n;
}

/* All @n runs into c->buf, packed, in one syscall where it can. */
static int read_runs(struct mem_ctx *c, size_t n)
{
	struct iovec local = { c->buf, 0 };
	char *p = c->buf;
	size_t i;
	int err;

	for (i = 0; i < n; i++)
		local.iov_len += c->riov[i].iov_len;
	if (process_vm_readv(c->pid, &local, 1, c->riov, n, 0) == (ssize_t)local.iov_len)
		return 0;
	/* some run is not readable so (PROT_NONE...): run by run, with the fallback */
	for (i = 0; i < n; p += c->riov[i++].iov_len) {
		err = read_pages(c, (uintptr_t)c->riov[i].iov_base, p,
				 c->riov[i].iov_len / PAGE_SZ);
		if (err)
			return err;
	}
	return 0;
}

/* Emit the pages read, but zero pages of anonymous memory. */
static int emit_runs(struct mem_ctx *c, const struct vma_area *v, size_t n)
{
	bool anon = v->status & VMA_ANON_PRIVATE;
	const char *p = c->buf;
	size_t i, k, run, nr;
	int err;

	for (i = 0; i < n; i++) {
		uint64_t addr = (uintptr_t)c->riov[i].iov_base;

		nr = c->riov[i].iov_len / PAGE_SZ;
		for (k = 0; k < nr; k = run + 1) {
			run = k;
			while (run < nr && !(anon && mem_page_is_zero(p + run * PAGE_SZ)))
				run++;
			if (run > k) {
				err = page_xfer_add(c->x, addr + k * PAGE_SZ, p + k * PAGE_SZ,
						    run - k);
				if (err)
					return err;
				c->st->pages_written += run - k;
			}
			if (run < nr)
				c->st->pages_zero++;
		}
		p += nr * PAGE_SZ;
	}
	return page_xfer_flush(c->x);	/* c->buf is reused next */
}

/* The wanted pages of [addr, addr + nr pages) to the images. */
static int dump_chunk(struct mem_ctx *c, const struct vma_area *v, uint64_t addr, size_t nr)
{
	size_t n = collect_runs(c, v, addr, nr);

	if (!n)
		return 0;
	return read_runs(c, n) ?: emit_runs(c, v, n);
}

/* Add the guard pages of a pagemap chunk to c->guards, merging runs. */
static int note_guards(struct mem_ctx *c, uint64_t addr, size_t nr)
{
	struct mem_guards *g = c->guards;
	size_t i;

	for (i = 0; i < nr; i++) {
		uint64_t va = addr + i * PAGE_SZ;

		if (!(c->pm[i] & PM_GUARD))
			continue;
		if (g->n && g->r[g->n - 1].vaddr + g->r[g->n - 1].nr_pages * PAGE_SZ == va) {
			g->r[g->n - 1].nr_pages++;
			continue;
		}
		if (g->n == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 16;
			struct mem_guard_run *r = xrealloc(g->r, cap * sizeof(*r));

			if (!r)
				return -ENOMEM;
			g->r = r;
			g->cap = cap;
		}
		g->r[g->n++] = (struct mem_guard_run){ va, 1 };
	}
	return 0;
}

/* Pages (if @pages) and guard regions of VMA @v. */
static int dump_vma(struct mem_ctx *c, const struct vma_area *v, bool pages)
{
	uint64_t addr;
	int err;

	for (addr = v->start; addr < v->end; addr += CHUNK_PAGES * PAGE_SZ) {
		size_t nr = (v->end - addr) / PAGE_SZ;
		ssize_t n;

		if (nr > CHUNK_PAGES)
			nr = CHUNK_PAGES;
		n = pread(c->pagemap_fd, c->pm, nr * sizeof(uint64_t), addr / PAGE_SZ * 8);
		if (n != (ssize_t)(nr * sizeof(uint64_t)))
			return log_perr(n < 0 ? -errno : -EIO,
					"Failed to read the pagemap of %d at %#lx", c->pid,
					(unsigned long)addr);
		c->st->pages_scanned += pages ? nr : 0;
		err = note_guards(c, addr, nr) ?: pages ? dump_chunk(c, v, addr, nr) : 0;
		if (err)
			return err;
	}
	return 0;
}

static int open_proc(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	return fd;
}

int mem_dump_task(pid_t pid, const struct vma_list *vmas, struct page_xfer *x,
		  struct mem_dump_stats *stats, struct mem_guards *guards)
{
	_cleanup_close_ int pm_fd = open_proc(pid, "pagemap");
	_cleanup_close_ int mem_fd = open_proc(pid, "mem");
	_cleanup_free_ struct mem_ctx *c = xzalloc(sizeof(*c));
	_cleanup_free_ char *buf = xmalloc(CHUNK_PAGES * PAGE_SZ);
	size_t i;
	int err;

	if (pm_fd < 0 || mem_fd < 0 || !c || !buf)
		return pm_fd < 0 ? pm_fd : mem_fd < 0 ? mem_fd : -ENOMEM;
	c->pid = pid;
	c->zero_pfn = find_zero_pfn();
	c->pagemap_fd = pm_fd;
	c->mem_fd = mem_fd;
	c->buf = buf;
	c->x = x;
	c->st = stats;
	c->guards = guards;
	for (i = 0; i < vmas->n; i++) {
		if (!(vmas->v[i].status & VMA_AREA_REGULAR))
			continue;
		err = dump_vma(c, &vmas->v[i], vma_needs_pages(&vmas->v[i]));
		if (err)
			return err;
	}
	return 0;
}

int mem_guards_write(int dfd, pid_t pid, const struct mem_guards *guards)
{
	struct img *img;
	size_t i;
	int err = 0;

	if (!guards->n)
		return 0;
	img = img_open(dfd, IMG_VZCR_GUARDS, O_WRONLY, pid);
	if (!img)
		return -errno;
	for (i = 0; i < guards->n && !err; i++) {
		PagemapEntry pe = PAGEMAP_ENTRY__INIT;

		if (guards->r[i].nr_pages > UINT32_MAX)
			return log_err(-EOVERFLOW, "Task %d: guard region at %#llx too big", pid,
				       (unsigned long long)guards->r[i].vaddr);
		pe.vaddr = guards->r[i].vaddr;
		pe.nr_pages = guards->r[i].nr_pages;
		err = img_write(img, &pe);
	}
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
}

void mem_guards_free(struct mem_guards *guards)
{
	free(guards->r);
	guards->r = NULL;
	guards->n = guards->cap = 0;
}
