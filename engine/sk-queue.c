// SPDX-License-Identifier: GPL-2.0-only
/*
 * sk-queues.img: what waits unread in the receive queue of each unix
 * socket, one entry per message (stream data in chunks), read with MSG_PEEK
 * at a moving SO_PEEK_OFF so that nothing is taken from the task. Messages
 * carrying fds (SCM_RIGHTS) are refused by name. The restore writes each
 * entry back from the peer the caller names.
 */
#define LOG_PREFIX "sk-queue: "
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "image.h"
#include "log.h"
#include "restore.h"
#include "sk-packet.pb-c.h"
#include "sk-priv.h"
#include "sk-unix.pb-c.h"
#include "xmalloc.h"

/* more than any unix message can hold (SO_SNDBUF caps it) */
#define PEEK_MAX (4U << 20)

/* Close the fds a peek of SCM_RIGHTS gave us; true if there were any. */
static bool drop_rights(struct msghdr *mh)
{
	struct cmsghdr *cm;
	bool any = false;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		int *fds = (int *)CMSG_DATA(cm);
		size_t i, n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++)
			close(fds[i]);
		any = true;
	}
	return any;
}

/* The next message at the peek offset: its length, 0 at the end, or -errno. */
static ssize_t peek_one(int fd, char *buf, const UnixSkEntry *e)
{
	char ctl[CMSG_SPACE(sizeof(int) * 253) + CMSG_SPACE(64)];
	struct iovec iov = { buf, PEEK_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(fd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0)
		return log_perr(-errno, "Failed to peek into unix socket %u", e->ino);
	if (drop_rights(&mh) || (mh.msg_flags & MSG_CTRUNC))
		return log_err(-EOPNOTSUPP, "Failed to dump unix socket %u: a queued message carries file descriptors (SCM_RIGHTS): not supported",
			       e->ino);
	if (mh.msg_flags & MSG_TRUNC)
		return log_err(-EFBIG, "Failed to dump unix socket %u: a queued message is over %u bytes",
			       e->ino, PEEK_MAX);
	return n;
}

static int dump_queue(struct img *img, uint32_t id, int fd, const UnixSkEntry *e, char *buf)
{
	int off = -1, zero = 0, err = 0;
	socklen_t l = sizeof(off);
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, &l) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)) < 0)
		return log_perr(-errno, "Failed to set the peek offset of unix socket %u", e->ino);
	/* 0: the end, or a datagram of 0 bytes that the peek offset cannot step over */
	while ((n = peek_one(fd, buf, e)) > 0) {
		SkPacketEntry pe = SK_PACKET_ENTRY__INIT;

		pe.id_for = id;
		pe.length = n;
		err = img_write(img, &pe) ?: img_write_raw(img, buf, n);
		if (err)
			break;
	}
	if (n < 0)
		err = n;
	/* the task's own peek offset back (-1: off) */
	if (setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)) < 0 && !err)
		err = log_perr(-errno, "Failed to reset the peek offset of unix socket %u", e->ino);
	return err;
}

int sk_queues_dump(struct file_table *t, int dfd)
{
	_cleanup_free_ char *buf = NULL;
	struct img *img = NULL;
	size_t i;
	int err = 0;

	for (i = 0; i < t->n && !err; i++) {
		const struct file_desc *d = &t->v[i];
		const UnixSkEntry *e = d->fe && d->fe->type == FD_TYPES__UNIXSK ? d->fe->usk : NULL;

		if (!e || e->state == TCP_LISTEN)
			continue;
		if (!img) {
			buf = xmalloc(PEEK_MAX);
			img = buf ? img_open(dfd, IMG_SK_QUEUES, O_WRONLY, 0) : NULL;
			if (!img)
				return buf ? -errno : -ENOMEM;
		}
		err = dump_queue(img, d->id, d->local_fd, e, buf);
	}
	if (err) {
		img_abort(img);
		return err;
	}
	return img ? img_close(img) : 0;
}

int sk_queue_refill(struct rst_ctx *c, uint32_t id, sk_send_t send, void *arg)
{
	_cleanup_free_ char *buf = NULL;
	struct img *img;
	SkPacketEntry *pe;
	size_t skip;
	int ret;

	if (!img_exists(c->dfd, IMG_SK_QUEUES, 0))
		return 0;
	img = img_open(c->dfd, IMG_SK_QUEUES, O_RDONLY, 0);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&pe)) > 0) {
		if (pe->id_for != id) {
			ret = img_skip_payload(img, pe, &skip);
		} else if (pe->length > PEEK_MAX) {
			ret = log_err(-EINVAL, "sk-queues.img: a message of %u bytes for socket %u is over %u",
				      pe->length, id, PEEK_MAX);
		} else if (pe->n_scm) {
			ret = log_err(-EOPNOTSUPP, "sk-queues.img: a message for socket %u carries control data: not supported",
				      id);
		} else {
			char *nb = buf ? buf : xmalloc(PEEK_MAX);

			buf = nb;
			ret = !nb ? -ENOMEM : img_read_raw(img, buf, pe->length) ?:
			      send(buf, pe->length, arg);
		}
		img_free_entry(pe);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret < 0 ? ret : 0;
}
