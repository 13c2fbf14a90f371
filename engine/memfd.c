// SPDX-License-Identifier: GPL-2.0-only
/*
 * memfd: each open file (flags, offset) refers to its inode, dumped once:
 * name, owner, size, seals, and the contents (zero pages left out) the way
 * shared memory is. The tool makes the inode again (memfd_create, contents,
 * seals last) and opens every file of it from the first one through
 * /proc/self/fd, so fds, tasks and MAP_SHARED mappings share it as before.
 */
#define LOG_PREFIX "memfd: "
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "dump.h"
#include "fdkinds.h"
#include "log.h"
#include "mem_dump.h"
#include "memfd.h"
#include "memfd.pb-c.h"
#include "page_xfer.h"
#include "pagemap.pb-c.h"
#include "restore.h"
#include "xmalloc.h"

#define PAGE_SZ		4096UL
#define CHUNK		(4UL << 20)
#define NAME_PREFIX	"/memfd:"

/* The contents of @fd ( @size bytes) to pagemap-shmem-@shmid.img. */
static int dump_contents(struct dump_ctx *c, int fd, uint64_t size, uint32_t shmid)
{
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	struct page_xfer x;
	uint64_t off, i;
	ssize_t n;
	int err;

	if (!buf)
		return -ENOMEM;
	err = page_xfer_open_type(&x, c->dfd, IMG_SHMEM_PAGEMAP, shmid, ++c->next_pages_id);
	for (off = 0; !err && off < size; off += n) {
		n = pread(fd, buf, CHUNK, off);
		if (n <= 0) {
			err = log_perr(n < 0 ? -errno : -EIO, "Failed to read memfd %u at %llu", shmid,
				       (unsigned long long)off);
			break;
		}
		/* the last page may be partial: the rest of it reads as zeros */
		memset(buf + n, 0, (PAGE_SZ - n % PAGE_SZ) % PAGE_SZ);
		n = (n + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
		for (i = 0; !err && i < (uint64_t)n; i += PAGE_SZ)
			if (!mem_page_is_zero(buf + i))
				err = page_xfer_add(&x, off + i, buf + i, 1);
		err = err ?: page_xfer_flush(&x);
	}
	if (err) {
		page_xfer_abort(&x);
		return err;
	}
	return page_xfer_close(&x);
}

/* The inode entry of the memfd @fd holds; NULL (logged) on failure. */
static MemfdInodeEntry *inode_entry(int fd, uint64_t ino)
{
	MemfdInodeEntry *m = xmalloc(sizeof(*m));
	char proc[64], link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int seals;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, link, sizeof(link) - 1);
	seals = fcntl(fd, F_GET_SEALS);
	if (!m || n < 0 || fstat(fd, &st) < 0 || seals < 0) {
		free(m);
		log_perr(-errno, "Failed to read the state of memfd %llu", (unsigned long long)ino);
		return NULL;
	}
	link[n] = '\0';
	if (n > 10 && !strcmp(link + n - 10, " (deleted)"))
		link[n - 10] = '\0';
	memfd_inode_entry__init(m);
	m->name = xstrdup(strncmp(link, NAME_PREFIX, 7) ? link : link + 7);
	m->uid = st.st_uid;
	m->gid = st.st_gid;
	m->size = st.st_size;
	m->shmid = m->inode_id = ino;
	m->seals = seals;
	if (!m->name) {
		free(m);
		return NULL;
	}
	return m;
}

/* memfd.img again, with every inode of the table and @d's; 0 or -errno. */
static int write_inodes(struct file_table *t, struct file_desc *d, int dfd)
{
	struct img *img = img_open(dfd, IMG_MEMFD_INODE, O_WRONLY, 0);
	size_t i, j;
	int err = 0;

	if (!img)
		return -errno;
	for (i = 0; i <= t->n && !err; i++) {
		struct file_desc *o = i < t->n ? &t->v[i] : d;
		MemfdInodeEntry *m;

		if (!o->fe || o->fe->type != FD_TYPES__MEMFD)
			continue;
		for (j = 0; j < i && j < t->n; j++)
			if (t->v[j].fe && t->v[j].fe->type == FD_TYPES__MEMFD &&
			    t->v[j].fe->memfd->inode_id == o->fe->memfd->inode_id)
				break;
		if (j < i && j < t->n)
			continue;	/* once an inode */
		m = inode_entry(o->local_fd, o->fe->memfd->inode_id);
		err = m ? img_write(img, m) : -EIO;
		if (m)
			memfd_inode_entry__free_unpacked(m, NULL);
	}
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
}

/* An earlier file of the same inode, or NULL. */
static bool inode_known(struct file_table *t, const struct file_desc *d)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].fe && t->v[i].fe->type == FD_TYPES__MEMFD && t->v[i].dev == d->dev &&
		    t->v[i].ino == d->ino)
			return true;
	return false;
}

