// SPDX-License-Identifier: GPL-2.0-only
/*
 * SysV shm segments attached by dumped tasks: the dump of a segment of the
 * host's ipc namespace (vzcr-sysv-shm-SHMID.img), its restore (reuse, or
 * make it again with its id), and the shmat inside each restored task.
 * sysv_shm.h says which namespace provides a segment when.
 */
#define LOG_PREFIX "sysv-shm: "
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <asm/syscall-nr.h>

#include "image.h"
#include "ipc-shm.pb-c.h"
#include "log.h"
#include "ns_ipc.h"
#include "ns_util.h"
#include "restore.h"
#include "sysv_shm.h"

#define PAGE_SZ		4096UL
#define PAGE_UP(x)	(((x) + PAGE_SZ - 1) & ~(PAGE_SZ - 1))

/* 1: task @pid is in the tool's ipc namespace, 0: not, or -errno. */
static int in_host_ipc_ns(pid_t pid)
{
	struct stat mine, its;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", pid);
	if (stat("/proc/self/ns/ipc", &mine) < 0 || stat(path, &its) < 0)
		return log_perr(-errno, "Failed to stat the ipc namespace of task %d", pid);
	return mine.st_dev == its.st_dev && mine.st_ino == its.st_ino;
}

/* Attributes and contents of segment @shmid (its VMA named @name). */
static int dump_segment(int dfd, int shmid, const char *name)
{
	IpcShmEntry e = IPC_SHM_ENTRY__INIT;
	IpcDescEntry d = IPC_DESC_ENTRY__INIT;
	static const char zero[4];
	struct shmid_ds ds;
	struct img *img;
	unsigned int key;
	void *p;
	int ret;

	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return log_perr(-errno, "Failed to read SysV shm id %d ('%s')", shmid, name);
	d.key = (uint32_t)ds.shm_perm.__key;
	/* removed: the key reads 0 now, the name keeps the one it was made with */
	if ((ds.shm_perm.mode & SHM_DEST) && sscanf(name, "/SYSV%8x", &key) == 1)
		d.key = key;
	d.uid = ds.shm_perm.uid;
	d.gid = ds.shm_perm.gid;
	d.cuid = ds.shm_perm.cuid;
	d.cgid = ds.shm_perm.cgid;
	d.mode = ds.shm_perm.mode;
	d.id = (uint32_t)shmid;
	e.desc = &d;
	e.size = ds.shm_segsz;
	/* Linux lets a removed segment be attached by id while it is in use */
	p = shmat(shmid, NULL, SHM_RDONLY);
	if (p == (void *)-1)
		return log_perr(-errno, "Failed to attach SysV shm id %d ('%s')", shmid, name);
	img = img_open(dfd, IMG_VZCR_SYSV_SHM, O_WRONLY, shmid);
	ret = img ? img_write(img, &e) : -errno;
	if (!ret)
		ret = img_write_raw(img, p, e.size);
	if (!ret && (e.size & 3))
		ret = img_write_raw(img, zero, 4 - (e.size & 3));
	shmdt(p);
	if (img && ret)
		img_abort(img);
	else if (img)
		ret = img_close(img);
	return ret;
}

int sysv_shm_dump_vma(int dfd, pid_t pid, const struct vma_area *v)
{
	char path[96];
	struct stat st;
	int ret;

	if (v->ino > INT_MAX)
		return log_err(-EINVAL, "Task %d: SysV shm mapping %#lx-%#lx has id %llu, not an id",
			       pid, (unsigned long)v->start, (unsigned long)v->end,
			       (unsigned long long)v->ino);
	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", pid, (unsigned long)v->start,
		 (unsigned long)v->end);
	if (stat(path, &st) < 0)
		return log_perr(-errno, "Failed to stat '%s'", path);
	/* one shmat maps a whole segment: a VMA of a part cannot be made alone */
	if (v->pgoff || v->end - v->start != PAGE_UP((uint64_t)st.st_size))
		return log_err(-EOPNOTSUPP,
			       "Task %d: mapping %#lx-%#lx of SysV shm id %llu ('%s'): part of the segment (offset %llu of %lld bytes), not supported",
			       pid, (unsigned long)v->start, (unsigned long)v->end,
			       (unsigned long long)v->ino, v->path, (unsigned long long)v->pgoff,
			       (long long)st.st_size);
	ret = in_host_ipc_ns(pid);
	if (ret <= 0)
		return ret;	/* a namespace of its own: the ipc ns dump has it */
	if (img_exists(dfd, IMG_VZCR_SYSV_SHM, v->ino))
		return 0;	/* another VMA of the tree dumped it */
	return dump_segment(dfd, (int)v->ino, v->path);
}

