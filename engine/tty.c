// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unix98 pty pairs: the master (/dev/ptmx) and slave (/dev/pts/N) files,
 * and per side a TtyInfoEntry in tty-info.img with the pair's state, read
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
 * Data queued in either direction cannot be put back: such a pair is
 * refused.
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

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "dump.h"
#include "fdkinds.h"
#include "infect.h"
#include "log.h"
#include "restore.h"
#include "tty.pb-c.h"
#include "xmalloc.h"

#define PTMX_RDEV	makedev(5, 2)
#define CTTY_RDEV	makedev(5, 0)	/* /dev/tty */
#define CONSOLE_RDEV	makedev(5, 1)
/* info ids of /dev/tty and /dev/console files, past every pty's */
#define INFO_CONSOLE	0xfffffff0U
#define INFO_CTTY	0xfffffff2U
#define TTY_NCC		19		/* the kernel's termios has 19 control chars */
#define MAX_PTYS	4096		/* ptmx opens to reach an index */

/* the kernel's struct termios2 (asm/termbits.h clashes with <termios.h>) */
struct kterm {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line, c_cc[TTY_NCC];
	uint32_t c_ispeed, c_ospeed;
};
#define K_TCGETS2	_IOR('T', 0x2A, struct kterm)
#define K_TCSETS2	_IOW('T', 0x2B, struct kterm)

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

