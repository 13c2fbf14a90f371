// SPDX-License-Identifier: GPL-2.0-only
/*
 * POSIX message queues of an ipc namespace (vzcr-mqueue-ID.img: CRIU keeps
 * none). The queues are listed through a detached mount of the namespace's
 * mqueue file system (fsopen/fsmount: no mount point, nothing to undo).
 * Reading a message removes it and nothing copies one, so the dump receives
 * every message and sends them back in the order received: the queue ends
 * as it was (priority order, FIFO within a priority). Refused, by name:
 * queues with a notification registered (sending to the emptied queue would
 * fire it) and full queues (a sender may be waiting: receiving would let
 * its message in, out of order).
 */
#define LOG_PREFIX "ns-mqueue: "
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

#include "cleanup.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "ns_ipc.h"
#include "vzcr-mqueue.pb-c.h"
#include "xmalloc.h"

/* A detached mount of the mqueue fs of the caller's ipc namespace. */
static int mqueue_mount(void)
{
	_cleanup_close_ int fsfd = syscall(SYS_fsopen, "mqueue", FSOPEN_CLOEXEC);
	int mfd;

	if (fsfd < 0)
		return log_perr(-errno, "Failed to open an mqueue file system");
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return log_perr(-errno, "Failed to create an mqueue file system");
	mfd = syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, 0);
	if (mfd < 0)
		return log_perr(-errno, "Failed to mount the mqueue file system");
	return mfd;
}

/* "QSIZE:n NOTIFY:n SIGNO:n NOTIFY_PID:n": refuse a registered notification. */
static int check_notify(int mfd, const char *name)
{
	_cleanup_free_ char *text = NULL;
	const char *p;
	ssize_t n = read_file_at(mfd, name, 256, &text);

	if (n < 0)
		return log_perr((int)n, "Failed to read mqueue '/%s'", name);
	p = strstr(text, "NOTIFY_PID:");
	if (!p)
		return log_err(-EINVAL, "Failed to parse mqueue '/%s': no NOTIFY_PID in '%s'", name,
			       text);
	if (atoi(p + strlen("NOTIFY_PID:")) != 0)
		return log_err(-ENOTSUP, "Failed to dump mqueue '/%s': a notification is registered, not supported",
			       name);
	return 0;
}

static void free_msgs(VzcrMqueueEntry *e)
{
	size_t i;

	for (i = 0; i < e->n_msgs; i++) {
		free(e->msgs[i]->data.data);
		free(e->msgs[i]);
	}
	free(e->msgs);
}

/* Receive every message into @e, then send them all back in order. */
static int take_and_put_back(mqd_t q, const char *name, VzcrMqueueEntry *e, long cur)
{
	ssize_t n;
	long i;
	int ret = 0;

	e->msgs = xzalloc(sizeof(*e->msgs) * (cur ? cur : 1));
	if (!e->msgs)
		return -ENOMEM;
	for (i = 0; i < cur; i++) {
		VzcrMqueueMsg *m = xmalloc(sizeof(*m));
		void *buf = xmalloc(e->msgsize ? e->msgsize : 1);

		if (!m || !buf) {
			free(m), free(buf);
			ret = -ENOMEM;
			break;
		}
		vzcr_mqueue_msg__init(m);
		n = mq_receive(q, buf, e->msgsize, &m->prio);
		if (n < 0) {
			free(m), free(buf);
			ret = log_perr(-errno, "Failed to receive message %ld of mqueue '/%s'", i, name);
			break;
		}
		m->data.data = buf;
		m->data.len = n;
		e->msgs[e->n_msgs++] = m;
	}
	/* put back what was taken, even after a failure */
	for (i = 0; i < (long)e->n_msgs; i++)
		if (mq_send(q, (char *)e->msgs[i]->data.data, e->msgs[i]->data.len,
			    e->msgs[i]->prio) < 0)
			return log_perr(-errno, "Failed to send message %ld back to mqueue '/%s': the queue lost messages",
					i, name);
	return ret;
}

