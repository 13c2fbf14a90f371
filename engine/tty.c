// SPDX-License-Identifier: GPL-2.0-only
/*
 * Terminals, the dump (tty_restore.c restores them, tty_data.c moves queued
 * output). Unix98 pty pairs: the master (/dev/ptmx) and slave (/dev/pts/N)
 * files, and per side a TtyInfoEntry in tty-info.img with the pair's state, read
 * from the master (index, lock, packet mode, session and foreground group)
 * and from a slave the dump opens itself with TIOCGPTPEER (termios, locked
 * termios, window size, exclusive mode, owner).
 *
 * Restore: the tool opens /dev/ptmx until it gets the dumped index (on a
 * devpts of its own every index is free; on a shared one a taken index is
 * refused by name), sets the state through a slave of its own and opens
 * the task's slave files with TIOCGPTPEER. The skeleton of a session
 * leader opens its slave (no O_NOCTTY) before it forks its children, so
 * that they inherit the controlling terminal as the dumped ones had it; once
 * every group exists, the leader sets the foreground group (injected ioctl).
 * Output the master has not read and input the slave has not read go to
 * tty-data.img (tty_data.c); a canonical line not ended yet cannot be seen
 * (the kernel does not count it) and is not kept.
 *
 * /dev/console is reopened by path. /dev/tty means the opener's controlling
 * terminal, so the first task holding such a file opens it itself (in the
 * post-fds step, its terminal in place) and every other holder takes that
 * very file with pidfd_getfd, keeping it shared.
 */
#define LOG_PREFIX "tty: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "dump.h"
#include "fdkinds.h"
#include "log.h"
#include "tty.h"
#include "tty.pb-c.h"
#include "xmalloc.h"

/* queued output and input of a pair, taken at the dump */
struct pty_out {
	char *buf, *in;
	size_t len, in_len;
};

static bool is_master(const struct stat *st)
{
	return st->st_rdev == PTMX_RDEV;
}

bool tty_is_tty(const struct stat *st)
{
	return S_ISCHR(st->st_mode) &&
	       (is_master(st) || (major(st->st_rdev) >= 136 && major(st->st_rdev) <= 143) ||
		st->st_rdev == CTTY_RDEV || st->st_rdev == CONSOLE_RDEV);
}

static uint32_t slave_index(const struct stat *st)
{
	return (major(st->st_rdev) - 136) * 256 + minor(st->st_rdev);
}

static TermiosEntry *termios_new(const struct kterm *k)
{
	TermiosEntry *t = xmalloc(sizeof(*t));
	uint32_t *cc = xmalloc(TTY_NCC * sizeof(*cc));
	int i;

	if (!t || !cc) {
		free(t);
		free(cc);
		return NULL;
	}
	termios_entry__init(t);
	t->c_iflag = k->c_iflag;
	t->c_oflag = k->c_oflag;
	t->c_cflag = k->c_cflag;
	t->c_lflag = k->c_lflag;
	t->c_line = k->c_line;
	t->c_ispeed = k->c_ispeed;
	t->c_ospeed = k->c_ospeed;
	for (i = 0; i < TTY_NCC; i++)
		cc[i] = k->c_cc[i];
	t->n_c_cc = TTY_NCC;
	t->c_cc = cc;
	return t;
}

/* What the slave side holds: termios, window size, exclusive mode, owner. */
/* The slave's state into @ti; the bytes of input it has to read into *ret_queued. */
static int slave_state(TtyInfoEntry *ti, int sfd, const char *what, int *ret_queued)
{
	struct kterm k = {}, kl = {};
	struct winsize ws;
	struct stat st;
	int excl = 0;

	if (ioctl(sfd, K_TCGETS2, &k) < 0 || ioctl(sfd, TIOCGLCKTRMIOS, &kl) < 0 ||
	    ioctl(sfd, TIOCGWINSZ, &ws) < 0 || ioctl(sfd, TIOCGEXCL, &excl) < 0 ||
	    ioctl(sfd, FIONREAD, ret_queued) < 0 || fstat(sfd, &st) < 0)
		return log_perr(-errno, "Failed to read the slave state of %s", what);
	ti->termios = termios_new(&k);
	ti->termios_locked = termios_new(&kl);
	ti->winsize = xmalloc(sizeof(*ti->winsize));
	if (!ti->termios || !ti->termios_locked || !ti->winsize)
		return -ENOMEM;
	winsize_entry__init(ti->winsize);
	ti->winsize->ws_row = ws.ws_row;
	ti->winsize->ws_col = ws.ws_col;
	ti->winsize->ws_xpixel = ws.ws_xpixel;
	ti->winsize->ws_ypixel = ws.ws_ypixel;
	ti->exclusive = excl;
	ti->has_uid = ti->has_gid = true;
	ti->uid = st.st_uid;
	ti->gid = st.st_gid;
	return 0;
}

