// SPDX-License-Identifier: GPL-2.0-only
/*
 * cptlive's ttys: what an OpenVZ kernel kept of a Unix98 pty pair (note
 * section 6.4: index, lock, packet mode, the slave's termios, window size,
 * session, foreground group, exclusive mode, and both read buffers) read
 * through our pidfd_getfd copy of the master and a slave of our own, and
 * written as the TTY section with BITS children. Reading the buffers
 * consumes them: cptlive kills the tree after the dump (--kill).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "cptlive.h"
#include "cptw.h"

#define MAX_PTYS	8
#define BUF_MAX		8192

struct lpty {
	int index, file_m;
	int locked, pkt, excl;
	pid_t sid, pgrp;
	struct termios t;
	struct winsize ws;
	char out[BUF_MAX], in[BUF_MAX];
	size_t nout, nin;
	size_t obj_m, obj_s;
};

static struct lpty ptys[MAX_PTYS];
static int nptys;

/* Our copy of fd @fd of @pid. */
static int fd_copy(pid_t pid, int fd)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), r;

	r = pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

/* All a nonblocking @fd has to read (one canonical line a read) into @buf. */
static size_t take(int fd, char *buf)
{
	size_t n = 0;
	ssize_t r;

	while (n < BUF_MAX && (r = read(fd, buf + n, BUF_MAX - n)) > 0)
		n += r;
	return n;
}

static void one_pty(struct lpty *p, int mfd)
{
	int sfd, queued = 0;

	if (ioctl(mfd, TIOCGPTN, &p->index) < 0 || ioctl(mfd, TIOCGPTLCK, &p->locked) < 0 ||
	    ioctl(mfd, TIOCGPKT, &p->pkt) < 0 || ioctl(mfd, FIONREAD, &queued) < 0)
		die("the state of a pty master");
	if (ioctl(mfd, TIOCGSID, &p->sid) < 0)
		p->sid = 0;
	if (p->sid > 0 && ioctl(mfd, TIOCGPGRP, &p->pgrp) < 0)
		die("TIOCGPGRP");
	sfd = ioctl(mfd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (sfd < 0 || tcgetattr(sfd, &p->t) < 0 || ioctl(sfd, TIOCGWINSZ, &p->ws) < 0 ||
	    ioctl(sfd, TIOCGEXCL, &p->excl) < 0)
		die("the slave state of a pty");
	/* the master's description may block: read what it counts, no more */
	if (queued > 0 && read(mfd, p->out, queued < BUF_MAX ? queued : BUF_MAX) != queued)
		die("the output of a pty");
	p->nout = queued;
	p->nin = take(sfd, p->in);
	close(sfd);
}

void tty_collect(void)
{
	for (int k = 0; k < L.nfiles; k++) {
		struct lfile *f = &L.files[k];
		struct stat st;
		int fd;

		if (f->fd < 0 || !S_ISCHR(f->i_mode))
			continue;
		fd = fd_copy(f->pid, f->fd);
		if (fd < 0 || fstat(fd, &st) < 0)
			die("pidfd_getfd of a char device");
		if (st.st_rdev == makedev(5, 2)) {
			if (nptys == MAX_PTYS)
				die("too many ptys");
			ptys[nptys].file_m = k;
			one_pty(&ptys[nptys++], fd);
		}
		close(fd);
	}
}

/* The pty of file @file (master or slave); NULL if it is none. */
static struct lpty *pty_of(int file, bool *master)
{
	const struct lfile *f = &L.files[file];
	int n = -1;

	if (!S_ISCHR(f->i_mode))
		return NULL;
	if (!strncmp(f->path, "/dev/pts/", 9))
		n = atoi(f->path + 9);
	for (int i = 0; i < nptys; i++)
		if (ptys[i].file_m == file || ptys[i].index == n) {
			*master = ptys[i].file_m == file;
			return &ptys[i];
		}
	return NULL;
}

uint64_t tty_obj(int file)
{
	bool master;
	struct lpty *p = pty_of(file, &master);

	return !p ? UINT64_MAX : master ? p->obj_m : p->obj_s;
}

uint32_t tty_lflags(int file)
{
	bool master = false;

	return pty_of(file, &master) && master ? 0x4 : 0;	/* CPT_DENTRY_CLONING */
}

static void bits(struct cptw *w, const char *buf, size_t n)
{
	size_t b = w_obj(w, 4103, 24, 2);

	w32(w, b + 16, (uint32_t)n);
	w_data(w, buf, n);
	w_end(w, b);
}

static size_t tty_rec(struct cptw *w, const struct lpty *p, bool master)
{
	size_t o = w_obj(w, 7, 720, 1);

	w64(w, o + 16, master ? (p->locked ? 1ULL << 16 : 0) : (p->excl ? 1ULL << 3 : 0));
	w32(w, o + 24, p->index);
	w32(w, o + 28, p->index);
	w32(w, o + 32, 4);			/* PTY */
	w32(w, o + 36, master ? 1 : 2);
	w->d[o + 44] = master && p->pkt;
	if (master) {
		bits(w, p->out, p->nout);
		w_end(w, o);
		return o;
	}
	w32(w, o + 76, p->pgrp);
	w32(w, o + 80, p->sid);
	w32(w, o + 84, p->t.c_line);
	w16(w, o + 152, p->ws.ws_row);
	w16(w, o + 154, p->ws.ws_col);
	w16(w, o + 156, p->ws.ws_xpixel);
	w16(w, o + 158, p->ws.ws_ypixel);
	memcpy(w->d + o + 160, p->t.c_cc, 19);
	w32(w, o + 192, p->t.c_iflag);
	w32(w, o + 196, p->t.c_oflag);
	w32(w, o + 200, p->t.c_cflag);
	w32(w, o + 204, p->t.c_lflag);
	bits(w, p->in, p->nin);
	w_end(w, o);
	return o;
}

void sect_ttys(struct cptw *w)
{
	size_t s;

	if (!nptys)
		return;
	s = w_sect(w, 8);
	for (int i = 0; i < nptys; i++) {
		ptys[i].obj_m = tty_rec(w, &ptys[i], true);
		ptys[i].obj_s = tty_rec(w, &ptys[i], false);
	}
	w_end(w, s);
}
