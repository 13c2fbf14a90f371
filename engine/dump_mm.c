// SPDX-License-Identifier: GPL-2.0-only
/* mm-PID.img (layout, VMAs, auxv, exe) and the pages of a task. */
#define LOG_PREFIX "dump: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "dump.h"
#include "io.h"
#include "log.h"
#include "monotime.h"
#include "mem_dump.h"
#include "mm.pb-c.h"
#include "shmem.h"
#include "vdso.h"
#include "memfd.h"
#include "sysv_shm.h"
#include "vma_name.h"
#include "xmalloc.h"

struct map_file_arg {
	const char *path;
	unsigned int flags;
	const struct stat *st;
};

static int make_map_file(struct file_desc *d, void *arg)
{
	struct map_file_arg *a = arg;
	FileEntry *fe = xmalloc(sizeof(*fe));
	RegFileEntry *r = xmalloc(sizeof(*r));
	FownEntry *o = xmalloc(sizeof(*o));

	if (!fe || !r || !o || !(r->name = xstrdup(a->path))) {
		free(fe);
		free(r);
		free(o);
		return -ENOMEM;
	}
	file_entry__init(fe);
	fown_entry__init(o);
	{
		char *name = r->name;

		reg_file_entry__init(r);
		r->name = name;
	}
	fe->type = FD_TYPES__REG;
	fe->id = r->id = d->id;
	fe->reg = r;
	r->flags = a->flags;
	r->fown = o;
	r->has_size = true;
	r->size = a->st->st_size;
	r->has_mode = true;
	r->mode = a->st->st_mode;
	d->fe = fe;
	return 0;
}

/* A file entry for what @proc_path (map_files/..., exe) points at; id or -errno. */
/* A file entry of the same inode and access mode serves any number of mappings. */
static int find_map_file(struct dump_ctx *c, const struct stat *st, unsigned int flags)
{
	size_t i;

	for (i = 0; i < c->files.n; i++) {
		const struct file_desc *d = &c->files.v[i];

		if (d->dev == st->st_dev && d->ino == st->st_ino && d->fe &&
		    d->fe->type == FD_TYPES__REG && d->fe->reg &&
		    (d->fe->reg->flags & O_ACCMODE) == (flags & O_ACCMODE))
			return d->id;
	}
	return 0;
}

static int map_file_id(struct dump_ctx *c, const char *proc_path, const char *name,
		       unsigned int flags)
{
	struct stat st;
	struct map_file_arg a = { name, flags, &st };
	int fd, id;

	if (stat(proc_path, &st) < 0)
		return log_perr(-errno, "Failed to stat '%s'", proc_path);
	id = find_map_file(c, &st, flags);
	if (id)
		return id;
	fd = open(proc_path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s'", proc_path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return log_perr(-errno, "Failed to stat '%s'", proc_path);
	}
	return file_table_get(&c->files, fd, make_map_file, &a);
}

static int vma_entry(struct dump_ctx *c, pid_t pid, const struct vma_area *v, VmaEntry *e)
{
	char path[96];
	int id;

	vma_entry__init(e);
	e->start = v->start;
	e->end = v->end;
	e->pgoff = v->pgoff;
	e->prot = v->prot;
	e->flags = v->flags;
	e->status = v->status;
	e->fd = -1;
	e->has_madv = v->madv != 0;
	e->madv = v->madv;
	if (v->status & VMA_UNSUPP)
		return log_err(-EOPNOTSUPP, "Task %d: mapping %#lx-%#lx '%s': %s, not supported",
			       pid, (unsigned long)v->start, (unsigned long)v->end,
			       v->path ? v->path : "", v->why_unsupp);
	if (v->status & VMA_AREA_SYSVIPC) {
		e->shmid = v->ino;	/* the shm file's inode number is the shmid */
		return sysv_shm_dump_vma(c->dfd, pid, v);
	}
	if (v->status & VMA_AREA_MEMFD) {
		id = memfd_dump_map(c, pid, v);
		e->shmid = id;
		return id < 0 ? id : 0;
	}
	if (v->status & VMA_ANON_SHARED) {
		e->shmid = v->ino;
		return shmem_dump(c->dfd, &c->next_pages_id, pid, v);
	}
	if ((v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)) && v->deleted)
		return log_err(-EOPNOTSUPP,
			       "Task %d: mapping %#lx-%#lx of the unlinked file '%s': not supported yet",
			       pid, (unsigned long)v->start, (unsigned long)v->end, v->path);
	if (!(v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", pid, (unsigned long)v->start,
		 (unsigned long)v->end);
	id = map_file_id(c, path, v->path,
			 (v->flags & MAP_SHARED) && (v->prot & PROT_WRITE) ? O_RDWR : O_RDONLY);
	if (id < 0)
		return id;
	e->shmid = id;
	return 0;
}