static unsigned long long fdinfo_pos(int fd)
{
	_cleanup_free_ char *buf = NULL;
	const char *p;

	if (fdinfo_read(fd, &buf))
		return 0;
	p = strstr(buf, "pos:");
	return p ? strtoull(p + 4, NULL, 10) : 0;
}

static int memfd_make(struct file_desc *d, void *arg)
{
	struct fd_src *s = arg;
	MemfdFileEntry *e = xmalloc(sizeof(*e));
	struct statfs sfs;

	d->fe = file_entry_new(FD_TYPES__MEMFD, d->id);
	if (!e || !d->fe) {
		free(e);
		return -ENOMEM;
	}
	memfd_file_entry__init(e);
	d->fe->memfd = e;
	e->id = d->id;
	e->flags = s->flags & ~O_CLOEXEC;
	e->pos = fdinfo_pos(d->local_fd);
	e->fown = fown_new();
	if (!e->fown)
		return -ENOMEM;
	if (d->ino > UINT32_MAX)
		return log_err(-EOVERFLOW, "Task %d: memfd '%s' has inode %llu, too big for an image name",
			       s->pid, s->link, (unsigned long long)d->ino);
	e->inode_id = d->ino;
	/* the table holds every earlier file: is this inode new? */
	if (inode_known(&s->c->files, d))
		return 0;
	/* hugetlbfs has no write(): its contents could not be put back */
	if (!fstatfs(d->local_fd, &sfs) && sfs.f_type == HUGETLBFS_MAGIC)
		return log_err(-EOPNOTSUPP, "Failed to dump task %d %s: '%s' is a hugetlb memfd: not supported",
			       s->pid, s->fd >= 0 ? "fd" : "mapping", s->link);
	return dump_contents(s->c, d->local_fd, s->st->st_size, e->inode_id) ?:
	       write_inodes(&s->c->files, d, s->c->dfd);
}

int memfd_dump_map(struct dump_ctx *c, pid_t pid, const struct vma_area *v)
{
	bool rw = (v->flags & MAP_SHARED) && (v->prot & PROT_WRITE);
	struct fd_src s = { .pid = pid, .fd = -1, .flags = rw ? O_RDWR : O_RDONLY, .c = c };
	char path[96];
	struct stat st;
	size_t i;
	int fd, seals;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", pid, (unsigned long)v->start,
		 (unsigned long)v->end);
	fd = open(path, s.flags | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int err = log_perr(-errno, "Failed to open '%s'", path);

		if (fd >= 0)
			close(fd);
		return err;
	}
	/* the restore maps after it sealed: a seal that forbids new writable mappings bites */
	seals = fcntl(fd, F_GET_SEALS);
	if (rw && seals > 0 && (seals & F_SEAL_FUTURE_WRITE)) {
		close(fd);
		return log_err(-EOPNOTSUPP, "Task %d: mapping %#lx-%#lx of memfd '%s' is writable under F_SEAL_FUTURE_WRITE: not supported",
			       pid, (unsigned long)v->start, (unsigned long)v->end, v->path);
	}
	/* a file of this inode with this access serves any number of mappings */
	for (i = 0; i < c->files.n; i++) {
		const struct file_desc *d = &c->files.v[i];

		if (d->fe && d->fe->type == FD_TYPES__MEMFD && d->dev == st.st_dev &&
		    d->ino == st.st_ino && (d->fe->memfd->flags & O_ACCMODE) == s.flags) {
			close(fd);
			return d->id;
		}
	}
	s.link = v->path;
	s.st = &st;
	return file_table_add(&c->files, fd, memfd_make, &s);
}

static bool memfd_has(const FileEntry *fe)
{
	return fe->memfd;
}

/* memfd.img's entry for inode @id; NULL (logged) if none. */
static MemfdInodeEntry *find_inode(struct rst_ctx *c, uint32_t id)
{
	struct img *img = img_open(c->dfd, IMG_MEMFD_INODE, O_RDONLY, 0);
	MemfdInodeEntry *m = NULL;
	int ret;

	if (!img)
		return NULL;
	while ((ret = img_read(img, (void **)&m)) > 0 && m->inode_id != id) {
		img_free_entry(m);
		m = NULL;
	}
	img_close(img);
	if (!m && ret >= 0)
		log_err(-ENOENT, "memfd.img has no inode %u", id);
	return m;
}