static int dump_one(struct img *img, int mfd, const char *name)
{
	VzcrMqueueEntry e = VZCR_MQUEUE_ENTRY__INIT;
	_cleanup_free_ char *path = xsprintf("/%s", name);
	struct mq_attr attr;
	struct stat st;
	mqd_t q;
	int ret;

	if (!path)
		return -ENOMEM;
	if (fstatat(mfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return log_perr(-errno, "Failed to stat mqueue '%s'", path);
	ret = check_notify(mfd, name);
	if (ret < 0)
		return ret;
	q = mq_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (q == (mqd_t)-1)
		return log_perr(-errno, "Failed to open mqueue '%s'", path);
	if (mq_getattr(q, &attr) < 0) {
		ret = log_perr(-errno, "Failed to read the attributes of mqueue '%s'", path);
	} else if (attr.mq_curmsgs && attr.mq_curmsgs >= attr.mq_maxmsg) {
		ret = log_err(-ENOTSUP, "Failed to dump mqueue '%s': full (%ld messages), a sender may be waiting, not supported",
			      path, attr.mq_curmsgs);
	} else {
		e.name = (char *)name;
		e.mode = st.st_mode & 07777;
		e.uid = st.st_uid;
		e.gid = st.st_gid;
		e.maxmsg = attr.mq_maxmsg;
		e.msgsize = attr.mq_msgsize;
		ret = take_and_put_back(q, path, &e, attr.mq_curmsgs);
		if (ret == 0)
			ret = img_write(img, &e);
		free_msgs(&e);
	}
	mq_close(q);
	return ret;
}

int ipc_dump_mqueue(int dfd, uint32_t id)
{
	_cleanup_close_ int mfd = mqueue_mount();
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct img *img;
	int fd, ret = 0;

	if (mfd < 0)
		return mfd;
	fd = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return log_perr(-errno, "Failed to list the mqueue file system");
	}
	img = img_open(dfd, IMG_VZCR_MQUEUE, O_WRONLY, id);
	if (!img)
		return -errno;
	while (ret == 0 && (de = readdir(d)))
		if (de->d_name[0] != '.')
			ret = dump_one(img, mfd, de->d_name);
	if (ret < 0) {
		img_abort(img);
		return ret;
	}
	return img_close(img);
}

static int restore_one(const VzcrMqueueEntry *e)
{
	struct mq_attr attr = { .mq_maxmsg = (long)e->maxmsg, .mq_msgsize = (long)e->msgsize };
	_cleanup_free_ char *path = NULL;
	mqd_t q;
	size_t i;
	int ret = 0;

	if (!e->name[0] || strchr(e->name, '/') || strlen(e->name) > 255)
		return log_err(-EINVAL, "Failed to restore mqueue '%s' of vzcr-mqueue-ID.img: not a queue name",
			       e->name);
	path = xsprintf("/%s", e->name);
	if (!path)
		return -ENOMEM;
	q = mq_open(path, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, 0600, &attr);
	if (q == (mqd_t)-1)
		return log_perr(-errno, "Failed to create mqueue '%s' (maxmsg %ld, msgsize %ld)", path,
				attr.mq_maxmsg, attr.mq_msgsize);
	for (i = 0; ret == 0 && i < e->n_msgs; i++)
		if (mq_send(q, (char *)e->msgs[i]->data.data, e->msgs[i]->data.len,
			    e->msgs[i]->prio) < 0)
			ret = log_perr(-errno, "Failed to send message %zu to mqueue '%s'", i, path);
	/* an mqd_t is a file descriptor of the mqueue fs: owner and mode apply */
	if (ret == 0 && fchown(q, e->uid, e->gid) < 0)
		ret = log_perr(-errno, "Failed to set the owner of mqueue '%s'", path);
	if (ret == 0 && fchmod(q, e->mode & 07777) < 0)
		ret = log_perr(-errno, "Failed to set the mode of mqueue '%s'", path);
	mq_close(q);
	return ret;
}

int ipc_restore_mqueue(int dfd, uint32_t id)
{
	VzcrMqueueEntry *e;
	struct img *img;
	int ret;

	if (!img_exists(dfd, IMG_VZCR_MQUEUE, id))
		return 0;
	img = img_open(dfd, IMG_VZCR_MQUEUE, O_RDONLY, id);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&e)) > 0) {
		ret = restore_one(e);
		img_free_entry(e);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret;
}
