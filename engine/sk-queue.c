// SPDX-License-Identifier: GPL-2.0-only
/*
 * sk-queues.img: what waits unread in the receive queue of each unix
 * socket, one entry per message (stream data in chunks), read with MSG_PEEK
 * at a moving SO_PEEK_OFF so that nothing is taken from the task. Files in
 * flight (SCM_RIGHTS) are dumped as files of their own (scm_entry rights:
 * their ids). The restore writes each entry back from the peer the caller
 * names, with its files, once every file is open.
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
#include "dump.h"
#include "files.h"
#include "image.h"
#include "log.h"
#include "restore.h"
#include "sk-packet.pb-c.h"
#include "sk-priv.h"
#include "sk-unix.pb-c.h"
#include "xmalloc.h"

/* fds one message can carry (the kernel's SCM_MAX_FD) */
#define SCM_MAX_FD 253
/* more than any unix message can hold (SO_SNDBUF caps it) */
#define PEEK_MAX (4U << 20)

/* A message's fds in flight, as the files they are (each a file id). */
struct flying {
	uint32_t ids[SCM_MAX_FD];
	size_t n;
};

/*
 * The fds a peek of SCM_RIGHTS gave us: each goes into the file table
 * (which keeps its own copy) and is closed here. 0 or -errno.
 */
static int take_rights(struct dump_ctx *c, struct msghdr *mh, struct flying *fl, uint32_t ino)
{
	struct cmsghdr *cm;
	int err = 0;

	fl->n = 0;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		int *fds = (int *)CMSG_DATA(cm);
		size_t i, n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int id = err || fl->n >= SCM_MAX_FD ? -E2BIG : dump_flying_fd(c, fds[i]);

			if (id < 0 && !err)
				err = id == -E2BIG ? log_err(id, "Failed to dump unix socket %u: more than %d fds in one message",
							     ino, SCM_MAX_FD) :
				      log_err(id, "Failed to dump unix socket %u: a file in flight in its queue cannot be dumped",
					      ino);
			else if (id >= 0)
				fl->ids[fl->n++] = id;
			close(fds[i]);
		}
	}
	return err;
}

/* The next message at the peek offset: its length, 0 at the end, or -errno. */
static ssize_t peek_one(struct dump_ctx *c, int fd, char *buf, const UnixSkEntry *e,
			struct flying *fl)
{
	char ctl[CMSG_SPACE(sizeof(int) * SCM_MAX_FD) + CMSG_SPACE(64)];
	struct iovec iov = { buf, PEEK_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(fd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	int err;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0)
		return log_perr(-errno, "Failed to peek into unix socket %u", e->ino);
	err = take_rights(c, &mh, fl, e->ino);
	if (err)
		return err;
	if (mh.msg_flags & MSG_CTRUNC)
		return log_err(-EOPNOTSUPP, "Failed to dump unix socket %u: a queued message has more control data than vzcr reads",
			       e->ino);
	if (mh.msg_flags & MSG_TRUNC)
		return log_err(-EFBIG, "Failed to dump unix socket %u: a queued message is over %u bytes",
			       e->ino, PEEK_MAX);
	return n;
}

static int dump_queue(struct dump_ctx *c, struct img *img, uint32_t id, int fd,
		      const UnixSkEntry *e, char *buf)
{
	int off = -1, zero = 0, err = 0;
	socklen_t l = sizeof(off);
	struct flying fl;
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, &l) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)) < 0)
		return log_perr(-errno, "Failed to set the peek offset of unix socket %u", e->ino);
	/* 0: the end, or a datagram of 0 bytes that the peek offset cannot step over */
	while ((n = peek_one(c, fd, buf, e, &fl)) > 0) {
		SkPacketEntry pe = SK_PACKET_ENTRY__INIT;
		ScmEntry scm = SCM_ENTRY__INIT, *scms[1] = { &scm };

		pe.id_for = id;
		pe.length = n;
		if (fl.n) {
			scm.type = SCM_RIGHTS;
			scm.rights = fl.ids;
			scm.n_rights = fl.n;
			pe.scm = scms;
			pe.n_scm = 1;
		}
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

int sk_queues_dump(struct dump_ctx *c)
{
	struct file_table *t = &c->files;
	_cleanup_free_ char *buf = NULL;
	struct img *img = NULL;
	size_t i;
	int err = 0;

	/* files in flight join the table as we go: sockets among them are dumped too */
	for (i = 0; i < t->n && !err; i++) {
		const FileEntry *fe = t->v[i].fe;
		const UnixSkEntry *e = fe && fe->type == FD_TYPES__UNIXSK ? fe->usk : NULL;

		if (!e || e->state == TCP_LISTEN)
			continue;
		if (!img) {
			buf = xmalloc(PEEK_MAX);
			img = buf ? img_open(c->dfd, IMG_SK_QUEUES, O_WRONLY, 0) : NULL;
			if (!img)
				return buf ? -errno : -ENOMEM;
		}
		err = dump_queue(c, img, t->v[i].id, t->v[i].local_fd, e, buf);
	}
	if (err) {
		img_abort(img);
		return err;
	}
	return img ? img_close(img) : 0;
}

/* The tool's fds of the files in flight of @pe, into @fds. */
static int scm_fds(struct rst_ctx *c, const SkPacketEntry *pe, int *fds, size_t *ret_n)
{
	size_t i, j, n = 0;

	for (i = 0; i < pe->n_scm; i++) {
		const ScmEntry *s = pe->scm[i];

		if (s->type != SCM_RIGHTS)
			return log_err(-EOPNOTSUPP, "sk-queues.img: a message for socket %u carries control data of type %u: not supported",
				       pe->id_for, s->type);
		for (j = 0; j < s->n_rights; j++) {
			struct rst_file *f = rst_file_get(c, s->rights[j]);

			if (n >= SCM_MAX_FD)
				return log_err(-EINVAL, "sk-queues.img: a message for socket %u carries over %d files",
					       pe->id_for, SCM_MAX_FD);
			if (!f)
				return -ENOENT;
			if (f->fd < 0)
				return log_err(-EINVAL, "sk-queues.img: file %u in flight to socket %u is not open",
					       s->rights[j], pe->id_for);
			fds[n++] = f->fd;
		}
	}
	*ret_n = n;
	return 0;
}

int sk_queue_refill(struct rst_ctx *c, uint32_t id, sk_send_t send, void *arg)
{
	_cleanup_free_ char *buf = NULL;
	int fds[SCM_MAX_FD];
	struct img *img;
	SkPacketEntry *pe;
	size_t skip, nfds;
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
		} else {
			if (!buf)
				buf = xmalloc(PEEK_MAX);
			ret = !buf ? -ENOMEM : scm_fds(c, pe, fds, &nfds) ?:
			      img_read_raw(img, buf, pe->length) ?: send(buf, pe->length, fds, nfds, arg);
		}
		img_free_entry(pe);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret < 0 ? ret : 0;
}