/* pagemap-shmem-SHMID.img and its pages into @fd (@m->size bytes); > 0 or -errno. */
static int fill(struct rst_ctx *c, int fd, const MemfdInodeEntry *m)
{
	struct img *img = img_open(c->dfd, IMG_SHMEM_PAGEMAP, O_RDONLY, m->shmid);
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	_cleanup_close_ int pfd = -EBADF;
	PagemapHead *h = NULL;
	PagemapEntry *pe;
	uint64_t off = 0, k, n;
	char name[64];
	int ret;

	if (!img || !buf)
		return img ? (img_close(img), -ENOMEM) : -errno;
	ret = img_read(img, (void **)&h);
	if (ret > 0) {
		snprintf(name, sizeof(name), "pages-%u.img", h->pages_id);
		img_free_entry(h);
		pfd = openat(c->dfd, name, O_RDONLY | O_CLOEXEC);
		if (pfd < 0)
			ret = log_perr(-errno, "Failed to open '%s'", name);
	} else if (!ret) {
		ret = log_err(-ENODATA, "pagemap-shmem-%u.img: no head", m->shmid);
	}
	while (ret > 0 && (ret = img_read(img, (void **)&pe)) > 0) {
		if (!pe->has_flags || !(pe->flags & PE_PRESENT) || pe->vaddr % PAGE_SZ ||
		    pe->vaddr + (uint64_t)pe->nr_pages * PAGE_SZ > ((m->size + PAGE_SZ - 1) & ~(PAGE_SZ - 1)))
			ret = log_err(-EINVAL, "pagemap-shmem-%u.img: bad entry %#llx + %u pages for a memfd of %llu bytes",
				      m->shmid, (unsigned long long)pe->vaddr, pe->nr_pages,
				      (unsigned long long)m->size);
		for (k = 0; ret > 0 && k < pe->nr_pages; k += n, off += n * PAGE_SZ) {
			uint64_t at = pe->vaddr + k * PAGE_SZ;
			size_t len;

			n = pe->nr_pages - k < CHUNK / PAGE_SZ ? pe->nr_pages - k : CHUNK / PAGE_SZ;
			/* the last page of the memfd may be partial */
			len = m->size - at < n * PAGE_SZ ? m->size - at : n * PAGE_SZ;
			errno = 0;
			if (pread(pfd, buf, n * PAGE_SZ, off) != (ssize_t)(n * PAGE_SZ) ||
			    pwrite(fd, buf, len, at) != (ssize_t)len)
				ret = log_perr(errno ? -errno : -EIO, "Failed to copy pages %#llx+%llu of memfd %u",
					       (unsigned long long)at, (unsigned long long)n, m->shmid);
		}
		img_free_entry(pe);
	}
	img_close(img);
	return ret;
}

/* A new memfd with the inode's name, owner, contents and seals; fd or -errno. */
static int make_inode(struct rst_ctx *c, const MemfdInodeEntry *m)
{
	_cleanup_close_ int fd = -EBADF;
	int err;

	fd = memfd_create(m->name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return log_perr(-errno, "Failed to create memfd '%s'", m->name);
	if (ftruncate(fd, m->size) < 0)
		return log_perr(-errno, "Failed to size memfd '%s' to %llu", m->name,
				(unsigned long long)m->size);
	err = fill(c, fd, m);
	if (err)
		return err;
	if (fchown(fd, m->uid, m->gid) < 0)
		return log_perr(-errno, "Failed to give memfd '%s' to %u:%u", m->name, m->uid, m->gid);
	/* seals last: F_SEAL_WRITE would stop the fill */
	if (m->seals && fcntl(fd, F_ADD_SEALS, m->seals) < 0)
		return log_perr(-errno, "Failed to seal memfd '%s' with %#x", m->name, m->seals);
	return TAKE_FD(fd);
}

/* The tool's fd of a file of inode @id opened already, or -1. */
static int opened_inode(struct rst_ctx *c, uint32_t id)
{
	int i;

	for (i = 0; i < c->nr_files; i++)
		if (c->files[i].fd >= 0 && c->files[i].fe->type == FD_TYPES__MEMFD &&
		    c->files[i].fe->memfd->inode_id == id)
			return c->files[i].fd;
	return -1;
}

static int memfd_open(struct rst_ctx *c, struct rst_file *f)
{
	const MemfdFileEntry *e = f->fe->memfd;
	_cleanup_close_ int made = -EBADF;
	int from = opened_inode(c, e->inode_id), fd, err;
	char proc[64];

	if (from < 0) {
		MemfdInodeEntry *m = find_inode(c, e->inode_id);

		if (!m)
			return -ENOENT;
		made = from = make_inode(c, m);
		img_free_entry(m);
		if (from < 0)
			return from;
	}
	/* a description of its own with the file's access mode, on the same inode */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", from);
	fd = open(proc, (e->flags & O_ACCMODE) | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open memfd file %u", e->id);
	err = fd_set_status(fd, e->flags, "memfd", e->id);
	if (!err && e->pos && lseek(fd, e->pos, SEEK_SET) < 0)
		err = log_perr(-errno, "Failed to seek memfd file %u to %llu", e->id,
			       (unsigned long long)e->pos);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

const struct fd_kind fd_kind_memfd = {
	.type = FD_TYPES__MEMFD,
	.name = "memfd",
	.make = memfd_make,
	.has_payload = memfd_has,
	.open = memfd_open,
};
