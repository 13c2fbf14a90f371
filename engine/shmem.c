// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared anonymous memory objects: dumped once per object from the tool
 * (through /proc/PID/map_files, holes skipped with SEEK_DATA/SEEK_HOLE,
 * zero pages not stored), restored by the tool into a new object that the
 * tasks then map, so that sharing between tasks survives.
 */
#define LOG_PREFIX "shmem: "
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "log.h"
#include "mem_dump.h"
#include "page_xfer.h"
#include "pagemap.pb-c.h"
#include "restore.h"
#include "shmem.h"
#include "xmalloc.h"

#define PAGE_SZ		4096UL
#define CHUNK		(4UL << 20)

/* Emit the non-zero pages of @buf (@len bytes at object offset @off). */
static int emit_nonzero(struct page_xfer *x, const char *buf, size_t len, uint64_t off)
{
	size_t i = 0, j;
	int err;

	while (i < len) {
		if (mem_page_is_zero(buf + i)) {
			i += PAGE_SZ;
			continue;
		}
		for (j = i; j < len && !mem_page_is_zero(buf + j); j += PAGE_SZ)
			;
		err = page_xfer_add(x, off + i, buf + i, (j - i) / PAGE_SZ);
		if (err)
			return err;
		i = j;
	}
	return 0;
}

/* The data of the object @fd (holes skipped) to @x; 0 or -errno. */
static int copy_object(int fd, const char *path, struct page_xfer *x)
{
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	off_t data, hole = 0;
	ssize_t n;
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		data = lseek(fd, hole, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			return 0;
		if (data >= 0)
			hole = lseek(fd, data, SEEK_HOLE);
		if (data < 0 || hole < 0)
			return log_perr(-errno, "Failed to find the data of '%s'", path);
		data &= ~(off_t)(PAGE_SZ - 1);
		hole = (hole + PAGE_SZ - 1) & ~(off_t)(PAGE_SZ - 1);
		for (; data < hole; data += n) {
			size_t want = hole - data < (off_t)CHUNK ? (size_t)(hole - data) : CHUNK;

			n = pread(fd, buf, want, data);
			if (n <= 0)
				return log_perr(n < 0 ? -errno : -EIO, "Failed to read '%s' at %lld",
						path, (long long)data);
			n &= ~(ssize_t)(PAGE_SZ - 1);
			if (!n)
				return log_err(-EIO, "Failed to read '%s' at %lld: short read", path,
					       (long long)data);
			err = emit_nonzero(x, buf, n, data) ?: page_xfer_flush(x);
			if (err)
				return err;
		}
	}
}

int shmem_dump(int dfd, unsigned int *pages_id, pid_t pid, const struct vma_area *v)
{
	_cleanup_close_ int fd = -EBADF;
	struct page_xfer x;
	char path[96];
	int err;

	if (v->ino > UINT_MAX)
		return log_err(-EOVERFLOW, "Task %d: shared memory %#lx-%#lx has inode %llu, too big for an image name",
			       pid, (unsigned long)v->start, (unsigned long)v->end,
			       (unsigned long long)v->ino);
	if (img_exists(dfd, IMG_SHMEM_PAGEMAP, v->ino))
		return 0;	/* another VMA of the tree dumped this object */
	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", pid, (unsigned long)v->start,
		 (unsigned long)v->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	err = page_xfer_open_type(&x, dfd, IMG_SHMEM_PAGEMAP, v->ino, ++*pages_id);
	if (err)
		return err;
	err = copy_object(fd, path, &x);
	if (err) {
		page_xfer_abort(&x);
		return err;
	}
	pr_debug("Task %d: shared memory %llu: %llu pages", pid, (unsigned long long)v->ino,
		 (unsigned long long)x.nr_pages);
	return page_xfer_close(&x);
}

static bool is_shmem(const VmaEntry *v, uint64_t shmid)
{
	return (v->status & VMA_ANON_SHARED) && v->shmid == shmid;
}

/* A mapping of @shmid restored before VMA @i of @t: its path, or false. */
static bool find_mapped(struct rst_ctx *c, struct rst_task *t, size_t i, char *path, size_t len)
{
	uint64_t shmid = t->mm->vmas[i]->shmid;
	struct rst_task *o;
	size_t k;

	for (o = c->tasks; o <= t; o++) {
		size_t n = o == t ? i : (o->zombie || !o->mm ? 0 : o->mm->n_vmas);

		for (k = 0; k < n; k++) {
			const VmaEntry *v = o->mm->vmas[k];

			if (!is_shmem(v, shmid))
				continue;
			snprintf(path, len, "/proc/%d/map_files/%llx-%llx", o->pid,
				 (unsigned long long)v->start, (unsigned long long)v->end);
			return true;
		}
	}
	return false;
}

/* Size of object @shmid: the furthest any VMA of the tree maps it. */
static uint64_t object_size(struct rst_ctx *c, uint64_t shmid)
{
	uint64_t size = 0;
	int j;
	size_t k;

	for (j = 0; j < c->nr_tasks; j++) {
		struct rst_task *o = &c->tasks[j];

		for (k = 0; !o->zombie && o->mm && k < o->mm->n_vmas; k++) {
			const VmaEntry *v = o->mm->vmas[k];

			if (is_shmem(v, shmid) && v->pgoff + v->end - v->start > size)
				size = v->pgoff + v->end - v->start;
		}
	}
	return size;
}