/* The state of the pair behind master @mfd into @ti (the master's side). */
static int pair_state(TtyInfoEntry *ti, int mfd, const char *what, struct pty_out *out)
{
	int index, locked = 0, pkt = 0, queued = 0, in_queued = 0, err;
	pid_t sid = 0, pgrp = 0;
	_cleanup_close_ int sfd = -EBADF;

	if (ioctl(mfd, TIOCGPTN, &index) < 0 || ioctl(mfd, TIOCGPTLCK, &locked) < 0 ||
	    ioctl(mfd, TIOCGPKT, &pkt) < 0 || ioctl(mfd, FIONREAD, &queued) < 0)
		return log_perr(-errno, "Failed to read the pty state of %s", what);
	/* packet mode interleaves status bytes; a locked pair has no slave to write it back */
	if (queued && (pkt || locked))
		return log_err(-EOPNOTSUPP, "Failed to dump %s: pty %d has %d bytes of output the master did not read, in packet mode or locked: not supported",
			       what, index, queued);
	/* on the master side these work whether or not the tty is ours */
	if (ioctl(mfd, TIOCGSID, &sid) < 0 && errno != ENOTTY)
		return log_perr(-errno, "Failed to read the session of %s", what);
	if (sid > 0 && ioctl(mfd, TIOCGPGRP, &pgrp) < 0)
		return log_perr(-errno, "Failed to read the foreground group of %s", what);
	ti->type = TTY_TYPE__PTY;
	ti->locked = locked;
	ti->packet_mode = pkt;
	ti->sid = sid > 0 ? sid : 0;
	ti->pgrp = sid > 0 ? pgrp : 0;
	ti->pty = xmalloc(sizeof(*ti->pty));
	if (!ti->pty)
		return -ENOMEM;
	tty_pty_entry__init(ti->pty);
	ti->pty->index = index;
	if (locked)
		return 0;	/* no slave can be opened: nothing was set on it either */
	sfd = ioctl(mfd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (sfd < 0)
		return log_perr(-errno, "Failed to open the slave of %s", what);
	err = slave_state(ti, sfd, what, &in_queued);
	if (!err && queued)
		err = tty_data_take(mfd, sfd, index, &out->buf, &out->len, what);
	if (!err && in_queued)
		err = tty_input_take(mfd, sfd, in_queued, index, &out->in, &out->in_len, what);
	return err;
}

/*
 * The pty's session and foreground group as the tree's pid namespace sees
 * them: the ioctls give the dumper's view (host pids in a CT).
 */
static int pair_vpids(TtyInfoEntry *ti, const struct pstree *tree, const char *what)
{
	pid_t sid = ti->sid, pgrp = ti->pgrp;
	int i;

	if (!tree->pidns || !sid)
		return 0;
	ti->sid = ti->pgrp = 0;
	for (i = 0; i < tree->nr; i++) {
		if (tree->items[i]->sid == sid)
			ti->sid = tree->items[i]->vsid;
		if (tree->items[i]->pgid == pgrp)
			ti->pgrp = tree->items[i]->vpgid;
	}
	if (!ti->sid)
		return log_err(-EOPNOTSUPP, "Failed to dump %s: the session %d of pty %u is not in the tree: not supported",
			       what, sid, ti->pty->index);
	return 0;
}

static int write_data(struct img *data, uint32_t id, char *buf, size_t len)
{
	TtyDataEntry de = TTY_DATA_ENTRY__INIT;

	de.tty_id = id;
	de.data.data = (uint8_t *)buf;
	de.data.len = len;
	return img_write(data, &de);
}

/* Both infos of the pair behind master @mfd to @img, its queued data to @data. */
static int write_pair(struct img *img, struct img *data, int mfd, const struct pstree *tree,
		      const char *what)
{
	TtyInfoEntry ti = TTY_INFO_ENTRY__INIT;
	struct pty_out out = {};
	struct stat st;
	int err = pair_state(&ti, mfd, what, &out) ?: pair_vpids(&ti, tree, what);

	if (!err) {
		ti.id = tty_info_id(ti.pty->index, true);
		ti.rdev = PTMX_RDEV;
		err = img_write(img, &ti);
	}
	if (!err) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/pts/%u", ti.pty->index);
		ti.id = tty_info_id(ti.pty->index, false);
		ti.rdev = !stat(path, &st) ? st.st_rdev : makedev(136 + ti.pty->index / 256,
								  ti.pty->index % 256);
		err = img_write(img, &ti);
	}
	if (!err && out.len)	/* the slave wrote it */
		err = write_data(data, ti.id, out.buf, out.len);
	if (!err && out.in_len)	/* the master wrote it */
		err = write_data(data, tty_info_id(ti.pty->index, true), out.in, out.in_len);
	free(out.buf);
	free(out.in);
	if (ti.pty)
		tty_pty_entry__free_unpacked(ti.pty, NULL);
	if (ti.termios)
		termios_entry__free_unpacked(ti.termios, NULL);
	if (ti.termios_locked)
		termios_entry__free_unpacked(ti.termios_locked, NULL);
	if (ti.winsize)
		winsize_entry__free_unpacked(ti.winsize, NULL);
	return err;
}

