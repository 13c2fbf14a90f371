// SPDX-License-Identifier: GPL-2.0-only
/*
 * pty pairs across checkpoint/restore: a pair with its termios (a changed
 * erase character, speed, canonical mode with echo) and window size that
 * still edits and echoes lines after the restore, at the same index; a
 * locked pair in packet mode; the controlling terminal of a session (a
 * child) with a grandchild's group in the foreground, and a /dev/tty file
 * both share; output queued for the master and input for the slave (a
 * line, and one ended by VEOF); /dev/console.
 * WL_TTY_QUEUE=1: output waits for a master in packet mode (the dump must
 * refuse it).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "wl.h"

static int ma, sa, mb, index_b, cons = -1, ct;
static char name_a[64];
static pid_t child;

static int must(long r, const char *what)
{
	if (r < 0) {
		wl_fail("setup: %s: %s", what, strerror(errno));
		wl_ready();
		exit(wl_done());
	}
	return r;
}

static void wait_go(void)
{
	while (!wl_go())
		usleep(20000);
}

/* The grandchild: the foreground group of the child's terminal. */
static __attribute__((noreturn)) void grandchild_main(int fd)
{
	struct stat st = {};
	int t;

	wait_go();
	if (getpgrp() != getpid() || tcgetpgrp(fd) != getpid())
		_exit(31);
	if (tcgetsid(fd) != getppid())
		_exit(32);
	t = open("/dev/tty", O_RDWR);
	if (t < 0)
		_exit(33);
	if (!fstat(ct, &st) && st.st_rdev != makedev(5, 0))
		_exit(34);
	if (write(ct, "G", 1) != 1)
		_exit(35);
	_exit(0);
}

/* The child: a session whose controlling terminal is pair A's slave. */
static __attribute__((noreturn)) void child_main(void)
{
	pid_t g;
	int fd, st, t;

	if (setsid() < 0 || (fd = open(name_a, O_RDWR)) < 0)
		_exit(20);
	/* the terminal by its other name, shared with the grandchild */
	ct = open("/dev/tty", O_RDWR);
	if (ct < 0)
		_exit(25);
	g = fork();
	if (g == 0)
		grandchild_main(fd);
	signal(SIGTTOU, SIG_IGN);
	if (g < 0 || setpgid(g, g) < 0 || tcsetpgrp(fd, g) < 0)
		_exit(21);
	wait_go();
	if (tcgetsid(fd) != getpid() || tcgetpgrp(fd) != g)
		_exit(22);
	t = open("/dev/tty", O_RDWR);
	if (t < 0 || write(ct, "C", 1) != 1)
		_exit(23);
	kill(g, SIGUSR2);
	if (waitpid(g, &st, 0) != g || !WIFEXITED(st))
		_exit(24);
	_exit(WEXITSTATUS(st));
}

static void setup(void)
{
	struct winsize ws = { 33, 111, 0, 0 };
	struct termios t;
	int one = 1;

	ma = must(posix_openpt(O_RDWR | O_NOCTTY), "posix_openpt");
	must(grantpt(ma) | unlockpt(ma), "unlockpt");
	snprintf(name_a, sizeof(name_a), "%s", ptsname(ma));
	sa = must(open(name_a, O_RDWR | O_NOCTTY), "open slave");
	must(tcgetattr(sa, &t), "tcgetattr");
	t.c_lflag |= ICANON | ECHO | ECHOE;
	t.c_oflag |= OPOST | ONLCR;
	t.c_cc[VERASE] = 'X';
	cfsetispeed(&t, B9600);
	cfsetospeed(&t, B9600);
	must(tcsetattr(sa, TCSANOW, &t), "tcsetattr");
	must(ioctl(sa, TIOCSWINSZ, &ws), "TIOCSWINSZ");
	mb = must(posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK), "posix_openpt");
	must(ioctl(mb, TIOCPKT, &one), "TIOCPKT");
	must(ioctl(mb, TIOCGPTN, &index_b), "TIOCGPTN");
	cons = open("/dev/console", O_RDONLY | O_NOCTTY);	/* root only */
	child = must(fork(), "fork");
	if (child == 0)
		child_main();
	/* output the master has not read: it must come back as it is, "\r\n" and all */
	must(write(sa, "out\n", 4), "write");
	/* input the slave has not read: a line, and one ended by VEOF (^D), echoed */
	must(write(ma, "in1\nab\x04", 7), "write");
	if (getenv("WL_TTY_QUEUE")) {
		/* output for a master in packet mode (the dump must refuse it) */
		int sb;

		must(unlockpt(mb), "unlockpt");
		sb = must(open(ptsname(mb), O_RDWR | O_NOCTTY), "open slave b");
		must(write(sb, "x", 1), "write");
	}
}

