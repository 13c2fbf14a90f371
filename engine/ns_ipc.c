// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ipc namespace: its sysctls (ipcns-var), SysV shared memory segments
 * with their contents (ipcns-shm); semaphores and message queues are in
 * ns_ipc_msg.c, POSIX message queues in ns_mqueue.c. Dumped by a helper
 * inside the target's ipc namespace, which is what the SysV calls and the
 * ipc sysctls of /proc/sys look at.
 *
 * Restore creates each object with its dumped id (KIND_next_id) and key.
 * Limits are first raised (objects bigger than the namespace's limits may
 * exist: made before a limit was lowered), and the dumped sysctls written
 * last. A shm segment removed while attached is made like the others: the
 * engine removes it again once a task attached it (sysv_shm.c).
 */
#define LOG_PREFIX "ns-ipc: "
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "cleanup.h"
#include "image.h"
#include "ipc-shm.pb-c.h"
#include "ipc-var.pb-c.h"
#include "log.h"
#include "nsimg.h"
#include "ns_ipc.h"
#include "ns_util.h"

void ipc_desc_fill(IpcDescEntry *d, const struct ipc_perm *p, int id)
{
	d->key = (uint32_t)p->__key;
	d->uid = p->uid;
	d->gid = p->gid;
	d->cuid = p->cuid;
	d->cgid = p->cgid;
	d->mode = p->mode;
	d->id = (uint32_t)id;
}

int ipc_set_next_id(const char *kind, uint32_t id)
{
	char knob[32];

	snprintf(knob, sizeof(knob), "kernel/%s_next_id", kind);
	return ns_sysctl_set_u64(knob, id);
}

int ipc_check_id(const char *kind, const IpcDescEntry *d, int got)
{
	if (got < 0)
		return log_perr(-errno, "Failed to create %s id %u key 0x%x", kind, d->id, d->key);
	if ((uint32_t)got != d->id)
		return log_err(-EEXIST, "Failed to create %s id %u key 0x%x: got id %d", kind,
			       d->id, d->key, got);
	return 0;
}

/* The sysctls: kernel.{sem,msg*,shm*,auto_msgmni}, fs.mqueue.* */
static const struct ipc_knob {
	const char *path;
	size_t off;		/* of the uint32/uint64 in IpcVarEntry */
	bool wide;
} knobs[] = {
#define K(p, f, w) { p, offsetof(IpcVarEntry, f), w }
	K("kernel/msgmax", msg_ctlmax, false),
	K("kernel/msgmnb", msg_ctlmnb, false),
	K("kernel/msgmni", msg_ctlmni, false),
	K("kernel/shmmax", shm_ctlmax, true),
	K("kernel/shmall", shm_ctlall, true),
	K("kernel/shmmni", shm_ctlmni, false),
	K("kernel/shm_rmid_forced", shm_rmid_forced, false),
	K("fs/mqueue/queues_max", mq_queues_max, false),
	K("fs/mqueue/msg_max", mq_msg_max, false),
	K("fs/mqueue/msgsize_max", mq_msgsize_max, false),
	K("fs/mqueue/msg_default", mq_msg_default, false),
	K("fs/mqueue/msgsize_default", mq_msgsize_default, false),
#undef K
};

static int dump_var(int dfd, uint32_t id)
{
	IpcVarEntry e = IPC_VAR_ENTRY__INIT;
	uint32_t sem[4];
	char buf[128];
	uint64_t v;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		ret = ns_sysctl_get_u64(knobs[i].path, &v);
		if (ret < 0)
			return ret;
		if (knobs[i].wide)
			*(uint64_t *)((char *)&e + knobs[i].off) = v;
		else
			*(uint32_t *)((char *)&e + knobs[i].off) = (uint32_t)v;
	}
	e.has_mq_msg_default = e.has_mq_msgsize_default = true;
	ret = ns_sysctl_get("kernel/sem", buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (sscanf(buf, "%u %u %u %u", &sem[0], &sem[1], &sem[2], &sem[3]) != 4)
		return log_err(-EINVAL, "Failed to parse /proc/sys/kernel/sem: '%s'", buf);
	e.n_sem_ctls = 4;
	e.sem_ctls = sem;
	/* auto_msgmni is a no-op since Linux 4.0 (reads 0); kept for CRIU */
	if (ns_sysctl_get_u64("kernel/auto_msgmni", &v) == 0)
		e.auto_msgmni = (uint32_t)v;
	return img_write_single(dfd, IMG_IPC_VAR, id, &e);
}

