// SPDX-License-Identifier: GPL-2.0-only
/*
 * SysV semaphore sets (ipcns-sem: the values) and message queues
 * (ipcns-msg: the messages, in queue order) of an ipc namespace. Messages
 * are read with MSG_COPY, which copies the N-th message and leaves the
 * queue as it is (Linux 3.8+, CONFIG_CHECKPOINT_RESTORE).
 */
#define LOG_PREFIX "ns-ipc: "
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>

#include "cleanup.h"
#include "image.h"
#include "ipc-msg.pb-c.h"
#include "ipc-sem.pb-c.h"
#include "log.h"
#include "ns_ipc.h"
#include "ns_util.h"
#include "xmalloc.h"

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static const char zero[8];

static int dump_sem_one(struct img *img, int semid, const struct semid_ds *ds)
{
	IpcSemEntry e = IPC_SEM_ENTRY__INIT;
	IpcDescEntry d = IPC_DESC_ENTRY__INIT;
	_cleanup_free_ unsigned short *vals = NULL;
	size_t len;
	int ret;

	ipc_desc_fill(&d, &ds->sem_perm, semid);
	e.desc = &d;
	e.nsems = ds->sem_nsems;
	len = e.nsems * sizeof(*vals);
	vals = xmalloc(len + 8);
	if (!vals)
		return -ENOMEM;
	if (semctl(semid, 0, GETALL, (union semun){ .array = vals }) < 0)
		return log_perr(-errno, "Failed to read the values of sem id %d key 0x%x", semid,
				d.key);
	ret = img_write(img, &e);
	if (ret == 0)
		ret = img_write_raw(img, vals, len);
	if (ret == 0 && (len & 7))
		ret = img_write_raw(img, zero, 8 - (len & 7));
	return ret;
}

int ipc_dump_sem(int dfd, uint32_t id)
{
	struct img *img = img_open(dfd, IMG_IPCNS_SEM, O_WRONLY, id);
	struct seminfo info;
	struct semid_ds ds;
	int maxidx, idx, semid, ret = 0;

	if (!img)
		return -errno;
	maxidx = semctl(0, 0, SEM_INFO, (union semun){ .buf = (struct semid_ds *)&info });
	if (maxidx < 0)
		ret = log_perr(-errno, "Failed to list the semaphore sets");
	for (idx = 0; ret == 0 && idx <= maxidx; idx++) {
		semid = semctl(idx, 0, SEM_STAT_ANY, (union semun){ .buf = &ds });
		if (semid < 0) {
			if (errno != EINVAL)	/* a free slot */
				ret = log_perr(-errno, "Failed to read sem slot %d", idx);
			continue;
		}
		ret = dump_sem_one(img, semid, &ds);
	}
	if (ret < 0) {
		img_abort(img);
		return ret;
	}
	return img_close(img);
}

static int restore_sem_one(struct img *img, const IpcSemEntry *e)
{
	const IpcDescEntry *d = e->desc;
	size_t len = e->nsems * sizeof(unsigned short);
	_cleanup_free_ unsigned short *vals = NULL;
	struct semid_ds ds;
	int semid, ret;

	if (e->nsems == 0 || e->nsems > 32000)
		return log_err(-EINVAL, "Failed to read '%s': sem id %u: nsems %u out of 1..32000",
			       img_path(img), d->id, e->nsems);
	vals = xmalloc((len + 7) & ~(size_t)7);
	if (!vals)
		return -ENOMEM;
	ret = img_read_raw(img, vals, (len + 7) & ~(size_t)7);
	if (ret < 0)
		return ret;
	ret = ipc_set_next_id("sem", d->id);
	if (ret < 0)
		return ret;
	semid = semget(d->key, e->nsems, IPC_CREAT | IPC_EXCL | (d->mode & 0777));
	ret = ipc_check_id("sem", d, semid);
	if (ret < 0)
		return ret;
	if (semctl(semid, 0, SETALL, (union semun){ .array = vals }) < 0)
		return log_perr(-errno, "Failed to set the values of sem id %u", d->id);
	memset(&ds, 0, sizeof(ds));
	ds.sem_perm.uid = d->uid;
	ds.sem_perm.gid = d->gid;
	ds.sem_perm.mode = d->mode & 0777;
	if (semctl(semid, 0, IPC_SET, (union semun){ .buf = &ds }) < 0)
		return log_perr(-errno, "Failed to set the owner and mode of sem id %u", d->id);
	return 0;
}

int ipc_restore_sem(int dfd, uint32_t id)
{
	struct img *img;
	IpcSemEntry *e;
	int ret;

	if (!img_exists(dfd, IMG_IPCNS_SEM, id))
		return 0;
	img = img_open(dfd, IMG_IPCNS_SEM, O_RDONLY, id);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&e)) > 0) {
		ret = restore_sem_one(img, e);
		img_free_entry(e);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret;
}

/* One message: u32 length, an ipc_msg, the text padded to 8 bytes. */
static int write_msg(struct img *img, long mtype, const void *text, size_t len)
{
	IpcMsg m = IPC_MSG__INIT;
	uint8_t head[32];
	uint32_t n;
	int ret;

	m.mtype = (uint64_t)mtype;
	m.msize = (uint32_t)len;
	n = (uint32_t)ipc_msg__get_packed_size(&m);
	if (n > sizeof(head) - 4)
		return log_err(-EOVERFLOW, "Failed to pack an ipc_msg of %u bytes", n);
	memcpy(head, &n, 4);
	ipc_msg__pack(&m, head + 4);
	ret = img_write_raw(img, head, n + 4) ?: img_write_raw(img, text, len);
	if (ret == 0 && (len & 7))
		ret = img_write_raw(img, zero, 8 - (len & 7));
	return ret;
}