/* pread exactly @len bytes at @off into @dst; 0 or -errno. */
static int read_at(int fd, char *dst, uint64_t len, uint64_t off, unsigned int id)
{
	while (len) {
		ssize_t n = pread(fd, dst, len > (1UL << 30) ? (1UL << 30) : len, off);

		if (n <= 0)
			return log_perr(n < 0 ? -errno : -EIO, "Failed to read pages-%u.img at %llu",
					id, (unsigned long long)off);
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Fill @map (@size bytes of object @shmid) from its images; 0 or -errno. */
static int fill_object(struct rst_ctx *c, uint64_t shmid, char *map, uint64_t size)
{
	struct img *img = img_open(c->dfd, IMG_SHMEM_PAGEMAP, O_RDONLY, shmid);
	_cleanup_close_ int pfd = -EBADF;
	PagemapHead *h = NULL;
	PagemapEntry *pe;
	uint64_t off = 0, len;
	unsigned int id = 0;
	char name[64];
	int ret;

	if (!img)
		return -errno;
	ret = img_read(img, (void **)&h);
	if (ret > 0) {
		id = h->pages_id;
		img_free_entry(h);
		snprintf(name, sizeof(name), "pages-%u.img", id);
		pfd = openat(c->dfd, name, O_RDONLY | O_CLOEXEC);
		if (pfd < 0)
			ret = log_perr(-errno, "Failed to open '%s'", name);
	} else if (!ret) {
		ret = log_err(-ENODATA, "pagemap-shmem-%llu.img: no head", (unsigned long long)shmid);
	}
	while (ret > 0 && (ret = img_read(img, (void **)&pe)) > 0) {
		len = (uint64_t)pe->nr_pages * PAGE_SZ;
		if (!pe->has_flags || (pe->flags & (PE_LAZY | PE_PARENT)) || pe->vaddr % PAGE_SZ ||
		    pe->vaddr + len < pe->vaddr)
			ret = log_err(-EINVAL, "pagemap-shmem-%llu.img: bad entry %#llx + %u pages (flags %#x)",
				      (unsigned long long)shmid, (unsigned long long)pe->vaddr,
				      pe->nr_pages, pe->flags);
		else if ((pe->flags & PE_PRESENT) && pe->vaddr < size)
			/* past every mapping of the tree (a shrunk one): nobody sees it */
			ret = read_at(pfd, map + pe->vaddr,
				      pe->vaddr + len > size ? size - pe->vaddr : len, off, id) ?: 1;
		off += (pe->flags & PE_PRESENT) ? len : 0;
		img_free_entry(pe);
	}
	img_close(img);
	return ret;
}

/* A new object for @shmid, filled; returns the tool's fd of it or -errno. */
static int make_object(struct rst_ctx *c, uint64_t shmid)
{
	uint64_t size = object_size(c, shmid);
	char path[64];
	void *map;
	int fd, err;

	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return log_perr(-errno, "Failed to create shared memory %llu of %llu bytes",
				(unsigned long long)shmid, (unsigned long long)size);
	err = fill_object(c, shmid, map, size);
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)map,
		 (unsigned long)map + size);
	fd = err ? err : open(path, O_RDWR | O_CLOEXEC);
	if (fd == -1)
		fd = log_perr(-errno, "Failed to open '%s'", path);
	munmap(map, size);	/* the fd holds the object now */
	return fd;
}

int shmem_restore_vma(struct rst_ctx *c, struct rst_task *t, size_t i)
{
	const VmaEntry *v = t->mm->vmas[i];
	struct infect *inf = &t->inf;
	_cleanup_close_ int own = -EBADF;
	unsigned long flags = MAP_SHARED | MAP_FIXED | (v->flags & (MAP_GROWSDOWN | MAP_NORESERVE));
	char path[96];
	long fd, r;

	if (!find_mapped(c, t, i, path, sizeof(path))) {
		own = make_object(c, v->shmid);
		if (own < 0)
			return own;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", c->tool_pid, own);
	}
	r = infect_poke(inf, inf->scratch, path, sizeof(path));
	if (r < 0)
		return r;
	fd = infect_call(inf, "open shared memory", NR_openat, AT_FDCWD, inf->scratch,
			 O_RDWR | O_CLOEXEC, 0, 0, 0);
	if (fd < 0) {
		pr_debug("Task %d: shared memory '%s' did not open", t->pid, path);
		return fd;
	}
	r = infect_call(inf, "map shared memory", NR_mmap, v->start, v->end - v->start, v->prot,
			flags, fd, v->pgoff);
	infect_call(inf, "close shared memory", NR_close, fd, 0, 0, 0, 0, 0);
	if (r >= 0 && (unsigned long)r != v->start)
		return log_err(-EFAULT, "Task %d: shared VMA %#llx mapped at %#lx", t->pid,
			       (unsigned long long)v->start, r);
	return r < 0 ? r : 0;
}
