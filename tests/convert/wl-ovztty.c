// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload of tests/convert/live-tty.t: a pty pair as a container's shell
 * holds it, for the chain live tree -> cptlive (cpt file) -> ovz2img ->
 * vzcr restore. The slave gets its own termios (canonical, echo, ^H as
 * erase) and window size; two lines of
 * input wait unread on the slave and some output unread on the master.
 * After the restore it checks termios and window size, reads the queued
 * input and output back, and that the line discipline still echoes and
 * edits a canonical line with the erase character it was given.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tests/e2e/wl.h"

static int mfd, sfd;
static struct termios want;

/* All @fd has to read within @ms into @buf (NUL-terminated). */
static size_t drain(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;
	ssize_t r;

	while (n < size - 1 && poll(&p, 1, ms) == 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	return n;
}

static void setup(void)
{
	struct winsize ws = { .ws_row = 33, .ws_col = 101 };

	mfd = wl_must(posix_openpt(O_RDWR | O_NOCTTY), "posix_openpt");
	wl_must(unlockpt(mfd), "unlockpt");
	sfd = wl_must(open(ptsname(mfd), O_RDWR | O_NOCTTY), "open the slave");
	wl_must(tcgetattr(sfd, &want), "tcgetattr");
	want.c_lflag |= ICANON | ECHO | ECHOE;
	want.c_cc[VERASE] = '\b';
	want.c_cc[VKILL] = 025;
	wl_must(tcsetattr(sfd, TCSANOW, &want), "tcsetattr");
	wl_must(ioctl(sfd, TIOCSWINSZ, &ws), "TIOCSWINSZ");
	/* input the shell has not read yet, output the terminal has not shown */
	if (write(mfd, "ls -l\nwho\n", 10) != 10 || write(sfd, "prompt$ ", 8) != 8)
		wl_fail("pty write: %s", strerror(errno));
	usleep(50000);	/* the line discipline has taken it */
}

static void check(void)
{
	struct termios t;
	struct winsize ws;
	char buf[256];

	wl_check(tcgetattr(sfd, &t) == 0, "tcgetattr after restore: %s", strerror(errno));
	wl_check(t.c_lflag == want.c_lflag && t.c_iflag == want.c_iflag &&
		 t.c_oflag == want.c_oflag && t.c_cflag == want.c_cflag,
		 "termios flags as set (lflag %#x want %#x)", t.c_lflag, want.c_lflag);
	wl_check(!memcmp(t.c_cc, want.c_cc, sizeof(t.c_cc)), "control characters as set (VERASE %#x)",
		 t.c_cc[VERASE]);
	wl_check(ioctl(sfd, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 33 && ws.ws_col == 101,
		 "window size 33x101 (%ux%u)", ws.ws_row, ws.ws_col);
	drain(mfd, buf, sizeof(buf), 200);
	/* echo of the queued input came out before the dump: prompt last */
	wl_check(strstr(buf, "prompt$ ") != NULL, "queued output on the master ('%s')", buf);
	wl_check(drain(sfd, buf, sizeof(buf), 200) == 10 && !strcmp(buf, "ls -l\nwho\n"),
		 "queued input on the slave ('%s')", buf);
	/* canonical mode with echo: "ab^Hc\n" is the line "ac\n", echoed */
	if (write(mfd, "ab\bc\n", 5) != 5)
		wl_fail("pty write after restore: %s", strerror(errno));
	wl_check(drain(sfd, buf, sizeof(buf), 500) == 3 && !strcmp(buf, "ac\n"),
		 "a canonical line edited with ^H ('%s')", buf);
	drain(mfd, buf, sizeof(buf), 200);
	wl_check(!strncmp(buf, "ab\b \bc", 6), "the line echoed with the erase ('%s')", buf);
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