/* Read what is there within 5 s (the tty layer hands data on from a worker). */
static ssize_t read_some(int fd, char *b, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 5000) != 1)
		return -1;
	return read(fd, b, len);
}

static void check(void)
{
	struct winsize ws = {};
	struct termios t = {};
	char b[64] = "";
	int v = -1, st;
	ssize_t n;

	n = read_some(ma, b, sizeof(b) - 1);
	wl_check(n == 12 && !memcmp(b, "out\r\nin1\r\nab", 12),
		 "pty a: the output queued at the dump, with the echo of the input (%zd bytes)", n);
	n = read_some(sa, b, sizeof(b) - 1);
	wl_check(n == 4 && !memcmp(b, "in1\n", 4), "pty a: the input line queued at the dump (%zd)", n);
	n = read_some(sa, b, sizeof(b) - 1);
	wl_check(n == 2 && !memcmp(b, "ab", 2), "pty a: the input ended by VEOF (%zd)", n);
	wl_check(!strcmp(ptsname(ma), name_a), "pty a: index kept (%s, was %s)", ptsname(ma), name_a);
	wl_check(!tcgetattr(sa, &t) && t.c_cc[VERASE] == 'X' && cfgetospeed(&t) == B9600 &&
		 (t.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO), "pty a: termios");
	wl_check(!ioctl(sa, TIOCGWINSZ, &ws) && ws.ws_row == 33 && ws.ws_col == 111,
		 "pty a: window size %ux%u", ws.ws_row, ws.ws_col);
	/* the line discipline edits the line with our erase character */
	wl_check(write(ma, "abXc\n", 5) == 5, "pty a: write to the master");
	n = read_some(sa, b, sizeof(b) - 1);
	wl_check(n == 3 && !memcmp(b, "ac\n", 3), "pty a: the slave reads the edited line (%zd)", n);
	memset(b, 0, sizeof(b));
	n = read_some(ma, b, sizeof(b) - 1);
	wl_check(n >= 4 && !memcmp(b, "ab", 2) && !memcmp(b + n - 3, "c\r\n", 3),
		 "pty a: the master reads the echo (%zd bytes)", n);
	wl_check(!ioctl(mb, TIOCGPKT, &v) && v == 1, "pty b: packet mode");
	wl_check(!ioctl(mb, TIOCGPTLCK, &v) && v == 1, "pty b: locked");
	wl_check(!ioctl(mb, TIOCGPTN, &v) && v == index_b, "pty b: index %d (was %d)", v, index_b);
	wl_check(ioctl(mb, TIOCGPTPEER, O_RDWR | O_NOCTTY) < 0 && errno == EIO,
		 "pty b: no slave opens while locked");
	kill(child, SIGUSR2);
	wl_check(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st),
		 "pty session: child status %#x", st);
	memset(b, 0, sizeof(b));
	n = read_some(ma, b, sizeof(b) - 1);
	wl_check(n == 2 && strchr(b, 'C') && strchr(b, 'G'),
		 "pty a: child and grandchild wrote through /dev/tty ('%s')", b);
	if (cons >= 0) {
		struct stat cs = {};

		wl_check(!fstat(cons, &cs) && cs.st_rdev == makedev(5, 1) &&
			 (fcntl(cons, F_GETFL) & O_ACCMODE) == O_RDONLY, "/dev/console kept");
	}
}

int main(int argc, char **argv)
{
	wl_init(argc, argv);
	setup();
	wl_ready();
	wl_wait();
	check();
	return wl_done();
}