static int restore_var(const IpcVarEntry *e)
{
	char buf[128];
	size_t i;
	uint64_t v;
	int ret;

	if (e->n_sem_ctls != 4)
		return log_err(-EINVAL, "Failed to restore ipcns-var: sem_ctls has %zu values, not 4",
			       e->n_sem_ctls);
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if ((knobs[i].off == offsetof(IpcVarEntry, mq_msg_default) &&
		     !e->has_mq_msg_default) ||
		    (knobs[i].off == offsetof(IpcVarEntry, mq_msgsize_default) &&
		     !e->has_mq_msgsize_default))
			continue;
		v = knobs[i].wide ? *(const uint64_t *)((const char *)e + knobs[i].off) :
				    *(const uint32_t *)((const char *)e + knobs[i].off);
		ret = ns_sysctl_set_u64(knobs[i].path, v);
		if (ret < 0)
			return ret;
	}
	snprintf(buf, sizeof(buf), "%u %u %u %u", e->sem_ctls[0], e->sem_ctls[1], e->sem_ctls[2],
		 e->sem_ctls[3]);
	return ns_sysctl_set("kernel/sem", buf);
}

/*
 * Room for any object the dump may hold while they are created: the
 * kernel's own maxima (ipc/util.h, ipc/mqueue.c); restore_var() then
 * writes the dumped values.
 */
static int raise_limits(void)
{
	return ns_sysctl_set("kernel/shmmax", "18446744073692774399") ?:
	       ns_sysctl_set("kernel/shmall", "18446744073692774399") ?:
	       ns_sysctl_set("kernel/shmmni", "16384") ?:
	       ns_sysctl_set("kernel/msgmni", "32000") ?:
	       ns_sysctl_set("kernel/msgmax", "16777216") ?:
	       ns_sysctl_set("kernel/sem", "32000 1024000000 500 32000") ?:
	       ns_sysctl_set("fs/mqueue/queues_max", "1024") ?:
	       ns_sysctl_set("fs/mqueue/msg_max", "65536") ?:
	       ns_sysctl_set("fs/mqueue/msgsize_max", "16777216");
}

/*
 * The key removed segment @shmid was made with: the kernel reads IPC_PRIVATE
 * for it now, but the name of our attachment @p keeps the first one.
 */
static uint32_t removed_key(int shmid, const void *p, uint64_t size)
{
	char path[96], name[64];
	unsigned int key;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)p,
		 (unsigned long)p + (unsigned long)((size + 4095) & ~4095UL));
	n = readlink(path, name, sizeof(name) - 1);
	if (n < 0 || (name[n] = 0, sscanf(name, "/SYSV%8x", &key) != 1)) {
		pr_warn("Failed to read the key of removed shm id %d from '%s': restored as private",
			shmid, path);
		return 0;
	}
	return key;
}

/*
 * Write a segment's contents: attach it read-only for the copy (Linux lets
 * a removed segment be attached by id while it is in use). A removed one
 * keeps SHM_DEST in desc.mode; sysv_shm.c removes it again at restore.
 */
static int dump_shm_one(struct img *img, int shmid, const struct shmid_ds *ds)
{
	IpcShmEntry e = IPC_SHM_ENTRY__INIT;
	IpcDescEntry d = IPC_DESC_ENTRY__INIT;
	static const char zero[4];
	void *p = NULL;
	int ret;

	ipc_desc_fill(&d, &ds->shm_perm, shmid);
	e.desc = &d;
	e.size = ds->shm_segsz;
	if (e.size) {
		p = shmat(shmid, NULL, SHM_RDONLY);
		if (p == (void *)-1)
			return log_perr(-errno, "Failed to attach shm id %d key 0x%x", shmid,
					(unsigned int)ds->shm_perm.__key);
		if (ds->shm_perm.mode & SHM_DEST)
			d.key = removed_key(shmid, p, e.size);
	}
	ret = img_write(img, &e);
	if (ret == 0 && e.size)
		ret = img_write_raw(img, p, e.size);
	if (ret == 0 && (e.size & 3))
		ret = img_write_raw(img, zero, 4 - (e.size & 3));
	if (p)
		shmdt(p);
	return ret;
}

static int dump_shm(int dfd, uint32_t id)
{
	struct img *img = img_open(dfd, IMG_IPCNS_SHM, O_WRONLY, id);
	struct shm_info info;
	struct shmid_ds ds;
	int maxidx, idx, shmid, ret = 0;

	if (!img)
		return -errno;
	maxidx = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);
	if (maxidx < 0)
		ret = log_perr(-errno, "Failed to list the shm segments");
	for (idx = 0; ret == 0 && idx <= maxidx; idx++) {
		shmid = shmctl(idx, SHM_STAT_ANY, &ds);
		if (shmid < 0) {
			if (errno != EINVAL)	/* a free slot */
				ret = log_perr(-errno, "Failed to read shm slot %d", idx);
			continue;
		}
		ret = dump_shm_one(img, shmid, &ds);
	}
	if (ret < 0) {
		img_abort(img);
		return ret;
	}
	return img_close(img);
}

