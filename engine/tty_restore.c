// SPDX-License-Identifier: GPL-2.0-only
/*
 * The restore of terminals (tty.c has the dump and the whole story): pty
 * masters at their dumped index with their state and queued data, slave
 * files through TIOCGPTPEER, the controlling terminal of a session leader
 * (taken in its skeleton) and its foreground group, /dev/console by path
 * and /dev/tty from inside the tasks.
 */
#define LOG_PREFIX "tty: "
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "ct_path.h"
#include "fdkinds.h"
#include "infect.h"
#include "log.h"
#include "restore.h"
#include "tty.h"
#include "tty.pb-c.h"
#include "xmalloc.h"

#define MAX_PTYS	4096		/* ptmx opens to reach an index */

static int termios_get(const TermiosEntry *t, struct kterm *k, uint32_t id)
{
	int i;

	if (t->n_c_cc != TTY_NCC)
		return log_err(-EINVAL, "tty-info.img: tty %u: %zu control chars, want %d", id,
			       t->n_c_cc, TTY_NCC);
	*k = (struct kterm){ t->c_iflag, t->c_oflag, t->c_cflag, t->c_lflag, t->c_line, {},
			     t->c_ispeed, t->c_ospeed };
	for (i = 0; i < TTY_NCC; i++)
		k->c_cc[i] = t->c_cc[i];
	return 0;
}

/* tty-info.img's entry @id; NULL (logged) if none. */
static TtyInfoEntry *find_info(struct rst_ctx *c, uint32_t id)
{
	struct img *img = img_open(c->dfd, IMG_TTY_INFO, O_RDONLY, 0);
	TtyInfoEntry *ti = NULL;
	int ret;

	if (!img)
		return NULL;
	while ((ret = img_read(img, (void **)&ti)) > 0 && ti->id != id) {
		img_free_entry(ti);
		ti = NULL;
	}
	img_close(img);
	if (ti && (ti->type != TTY_TYPE__PTY || !ti->pty)) {
		log_err(-EINVAL, "tty-info.img: tty %u is no pty", id);
		img_free_entry(ti);
		return NULL;
	}
	if (!ti && ret >= 0)
		log_err(-ENOENT, "tty-info.img has no tty %u", id);
	return ti;
}

/*
 * A new master with index @index: ptmx hands out the lowest free index. A
 * CT's ptmx is under its root: the devpts of its own, where the index is free.
 */
static int open_index(struct rst_ctx *c, uint32_t index)
{
	_cleanup_free_ int *extra = xmalloc(MAX_PTYS * sizeof(int));
	int n = 0, fd = -1, got = -1, err = 0;
	char buf[PATH_MAX];
	const char *ptmx = rst_path(c, "/dev/ptmx", buf, sizeof(buf));

	if (!extra)
		return -ENOMEM;
	while (!err) {
		fd = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, TIOCGPTN, &got) < 0)
			err = log_perr(-errno, "Failed to open a pty for pty %u", index);
		else if ((uint32_t)got == index)
			break;
		else if ((uint32_t)got > index || n == MAX_PTYS)
			err = log_err(-EBUSY, "Failed to restore pty %u: the index is taken on this devpts (a devpts of its own, newinstance, would free it)",
				      index);
		else
			extra[n++] = fd;
	}
	if (err && fd >= 0)
		close(fd);
	while (n--)
		close(extra[n]);
	return err ? err : fd;
}

/* The output queued at the dump, written before the dumped termios apply. */
static int put_output(struct rst_ctx *c, int sfd, uint32_t index)
{
	_cleanup_free_ char *buf = NULL;
	ssize_t n = tty_data_find(c->dfd, tty_info_id(index, false), &buf);

	if (n <= 0)
		return n;
	return tty_data_put(sfd, buf, n, index);
}

/* The input queued at the dump, under the dumped termios (its line ends, its VEOF). */
static int put_input(struct rst_ctx *c, int mfd, int sfd, const TtyInfoEntry *ti)
{
	_cleanup_free_ char *buf = NULL;
	ssize_t n = tty_data_find(c->dfd, tty_info_id(ti->pty->index, true), &buf), i;
	int expect;

	if (n <= 0)
		return n;
	expect = n;
	/* VEOF ended a line but is not kept by the line discipline */
	if (ti->termios && (ti->termios->c_lflag & ICANON) && ti->termios->n_c_cc > VEOF)
		for (i = 0; i < n; i++)
			expect -= (unsigned char)buf[i] == ti->termios->c_cc[VEOF];
	return tty_input_put(mfd, sfd, buf, n, expect, ti->pty->index);
}