static int dump_msg_one(struct img *img, int msqid, const struct msqid_ds *ds, size_t max)
{
	IpcMsgEntry e = IPC_MSG_ENTRY__INIT;
	IpcDescEntry d = IPC_DESC_ENTRY__INIT;
	_cleanup_free_ struct msgbuf *buf = xmalloc(sizeof(long) + max);
	ssize_t n;
	uint32_t i;
	int ret;

	if (!buf)
		return -ENOMEM;
	ipc_desc_fill(&d, &ds->msg_perm, msqid);
	e.desc = &d;
	e.qbytes = (uint32_t)ds->msg_qbytes;
	e.qnum = (uint32_t)ds->msg_qnum;
	ret = img_write(img, &e);
	for (i = 0; ret == 0 && i < e.qnum; i++) {
		/* with MSG_COPY, msgtyp is the index of the message */
		n = msgrcv(msqid, buf, max, i, IPC_NOWAIT | MSG_COPY);
		if (n < 0)
			return log_perr(-errno, "Failed to copy message %u of msg queue id %d key 0x%x",
					i, msqid, d.key);
		ret = write_msg(img, buf->mtype, buf->mtext, n);
	}
	return ret;
}

int ipc_dump_msg(int dfd, uint32_t id)
{
	struct img *img = img_open(dfd, IMG_IPCNS_MSG, O_WRONLY, id);
	struct msginfo info;
	struct msqid_ds ds;
	int maxidx, idx, msqid, ret = 0;

	if (!img)
		return -errno;
	maxidx = msgctl(0, MSG_INFO, (struct msqid_ds *)&info);
	if (maxidx < 0)
		ret = log_perr(-errno, "Failed to list the message queues");
	for (idx = 0; ret == 0 && idx <= maxidx; idx++) {
		msqid = msgctl(idx, MSG_STAT_ANY, &ds);
		if (msqid < 0) {
			if (errno != EINVAL)	/* a free slot */
				ret = log_perr(-errno, "Failed to read msg slot %d", idx);
			continue;
		}
		/* no message is longer than the queue's byte count or msgmax */
		ret = dump_msg_one(img, msqid, &ds,
				   ds.__msg_cbytes > (unsigned long)info.msgmax ? ds.__msg_cbytes :
										 (size_t)info.msgmax);
	}
	if (ret < 0) {
		img_abort(img);
		return ret;
	}
	return img_close(img);
}

/* Read one message of queue @d and send it. */
static int restore_msg_text(struct img *img, const IpcDescEntry *d, int msqid, uint32_t i)
{
	_cleanup_free_ struct msgbuf *buf = NULL;
	uint8_t head[32];
	IpcMsg *m;
	uint32_t n;
	size_t len;
	int ret;

	ret = img_read_raw(img, &n, 4);
	if (ret < 0)
		return ret;
	if (n > sizeof(head))
		return log_err(-EINVAL, "Failed to read '%s': message %u of msg id %u: ipc_msg of %u bytes",
			       img_path(img), i, d->id, n);
	ret = img_read_raw(img, head, n);
	if (ret < 0)
		return ret;
	m = ipc_msg__unpack(NULL, n, head);
	if (!m)
		return log_err(-EBADMSG, "Failed to read '%s': message %u of msg id %u does not decode",
			       img_path(img), i, d->id);
	len = m->msize;
	buf = len <= 16777216 ? xmalloc(sizeof(long) + ((len + 7) & ~(size_t)7)) : NULL;
	if (buf) {
		buf->mtype = (long)m->mtype;
		ret = img_read_raw(img, buf->mtext, (len + 7) & ~(size_t)7);
	} else {
		ret = log_err(-EINVAL, "Failed to read '%s': message %u of msg id %u: %zu bytes",
			      img_path(img), i, d->id, len);
	}
	ipc_msg__free_unpacked(m, NULL);
	if (ret == 0 && msgsnd(msqid, buf, len, IPC_NOWAIT) < 0)
		ret = log_perr(-errno, "Failed to send message %u to msg id %u", i, d->id);
	return ret;
}

static int restore_msg_one(struct img *img, const IpcMsgEntry *e)
{
	const IpcDescEntry *d = e->desc;
	struct msqid_ds ds;
	uint32_t i;
	int msqid, ret;

	/* a new queue's qbytes is msgmnb: no CAP_SYS_RESOURCE needed */
	ret = ns_sysctl_set_u64("kernel/msgmnb", e->qbytes) ?: ipc_set_next_id("msg", d->id);
	if (ret < 0)
		return ret;
	msqid = msgget(d->key, IPC_CREAT | IPC_EXCL | (d->mode & 0777));
	ret = ipc_check_id("msg", d, msqid);
	for (i = 0; ret == 0 && i < e->qnum; i++)
		ret = restore_msg_text(img, d, msqid, i);
	if (ret < 0)
		return ret;
	if (msgctl(msqid, IPC_STAT, &ds) < 0)
		return log_perr(-errno, "Failed to read msg id %u", d->id);
	ds.msg_perm.uid = d->uid;
	ds.msg_perm.gid = d->gid;
	ds.msg_perm.mode = d->mode & 0777;
	if (msgctl(msqid, IPC_SET, &ds) < 0)
		return log_perr(-errno, "Failed to set the owner and mode of msg id %u", d->id);
	return 0;
}

int ipc_restore_msg(int dfd, uint32_t id)
{
	struct img *img;
	IpcMsgEntry *e;
	int ret;

	if (!img_exists(dfd, IMG_IPCNS_MSG, id))
		return 0;
	img = img_open(dfd, IMG_IPCNS_MSG, O_RDONLY, id);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&e)) > 0) {
		ret = restore_msg_one(img, e);
		img_free_entry(e);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret;
}