/* Create a segment with its id and fill it from the image. */
static int restore_shm_one(struct img *img, const IpcShmEntry *e)
{
	const IpcDescEntry *d = e->desc;
	struct shmid_ds ds;
	size_t ignored;
	void *p;
	int shmid, ret;

	ret = ipc_set_next_id("shm", d->id);
	if (ret < 0)
		return ret;
	shmid = shmget(d->key, e->size, IPC_CREAT | IPC_EXCL | (d->mode & 0777));
	ret = ipc_check_id("shm", d, shmid);
	if (ret < 0)
		return ret;
	if (e->size) {
		p = shmat(shmid, NULL, 0);
		if (p == (void *)-1)
			return log_perr(-errno, "Failed to attach shm id %u", d->id);
		ret = img_read_raw(img, p, e->size);
		shmdt(p);
		if (ret < 0)
			return ret;
		if (e->size & 3) {
			char pad[4];

			ret = img_read_raw(img, pad, 4 - (e->size & 3));
			if (ret < 0)
				return ret;
		}
	} else if ((ret = img_skip_payload(img, e, &ignored)) < 0) {
		return ret;
	}
	if ((d->mode & SHM_LOCKED) && shmctl(shmid, SHM_LOCK, NULL) < 0)
		return log_perr(-errno, "Failed to lock shm id %u", d->id);
	memset(&ds, 0, sizeof(ds));
	ds.shm_perm.uid = d->uid;
	ds.shm_perm.gid = d->gid;
	ds.shm_perm.mode = d->mode & 0777;
	if (shmctl(shmid, IPC_SET, &ds) < 0)
		return log_perr(-errno, "Failed to set the owner and mode of shm id %u", d->id);
	return 0;
}

static int restore_shm(int dfd, uint32_t id)
{
	struct img *img;
	IpcShmEntry *e;
	int ret;

	if (!img_exists(dfd, IMG_IPCNS_SHM, id))
		return 0;
	img = img_open(dfd, IMG_IPCNS_SHM, O_RDONLY, id);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&e)) > 0) {
		if (!e->desc || (e->has_in_pagemaps && e->in_pagemaps))
			ret = log_err(-ENOTSUP, "Failed to restore '%s': shm id %u has its contents in pagemaps, not supported",
				      img_path(img), e->desc ? e->desc->id : 0);
		else
			ret = restore_shm_one(img, e);
		img_free_entry(e);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret;
}

int ipc_shm_removed(int dfd, uint32_t shmid)
{
	struct img *img;
	IpcShmEntry *e;
	uint32_t nsid;
	size_t ignored;
	int ret = ns_find_image(dfd, "ipcns-shm-", ".img", &nsid);

	if (ret <= 0)
		return ret;
	img = img_open(dfd, IMG_IPCNS_SHM, O_RDONLY, nsid);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&e)) > 0) {
		if (e->desc && e->desc->id == shmid)
			ret = e->desc->mode & SHM_DEST ? 1 : 0;
		else
			ret = img_skip_payload(img, e, &ignored) ?: 2;
		img_free_entry(e);
		if (ret != 2)
			break;
	}
	img_close(img);
	return ret;
}

struct ipc_dump {
	int dfd;
	uint32_t id;
};

static int ipc_dump_inside(void *arg)
{
	const struct ipc_dump *d = arg;

	return dump_var(d->dfd, d->id) ?: dump_shm(d->dfd, d->id) ?:
	       ipc_dump_sem(d->dfd, d->id) ?: ipc_dump_msg(d->dfd, d->id) ?:
	       ipc_dump_mqueue(d->dfd, d->id);
}

int ns_dump_ipc(pid_t pid, int dfd)
{
	struct ipc_dump d = { .dfd = dfd };
	int ret = ns_id(pid, "ipc", &d.id);

	return ret ?: ns_run_in(pid, CLONE_NEWIPC, ipc_dump_inside, &d);
}

int ns_restore_ipc(int dfd)
{
	IpcVarEntry *var = NULL;
	uint32_t id;
	int ret;

	ret = ns_need_image(dfd, "ipcns-var-", &id) ?:
	      img_read_single(dfd, IMG_IPC_VAR, id, (void **)&var);
	if (ret < 0)
		return ret;
	ret = raise_limits() ?: restore_shm(dfd, id) ?: ipc_restore_sem(dfd, id) ?:
	      ipc_restore_msg(dfd, id) ?: ipc_restore_mqueue(dfd, id) ?: restore_var(var);
	img_free_entry(var);
	return ret;
}