/* info ids: two a pair, the master's first */
static uint32_t info_id(uint32_t index, bool master)
{
	return index * 2 + (master ? 1 : 2);
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

/* What the slave side holds: termios, window size, exclusive mode, owner. */
static int slave_state(TtyInfoEntry *ti, int sfd, const char *what)
{
	struct kterm k = {}, kl = {};
	struct winsize ws;
	struct stat st;
	int excl = 0, queued = 0;

	if (ioctl(sfd, K_TCGETS2, &k) < 0 || ioctl(sfd, TIOCGLCKTRMIOS, &kl) < 0 ||
	    ioctl(sfd, TIOCGWINSZ, &ws) < 0 || ioctl(sfd, TIOCGEXCL, &excl) < 0 ||
	    ioctl(sfd, FIONREAD, &queued) < 0 || fstat(sfd, &st) < 0)
		return log_perr(-errno, "Failed to read the slave state of %s", what);
	if (queued)
		return log_err(-EOPNOTSUPP, "Failed to dump %s: %d bytes of input wait to be read by the slave: not supported",
			       what, queued);
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
static int pair_state(TtyInfoEntry *ti, int mfd, const char *what)
{
	int index, locked = 0, pkt = 0, queued = 0, err;
	pid_t sid = 0, pgrp = 0;
	_cleanup_close_ int sfd = -EBADF;

	if (ioctl(mfd, TIOCGPTN, &index) < 0 || ioctl(mfd, TIOCGPTLCK, &locked) < 0 ||
	    ioctl(mfd, TIOCGPKT, &pkt) < 0 || ioctl(mfd, FIONREAD, &queued) < 0)
		return log_perr(-errno, "Failed to read the pty state of %s", what);
	if (queued)
		return log_err(-EOPNOTSUPP, "Failed to dump %s: pty %d has %d bytes of output the master did not read: not supported",
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
	err = slave_state(ti, sfd, what);
	return err;
}

/* Both infos of the pair behind master @mfd to @img. */
static int write_pair(struct img *img, int mfd, const char *what)
{
	TtyInfoEntry ti = TTY_INFO_ENTRY__INIT;
	struct stat st;
	int err = pair_state(&ti, mfd, what);

	if (!err) {
		ti.id = info_id(ti.pty->index, true);
		ti.rdev = PTMX_RDEV;
		err = img_write(img, &ti);
	}
	if (!err) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/pts/%u", ti.pty->index);
		ti.id = info_id(ti.pty->index, false);
		ti.rdev = !stat(path, &st) ? st.st_rdev : makedev(136 + ti.pty->index / 256,
								  ti.pty->index % 256);
		err = img_write(img, &ti);
	}
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
static int write_infos(struct file_table *t, struct file_desc *d, int dfd, const char *what)
{
	struct img *img = img_open(dfd, IMG_TTY_INFO, O_WRONLY, 0);
	size_t i;
	int err = 0;

	if (!img)
		return -errno;
	for (i = 0; i <= t->n && !err; i++) {
		struct file_desc *o = i < t->n ? &t->v[i] : d;
		struct stat st;

		if (!o->fe || o->fe->type != FD_TYPES__TTY || fstat(o->local_fd, &st))
			continue;
		if (is_master(&st))
			err = write_pair(img, o->local_fd, what);
		else if (o->fe->tty->tty_info_id >= INFO_CONSOLE && first_of(t, i, o))
			err = write_special(img, o->fe->tty->tty_info_id);
	}
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
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
	TtyFileEntry *e = xmalloc(sizeof(*e));
	char what[96];
	int index = -1;

	d->fe = file_entry_new(FD_TYPES__TTY, d->id);
	if (!e || !d->fe) {
		free(e);
		return -ENOMEM;
	}
	tty_file_entry__init(e);
	d->fe->tty = e;
	e->id = d->id;
	e->flags = s->flags & ~O_CLOEXEC;
	e->fown = fown_new();
	if (!e->fown)
		return -ENOMEM;
	snprintf(what, sizeof(what), "task %d fd %d ('%s')", s->pid, s->fd, s->link);
	if (s->st->st_rdev == CTTY_RDEV || s->st->st_rdev == CONSOLE_RDEV) {
		e->tty_info_id = s->st->st_rdev == CTTY_RDEV ? INFO_CTTY : INFO_CONSOLE;
		return write_infos(&s->c->files, d, s->c->dfd, what);
	}
	if (!is_master(s->st)) {
		e->tty_info_id = info_id(slave_index(s->st), false);
		if (!master_in_tree(s->c, slave_index(s->st)))
			return log_err(-EOPNOTSUPP, "Failed to dump %s: the master of pty %u is not in the tree: not supported",
				       what, slave_index(s->st));
		return 0;
	}
	if (ioctl(d->local_fd, TIOCGPTN, &index) < 0)
		return log_perr(-errno, "Failed to read the pty index of %s", what);
	e->tty_info_id = info_id(index, true);
	return write_infos(&s->c->files, d, s->c->dfd, what);
}

static bool tty_has(const FileEntry *fe)
{
	return fe->tty;
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

/* A new master with index @index: ptmx hands out the lowest free index. */
static int open_index(uint32_t index)
{
	_cleanup_free_ int *extra = xmalloc(MAX_PTYS * sizeof(int));
	int n = 0, fd = -1, got = -1, err = 0;

	if (!extra)
		return -ENOMEM;
	while (!err) {
		fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
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

/* Termios, locked termios, window size, exclusive mode, owner through a slave. */
static int set_slave_state(int mfd, const TtyInfoEntry *ti)
{
	_cleanup_close_ int sfd = ioctl(mfd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct kterm k, kl;
	struct winsize ws;
	uint32_t idx = ti->pty->index;

	if (sfd < 0)
		return log_perr(-errno, "Failed to open the slave of pty %u", idx);
	if (ti->termios && (termios_get(ti->termios, &k, ti->id) || ioctl(sfd, K_TCSETS2, &k) < 0))
		return log_perr(-errno, "Failed to set the termios of pty %u", idx);
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

static int open_master(const TtyFileEntry *e, const TtyInfoEntry *ti)
{
	_cleanup_close_ int fd = open_index(ti->pty->index);
	int zero = 0, one = 1, pkt = ti->packet_mode, err;

	if (fd < 0)
		return fd;
	if (ioctl(fd, TIOCSPTLCK, &zero) < 0)
		return log_perr(-errno, "Failed to unlock pty %u", ti->pty->index);
	err = set_slave_state(fd, ti);
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
		    c->files[i].fe->tty->tty_info_id == info_id(index, true))
			return &c->files[i];
	log_err(-ENOENT, "files.img: no master file of pty %u", index);
	return NULL;
}

static struct rst_file *tty_depends(struct rst_ctx *c, struct rst_file *f)
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

static int tty_open(struct rst_ctx *c, struct rst_file *f)
{
	const TtyFileEntry *e = f->fe->tty;
	TtyInfoEntry *ti;
	int fd;

	if (e->tty_info_id >= INFO_CONSOLE)
		return open_special(e);
	ti = find_info(c, e->tty_info_id);
	if (!ti)
		return -ENOENT;
	fd = e->tty_info_id % 2 ? open_master(e, ti) : open_slave(c, e, ti);
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
	char path[64];
	int fd;

	if (!ti)
		return 0;
	snprintf(path, sizeof(path), "/dev/pts/%u", ti->pty->index);
	img_free_entry(ti);
	/* a session leader with no terminal gets the first it opens without O_NOCTTY */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The foreground group of the session @t leads, now that every group exists. */
static int tty_post_task(struct rst_ctx *c, struct rst_task *t)
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

static int tty_post(struct rst_ctx *c, struct rst_task *t, struct rst_file *f, int fd)
{
	return f->fe->tty->tty_info_id == INFO_CTTY ? rst_post_shared(c, t, f, fd, open_ctty) : 0;
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