/* Output, termios, input, locked termios, window size, exclusive mode, owner through a slave. */
static int set_slave_state(struct rst_ctx *c, int mfd, const TtyInfoEntry *ti)
{
	_cleanup_close_ int sfd = ioctl(mfd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct kterm k, kl;
	struct winsize ws;
	uint32_t idx = ti->pty->index;
	int err;

	if (sfd < 0)
		return log_perr(-errno, "Failed to open the slave of pty %u", idx);
	err = put_output(c, sfd, idx);
	if (err)
		return err;
	if (ti->termios && (termios_get(ti->termios, &k, ti->id) || ioctl(sfd, K_TCSETS2, &k) < 0))
		return log_perr(-errno, "Failed to set the termios of pty %u", idx);
	err = put_input(c, mfd, sfd, ti);
	if (err)
		return err;
	if (ti->termios_locked && (termios_get(ti->termios_locked, &kl, ti->id) ||
				   ioctl(sfd, TIOCSLCKTRMIOS, &kl) < 0))
		return log_perr(-errno, "Failed to set the locked termios of pty %u", idx);
	if (ti->winsize) {
		ws = (struct winsize){ ti->winsize->ws_row, ti->winsize->ws_col,
				       ti->winsize->ws_xpixel, ti->winsize->ws_ypixel };
		if (ioctl(sfd, TIOCSWINSZ, &ws) < 0)
			return log_perr(-errno, "Failed to set the window size of pty %u", idx);
	}
	if (ti->exclusive && ioctl(sfd, TIOCEXCL) < 0)
		return log_perr(-errno, "Failed to make pty %u exclusive", idx);
	if (ti->has_uid && ti->has_gid && fchown(sfd, ti->uid, ti->gid) < 0)
		return log_perr(-errno, "Failed to give pty %u to %u:%u", idx, ti->uid, ti->gid);
	return 0;
}

static int open_master(struct rst_ctx *c, const TtyFileEntry *e, const TtyInfoEntry *ti)
{
	_cleanup_close_ int fd = open_index(c, ti->pty->index);
	int zero = 0, one = 1, pkt = ti->packet_mode, err;

	if (fd < 0)
		return fd;
	if (ioctl(fd, TIOCSPTLCK, &zero) < 0)
		return log_perr(-errno, "Failed to unlock pty %u", ti->pty->index);
	err = set_slave_state(c, fd, ti);
	if (err)
		return err;
	if (ioctl(fd, TIOCPKT, &pkt) < 0 || (ti->locked && ioctl(fd, TIOCSPTLCK, &one) < 0))
		return log_perr(-errno, "Failed to set packet mode and lock of pty %u",
				ti->pty->index);
	err = fd_set_status(fd, e->flags, "pty master", e->id);
	return err ? err : TAKE_FD(fd);
}

/* The master file of the pair of slave info @ti; NULL (logged) if none. */
static struct rst_file *master_file(struct rst_ctx *c, uint32_t index)
{
	int i;

	for (i = 0; i < c->nr_files; i++)
		if (c->files[i].fe->type == FD_TYPES__TTY && c->files[i].fe->tty &&
		    c->files[i].fe->tty->tty_info_id == tty_info_id(index, true))
			return &c->files[i];
	log_err(-ENOENT, "files.img: no master file of pty %u", index);
	return NULL;
}

struct rst_file *tty_depends(struct rst_ctx *c, struct rst_file *f)
{
	uint32_t id = f->fe->tty->tty_info_id;

	return id % 2 || id >= INFO_CONSOLE ? NULL : master_file(c, (id - 2) / 2);
}

static int open_slave(struct rst_ctx *c, const TtyFileEntry *e, const TtyInfoEntry *ti)
{
	struct rst_file *m = master_file(c, ti->pty->index);
	int zero = 0, one = 1, fd, err;

	if (!m || m->fd < 0)
		return log_err(-ENOENT, "Failed to open slave file %u: its master is not open", e->id);
	/* a locked pair may have slaves opened before it was locked */
	if (ti->locked && ioctl(m->fd, TIOCSPTLCK, &zero) < 0)
		return log_perr(-errno, "Failed to unlock pty %u", ti->pty->index);
	fd = ioctl(m->fd, TIOCGPTPEER, (e->flags & O_ACCMODE) | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open slave file %u of pty %u", e->id,
				ti->pty->index);
	err = ti->locked && ioctl(m->fd, TIOCSPTLCK, &one) < 0 ?
	      log_perr(-errno, "Failed to lock pty %u", ti->pty->index) :
	      fd_set_status(fd, e->flags, "pty slave", e->id);
	if (err)
		close(fd);
	return err ? err : fd;
}

/*
 * /dev/console by path; /dev/tty names the opener's controlling terminal,
 * so the tool holds /dev/null in its place until the post-fds step opens
 * it inside the task.
 */
static int open_special(const TtyFileEntry *e)
{
	bool ctty = e->tty_info_id == INFO_CTTY;
	const char *path = ctty ? "/dev/null" : "/dev/console";
	int fd = open(path, (e->flags & O_ACCMODE) | O_NOCTTY | O_CLOEXEC), err;

	if (e->tty_info_id != INFO_CTTY && e->tty_info_id != INFO_CONSOLE)
		return log_err(-EINVAL, "files.img: tty file %u: bad tty info id %#x", e->id,
			       e->tty_info_id);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s' for tty file %u", path, e->id);
	err = ctty ? 0 : fd_set_status(fd, e->flags, "console", e->id);
	if (err)
		close(fd);
	return err ? err : fd;
}

int tty_open(struct rst_ctx *c, struct rst_file *f)
{
	const TtyFileEntry *e = f->fe->tty;
	TtyInfoEntry *ti;
	int fd;

	if (e->tty_info_id >= INFO_CONSOLE)
		return open_special(e);
	ti = find_info(c, e->tty_info_id);
	if (!ti)
		return -ENOENT;
	fd = e->tty_info_id % 2 ? open_master(c, e, ti) : open_slave(c, e, ti);
	img_free_entry(ti);
	return fd;
}

/* The master info of the pty whose session @sid leads, or NULL. */
static TtyInfoEntry *session_info(struct rst_ctx *c, pid_t sid)
{
	struct img *img;
	TtyInfoEntry *ti = NULL;

	if (!img_exists(c->dfd, IMG_TTY_INFO, 0))
		return NULL;
	img = img_open(c->dfd, IMG_TTY_INFO, O_RDONLY, 0);
	while (img && img_read(img, (void **)&ti) > 0) {
		if (ti->id % 2 && ti->pty && (pid_t)ti->sid == sid)
			break;
		img_free_entry(ti);
		ti = NULL;
	}
	if (img)
		img_close(img);
	return ti;
}

int tty_skel_ctty(struct rst_ctx *c, struct rst_task *t)
{
	TtyInfoEntry *ti = t->sid == t->pid ? session_info(c, t->pid) : NULL;
	char name[64], path[PATH_MAX];
	int fd;

	if (!ti)
		return 0;
	snprintf(name, sizeof(name), "/dev/pts/%u", ti->pty->index);
	img_free_entry(ti);
	/* a session leader with no terminal gets the first it opens without O_NOCTTY;
	 * before its chroot, so a CT's is under the CT's root */
	fd = open(rst_path(c, name, path, sizeof(path)), O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The foreground group of the session @t leads, now that every group exists. */
int tty_post_task(struct rst_ctx *c, struct rst_task *t)
{
	TtyInfoEntry *ti = t->sid == t->pid ? session_info(c, t->pid) : NULL;
	struct infect *inf = &t->inf;
	char path[64];
	int pgrp;
	long fd, r;

	if (!ti)
		return 0;
	snprintf(path, sizeof(path), "/dev/pts/%u", ti->pty->index);
	pgrp = ti->pgrp;
	img_free_entry(ti);
	if (!pgrp)
		return 0;
	r = infect_poke(inf, inf->scratch + 64, path, sizeof(path)) ?:
	    infect_poke(inf, inf->scratch, &pgrp, sizeof(pgrp));
	if (r)
		return r;
	fd = infect_call(inf, "open its controlling terminal", NR_openat, AT_FDCWD,
			 inf->scratch + 64, O_RDWR | O_NOCTTY | O_CLOEXEC, 0, 0, 0);
	if (fd < 0)
		return fd;
	r = infect_call(inf, "set the foreground group", NR_ioctl, fd, TIOCSPGRP, inf->scratch, 0,
			0, 0);
	infect_call(inf, "close its terminal", NR_close, fd, 0, 0, 0, 0, 0);
	return r < 0 ? r : 0;
}

/* /dev/tty opened in the first holder, whose controlling terminal is in place */
static long open_ctty(struct rst_task *t, struct rst_file *f)
{
	struct infect *inf = &t->inf;
	long r = infect_poke(inf, inf->scratch, "/dev/tty", sizeof("/dev/tty"));

	return r ?: infect_call(inf, "open /dev/tty", NR_openat, AT_FDCWD, inf->scratch,
				(f->fe->tty->flags & ~O_CLOEXEC) | O_CLOEXEC, 0, 0, 0);
}

int tty_post(struct rst_ctx *c, struct rst_task *t, struct rst_file *f, int fd)
{
	return f->fe->tty->tty_info_id == INFO_CTTY ? rst_post_shared(c, t, f, fd, open_ctty) : 0;
}