/* Fill new segment @shmid from @img, then its owner and mode. */
static int fill_segment(struct img *img, int shmid, const IpcShmEntry *e)
{
	struct shmid_ds ds;
	char pad[4];
	void *p = shmat(shmid, NULL, 0);
	int ret;

	if (p == (void *)-1)
		return log_perr(-errno, "Failed to attach the new SysV shm id %d", shmid);
	ret = img_read_raw(img, p, e->size);
	if (!ret && (e->size & 3))
		ret = img_read_raw(img, pad, 4 - (e->size & 3));
	shmdt(p);
	if (ret)
		return ret;
	memset(&ds, 0, sizeof(ds));
	ds.shm_perm.uid = e->desc->uid;
	ds.shm_perm.gid = e->desc->gid;
	ds.shm_perm.mode = e->desc->mode & 0777;
	if (shmctl(shmid, IPC_SET, &ds) < 0)
		return log_perr(-errno, "Failed to set the owner and mode of SysV shm id %d", shmid);
	if ((e->desc->mode & SHM_LOCKED) && shmctl(shmid, SHM_LOCK, NULL) < 0)
		return log_perr(-errno, "Failed to lock SysV shm id %d", shmid);
	return 0;
}

/* Make segment @e again with its id in the tool's (the host's) ipc ns. */
static int make_segment(struct img *img, const IpcShmEntry *e)
{
	const IpcDescEntry *d = e->desc;
	int ret, shmid;

	ret = ns_sysctl_set_u64("kernel/shm_next_id", d->id);
	if (ret)
		return ret;
	shmid = shmget((key_t)d->key, e->size, IPC_CREAT | IPC_EXCL | (d->mode & 0777));
	if (shmid < 0)
		return log_perr(-errno, "Failed to create SysV shm id %u key 0x%x of %llu bytes",
				d->id, d->key, (unsigned long long)e->size);
	if ((uint32_t)shmid != d->id) {
		shmctl(shmid, IPC_RMID, NULL);
		return log_err(-EEXIST, "Failed to create SysV shm id %u key 0x%x: got id %d",
			       d->id, d->key, shmid);
	}
	ret = fill_segment(img, shmid, e);
	if (ret)
		shmctl(shmid, IPC_RMID, NULL);
	else
		pr_debug("SysV shm id %d key 0x%x made again", shmid, d->key);
	return ret;
}

/*
 * The segment of @e, existing or made again; a wrong entry or an id held
 * by another segment is refused.
 */
static int get_segment(struct img *img, const IpcShmEntry *e, uint64_t shmid, uint64_t len)
{
	const IpcDescEntry *d = e->desc;
	bool dest = d->mode & SHM_DEST;
	struct shmid_ds ds;
	key_t key;

	if (d->id != shmid || PAGE_UP(e->size) != len || !e->size)
		return log_err(-EINVAL, "Failed to read '%s': id %u, size %llu for a VMA of SysV shm id %llu of %llu bytes",
			       img_path(img), d->id, (unsigned long long)e->size,
			       (unsigned long long)shmid, (unsigned long long)len);
	if (shmctl((int)shmid, IPC_STAT, &ds) < 0) {
		if (errno != EINVAL && errno != EIDRM)
			return log_perr(-errno, "Failed to read SysV shm id %llu",
					(unsigned long long)shmid);
		return make_segment(img, e);
	}
	/*
	 * Removed: our copy has the key IPC_PRIVATE once a task attached it
	 * (or its key still, left by a restore that failed before that)
	 */
	key = ds.shm_perm.__key;
	if ((key != (key_t)d->key && !(dest && key == IPC_PRIVATE)) || ds.shm_segsz != e->size)
		return log_err(-EEXIST, "Failed to restore SysV shm id %llu key 0x%x of %llu bytes: the id is taken by a segment with key 0x%x of %zu bytes",
			       (unsigned long long)shmid, d->key, (unsigned long long)e->size,
			       (unsigned int)ds.shm_perm.__key, (size_t)ds.shm_segsz);
	pr_debug("SysV shm id %llu exists: reused", (unsigned long long)shmid);
	return 0;
}