/* /dev/console or /dev/tty: the tty's state stays where it is, on the host or the session */
static int write_special(struct img *img, uint32_t id)
{
	TtyInfoEntry ti = TTY_INFO_ENTRY__INIT;

	ti.id = id;
	ti.type = id == INFO_CTTY ? TTY_TYPE__CTTY : TTY_TYPE__CONSOLE;
	ti.rdev = id == INFO_CTTY ? CTTY_RDEV : CONSOLE_RDEV;
	return img_write(img, &ti);
}

/* Is @o (entry @i, or the new one) the first file of its info id? */
static bool first_of(struct file_table *t, size_t i, const struct file_desc *o)
{
	size_t j;

	for (j = 0; j < i && j < t->n; j++)
		if (t->v[j].fe && t->v[j].fe->type == FD_TYPES__TTY &&
		    t->v[j].fe->tty->tty_info_id == o->fe->tty->tty_info_id)
			return false;
	return true;
}

/* tty-info.img again, with every master of the table and @d; 0 or -errno. */
static int write_infos(struct dump_ctx *c, struct file_desc *d, const char *what)
{
	struct file_table *t = &c->files;
	int dfd = c->dfd;
	struct img *img = img_open(dfd, IMG_TTY_INFO, O_WRONLY, 0);
	struct img *data = img ? img_open(dfd, IMG_TTY_DATA, O_WRONLY, 0) : NULL;
	size_t i;
	int err = 0;

	if (!data) {
		err = -errno;
		if (img)
			img_abort(img);
		return err;
	}
	for (i = 0; i <= t->n && !err; i++) {
		struct file_desc *o = i < t->n ? &t->v[i] : d;
		struct stat st;

		if (!o->fe || o->fe->type != FD_TYPES__TTY || fstat(o->local_fd, &st))
			continue;
		if (is_master(&st))
			err = write_pair(img, data, o->local_fd, &c->tree, what);
		else if (o->fe->tty->tty_info_id >= INFO_CONSOLE && first_of(t, i, o))
			err = write_special(img, o->fe->tty->tty_info_id);
	}
	if (err) {
		img_abort(img);
		img_abort(data);
		return err;
	}
	err = img_close(img);
	return err ? (img_abort(data), err) : img_close(data);
}

/* Does a task of the tree hold the master of pty @index? */
static bool master_in_tree(struct dump_ctx *c, uint32_t index)
{
	int i;

	for (i = 0; i < c->tree.nr; i++) {
		_cleanup_closedir_ DIR *d = NULL;
		_cleanup_close_ int pidfd = -EBADF;
		struct dirent *de;
		char path[64];

		if (c->tree.items[i]->zombie)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", c->tree.items[i]->pid);
		d = opendir(path);
		pidfd = syscall(SYS_pidfd_open, c->tree.items[i]->pid, 0);
		while (d && pidfd >= 0 && (de = readdir(d))) {
			struct stat st;
			int fd, n = -1;

			if (fstatat(dirfd(d), de->d_name, &st, 0) || !is_master(&st))
				continue;
			fd = syscall(SYS_pidfd_getfd, pidfd, atoi(de->d_name), 0);
			if (fd >= 0 && ioctl(fd, TIOCGPTN, &n) < 0)
				n = -1;
			if (fd >= 0)
				close(fd);
			if (n >= 0 && (uint32_t)n == index)
				return true;
		}
	}
	return false;
}

static int tty_make(struct file_desc *d, void *arg)
{
	struct fd_src *s = arg;
	TtyFileEntry *e;
	char what[96];
	int index = -1;

	e = FD_ENTRY_NEW(d, s, FD_TYPES__TTY, tty, tty_file_entry__init);
	if (!e)
		return -ENOMEM;
	snprintf(what, sizeof(what), "task %d fd %d ('%s')", s->pid, s->fd, s->link);
	if (s->st->st_rdev == CTTY_RDEV || s->st->st_rdev == CONSOLE_RDEV) {
		e->tty_info_id = s->st->st_rdev == CTTY_RDEV ? INFO_CTTY : INFO_CONSOLE;
		return write_infos(s->c, d, what);
	}
	if (!is_master(s->st)) {
		e->tty_info_id = tty_info_id(slave_index(s->st), false);
		if (!master_in_tree(s->c, slave_index(s->st)))
			return log_err(-EOPNOTSUPP, "Failed to dump %s: the master of pty %u is not in the tree: not supported",
				       what, slave_index(s->st));
		return 0;
	}
	if (ioctl(d->local_fd, TIOCGPTN, &index) < 0)
		return log_perr(-errno, "Failed to read the pty index of %s", what);
	e->tty_info_id = tty_info_id(index, true);
	return write_infos(s->c, d, what);
}

static bool tty_has(const FileEntry *fe)
{
	return fe->tty;
}

const struct fd_kind fd_kind_tty = {
	.type = FD_TYPES__TTY,
	.name = "tty",
	.make = tty_make,
	.has_payload = tty_has,
	.open = tty_open,
	.depends = tty_depends,
	.post = tty_post,
	.post_every = true,
	.post_task = tty_post_task,
};