static int read_auxv(pid_t pid, MmEntry *mm)
{
	_cleanup_free_ char *buf = NULL;
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	n = read_file_at(AT_FDCWD, path, 4096, &buf);
	if (n < 0)
		return log_perr(n, "Failed to read '%s'", path);
	mm->n_mm_saved_auxv = n / sizeof(uint64_t);
	mm->mm_saved_auxv = xmalloc(n + 1);
	if (!mm->mm_saved_auxv)
		return -ENOMEM;
	memcpy(mm->mm_saved_auxv, buf, n);
	return 0;
}

static int fill_mm(struct dump_ctx *c, struct task_dump *td, MmEntry *mm)
{
	const struct proc_stat *s = &td->stat;
	char path[64];
	size_t i;
	int err, id;
	long brk, dumpable;

	mm->mm_start_code = s->start_code;
	mm->mm_end_code = s->end_code;
	mm->mm_start_data = s->start_data;
	mm->mm_end_data = s->end_data;
	mm->mm_start_stack = s->start_stack;
	mm->mm_start_brk = s->start_brk;
	mm->mm_arg_start = s->arg_start;
	mm->mm_arg_end = s->arg_end;
	mm->mm_env_start = s->env_start;
	mm->mm_env_end = s->env_end;
	brk = infect_call(&td->inf, "read brk", NR_brk, 0, 0, 0, 0, 0, 0);
	dumpable = infect_call(&td->inf, "read dumpable", NR_prctl, 3 /* PR_GET_DUMPABLE */, 0, 0,
			       0, 0, 0);
	if (brk < 0 || dumpable < 0)
		return brk < 0 ? brk : dumpable;
	mm->mm_brk = brk;
	mm->has_dumpable = true;
	mm->dumpable = dumpable;
	err = infect_call(&td->inf, "read the THP-disable flag", NR_prctl, PR_GET_THP_DISABLE, 0,
			  0, 0, 0, 0);
	if (err < 0)
		return err;
	mm->has_thp_disabled = true;
	mm->thp_disabled = err;
	snprintf(path, sizeof(path), "/proc/%d/exe", td->it->pid);
	{
		char exe[4096];
		ssize_t n = readlink(path, exe, sizeof(exe) - 1);

		if (n < 0)
			return log_perr(-errno, "Failed to read link '%s'", path);
		exe[n] = '\0';
		id = map_file_id(c, path, exe, O_RDONLY);
	}
	if (id < 0)
		return id;
	mm->exe_file_id = id;
	err = read_auxv(td->it->pid, mm);
	if (err)
		return err;
	mm->vmas = xzalloc(td->vmas.n * sizeof(*mm->vmas));
	if (!mm->vmas)
		return -ENOMEM;
	for (i = 0; i < td->vmas.n; i++) {
		mm->vmas[i] = xmalloc(sizeof(VmaEntry));
		if (!mm->vmas[i])
			return -ENOMEM;
		mm->n_vmas++;
		err = vma_entry(c, td->it->pid, &td->vmas.v[i], mm->vmas[i]);
		if (err)
			return err;
	}
	return 0;
}

static int dump_pages(struct dump_ctx *c, struct task_dump *td)
{
	struct mem_dump_stats ms = {};
	struct mem_guards guards = {};
	struct page_xfer x;
	uint64_t t0 = now_us();
	int err;

	err = page_xfer_open(&x, c->dfd, td->it->vpid, ++c->next_pages_id);
	if (err)
		return err;
	err = mem_dump_task(td->it->pid, &td->vmas, &x, &ms, &guards);
	if (!err)
		err = mem_guards_write(c->dfd, td->it->vpid, &guards);
	mem_guards_free(&guards);
	if (err) {
		page_xfer_abort(&x);
		return err;
	}
	err = page_xfer_close(&x);
	c->stats.pages_scanned += ms.pages_scanned;
	c->stats.pages_written += ms.pages_written;
	c->stats.pages_zero += ms.pages_zero;
	c->stats.memdump_us += now_us() - t0;
	return err;
}

int dump_task_mm(struct dump_ctx *c, struct task_dump *td)
{
	MmEntry *mm = xmalloc(sizeof(*mm));
	struct img *img;
	int err;

	if (!mm)
		return -ENOMEM;
	mm_entry__init(mm);
	err = fill_mm(c, td, mm);
	if (err)
		goto out;
	img = img_open(c->dfd, IMG_MM, O_WRONLY, td->it->vpid);
	if (!img) {
		err = -errno;
		goto out;
	}
	err = img_write(img, mm);
	if (err)
		img_abort(img);
	else
		err = img_close(img);
	if (!err)
		err = vma_names_dump(c->dfd, td->it->vpid, &td->vmas) ?:
		      vdso_dump(c->dfd, td->it->pid, td->it->vpid, &td->vmas) ?: dump_pages(c, td);
out:
	mm_entry__free_unpacked(mm, NULL);
	return err;
}