/*
 * Segment @shmid of the task's own ipc namespace (a CT's), which its
 * restore made before the tasks: *rmid if it was dumped removed, unless
 * the VMA of another task removed it again already.
 */
static int ns_segment(struct rst_ctx *c, int shmid, bool *rmid)
{
	struct shmid_ds ds;
	int ret;

	if (shmctl(shmid, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_DEST))
		return 0;
	ret = ipc_shm_removed(c->dfd, (uint32_t)shmid);
	*rmid = ret > 0;
	return ret < 0 ? ret : 0;
}

/*
 * Segment @shmid ready in the tool's ipc ns if the dump saved it; *rmid
 * says it must be removed once attached.
 */
static int prepare_segment(struct rst_ctx *c, uint64_t shmid, uint64_t len, bool *rmid)
{
	IpcShmEntry *e = NULL;
	struct img *img;
	int ret;

	*rmid = false;
	if (shmid > INT_MAX)
		return log_err(-EINVAL, "mm image: SysV shm id %llu out of range",
			       (unsigned long long)shmid);
	if (!img_exists(c->dfd, IMG_VZCR_SYSV_SHM, shmid))
		return ns_segment(c, (int)shmid, rmid);
	img = img_open(c->dfd, IMG_VZCR_SYSV_SHM, O_RDONLY, shmid);
	if (!img)
		return -errno;
	ret = img_read(img, (void **)&e);
	if (ret == 0)
		ret = log_err(-ENODATA, "Failed to read '%s': no entry", img_path(img));
	if (ret > 0 && !e->desc)
		ret = log_err(-EINVAL, "Failed to read '%s': no desc", img_path(img));
	if (ret > 0) {
		ret = get_segment(img, e, shmid, len);
		*rmid = e->desc->mode & SHM_DEST;
	}
	if (e)
		img_free_entry(e);
	img_close(img);
	return ret;
}

int sysv_shm_restore_vma(struct rst_ctx *c, struct rst_task *t, size_t i)
{
	const VmaEntry *v = t->mm->vmas[i];
	unsigned long flags = (v->prot & PROT_WRITE ? 0 : SHM_RDONLY) |
			      (v->prot & PROT_EXEC ? SHM_EXEC : 0);
	unsigned long prot = PROT_READ | (v->prot & PROT_WRITE) | (v->prot & PROT_EXEC);
	bool rmid;
	long r;

	r = prepare_segment(c, v->shmid, v->end - v->start, &rmid);
	if (r < 0)
		return r;
	r = infect_call(&t->inf, "attach a SysV shm segment", NR_shmat, v->shmid, v->start, flags,
			0, 0, 0);
	if (r < 0) {
		pr_debug("Task %d: SysV shm id %llu at %#llx", t->pid,
			 (unsigned long long)v->shmid, (unsigned long long)v->start);
		return r;
	}
	if ((unsigned long)r != v->start)
		return log_err(-EFAULT, "Task %d: SysV shm id %llu attached at %#lx, not %#llx",
			       t->pid, (unsigned long long)v->shmid, r,
			       (unsigned long long)v->start);
	/* PROT_NONE or write-only after an mprotect */
	if (prot != v->prot) {
		r = infect_call(&t->inf, "protect a SysV shm VMA", NR_mprotect, v->start,
				v->end - v->start, v->prot, 0, 0, 0);
		if (r < 0)
			return r;
	}
	if (rmid && shmctl((int)v->shmid, IPC_RMID, NULL) < 0)
		return log_perr(-errno, "Failed to remove SysV shm id %llu again",
				(unsigned long long)v->shmid);
	return 0;
}
