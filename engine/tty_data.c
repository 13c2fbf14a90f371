// SPDX-License-Identifier: GPL-2.0-only
/*
 * Queued pty output (tty.h). Reading it from the master consumes it, so
 * the dump writes it straight back through a slave of its own with output
 * processing off (OPOST cleared for the write): the master's read buffer
 * then holds the very bytes it held, "\r\n" included, and so does the
 * restored pair. Input the slave has not read is read line by line and
 * written back on the master with the slave's editing off. A canonical
 * line not ended yet is neither counted nor readable (n_tty shows it only
 * when canonical mode is switched off, which would end it): it stays in
 * the live pair and is missing from the image.
 */
#define LOG_PREFIX "tty: "
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "tty.h"
#include "tty.pb-c.h"
#include "xmalloc.h"

#define MAX_QUEUED	(256U << 10)	/* more than a pty buffers */
#define SETTLE_CHECKS	3		/* 1 ms apart, with nothing to read */

int tty_data_put(int sfd, const void *buf, size_t len, uint32_t index)
{
	struct termios t, raw;
	ssize_t n;
	int err = 0;

	if (tcgetattr(sfd, &t) < 0)
		return log_perr(-errno, "Failed to read the termios of pty %u", index);
	raw = t;
	raw.c_oflag &= ~OPOST;
	if (tcsetattr(sfd, TCSANOW, &raw) < 0)
		return log_perr(-errno, "Failed to turn output processing off on pty %u", index);
	for (size_t done = 0; !err && done < len; done += n) {
		n = write(sfd, (const char *)buf + done, len - done);
		if (n <= 0)
			err = log_perr(n < 0 ? -errno : -EIO, "Failed to queue %zu bytes of output on pty %u",
				       len, index);
	}
	if (tcsetattr(sfd, TCSANOW, &t) < 0 && !err)
		err = log_perr(-errno, "Failed to put the termios of pty %u back", index);
	return err;
}

/*
 * Read all master @fd has to read: until it has had nothing for a few
 * milliseconds, as the tty layer hands data on to the line discipline in a
 * worker (past 4 KiB the rest waits in its buffers). Bytes read, or -errno.
 */
static ssize_t read_all(int fd, char *buf, size_t max, const char *what)
{
	int quiet = 0, n;
	size_t done = 0;
	ssize_t r;

	while (quiet < SETTLE_CHECKS) {
		if (ioctl(fd, FIONREAD, &n) < 0)
			return log_perr(-errno, "Failed to count the queued output of %s", what);
		if (!n) {
			quiet++;
			usleep(1000);
			continue;
		}
		quiet = 0;
		if (done + n > max)
			return log_err(-EOPNOTSUPP, "Failed to dump %s: more than %zu bytes of output queued: not supported",
				       what, max);
		r = read(fd, buf + done, n);	/* n bytes are there: no wait */
		if (r <= 0)
			return log_perr(r < 0 ? -errno : -EIO, "Failed to read the queued output of %s",
					what);
		done += r;
	}
	return done;
}

int tty_data_take(int mfd, int sfd, uint32_t index, char **ret_buf, size_t *ret_len,
		  const char *what)
{
	_cleanup_free_ char *buf = xmalloc(MAX_QUEUED);
	ssize_t n;
	int err;

	if (!buf)
		return -ENOMEM;
	n = read_all(mfd, buf, MAX_QUEUED, what);
	if (n <= 0)
		return n;
	/* back in the pair before anything else can fail */
	err = tty_data_put(sfd, buf, n, index);
	if (err)
		return err;
	*ret_buf = TAKE_PTR(buf);
	*ret_len = n;
	return 0;
}

ssize_t tty_data_find(int dfd, uint32_t id, char **ret_buf)
{
	struct img *img;
	TtyDataEntry *de;
	ssize_t ret;

	*ret_buf = NULL;
	if (!img_exists(dfd, IMG_TTY_DATA, 0))
		return 0;
	img = img_open(dfd, IMG_TTY_DATA, O_RDONLY, 0);
	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&de)) > 0) {
		if (de->tty_id == id) {
			*ret_buf = xmalloc(de->data.len ?: 1);
			ret = *ret_buf ? (ssize_t)de->data.len : -ENOMEM;
			if (*ret_buf)
				memcpy(*ret_buf, de->data.data, de->data.len);
			img_free_entry(de);
			break;
		}
		img_free_entry(de);
	}
	img_close(img);
	return ret;
}

/*
 * Input the slave has not read, back into the line discipline: written on
 * the master with echo, signals and every editing character off (so bytes
 * stay as they are) but the slave's canonical mode and line ends as they
 * are, so lines form again as they were; VEOF ends a line the user pushed
 * with it. Waits until the slave has all @expect bytes to read.
 */
int tty_input_put(int mfd, int sfd, const void *buf, size_t len, int expect, uint32_t index)
{
	static const int edit[] = { VINTR, VQUIT, VERASE, VKILL, VSTART, VSTOP, VSUSP,
				    VREPRINT, VDISCARD, VWERASE, VLNEXT };
	struct termios t, raw;
	int err = 0, have = -1, i;

	if (tcgetattr(sfd, &t) < 0)
		return log_perr(-errno, "Failed to read the termios of pty %u", index);
	raw = t;
	raw.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL | ECHOCTL | ECHOKE | ECHOPRT | ISIG | IEXTEN);
	raw.c_iflag &= ~(ICRNL | INLCR | IGNCR | ISTRIP | IUCLC | IXON | IXOFF | INPCK | PARMRK);
	for (i = 0; i < (int)(sizeof(edit) / sizeof(edit[0])); i++)
		raw.c_cc[edit[i]] = _POSIX_VDISABLE;
	if (tcsetattr(sfd, TCSANOW, &raw) < 0)
		return log_perr(-errno, "Failed to turn input processing off on pty %u", index);
	if (write(mfd, buf, len) != (ssize_t)len)
		err = log_perr(-errno, "Failed to queue %zu bytes of input on pty %u", len, index);
	/* the line discipline takes it in a worker, under the termios of that moment */
	for (i = 0; !err && i < 1000 && have != expect; i++) {
		if (ioctl(sfd, FIONREAD, &have) < 0)
			err = log_perr(-errno, "Failed to count the input of pty %u", index);
		else if (have != expect)
			usleep(1000);
	}
	/* past 4 KiB the line discipline is full and the rest waits for a reader */
	if (!err && have != expect)
		pr_warn("Pty %u: %d of %d bytes of input in the line discipline after 1 s, ignoring",
			index, have, expect);
	if (tcsetattr(sfd, TCSANOW, &t) < 0 && !err)
		err = log_perr(-errno, "Failed to put the termios of pty %u back", index);
	return err;
}

/* One read of the slave's input into @b at *len, VEOF added where a line had it. */
static int take_line(int sfd, const struct termios *t, char *b, size_t *len, size_t max)
{
	bool canon = t->c_lflag & ICANON;
	cc_t eof = t->c_cc[VEOF], eol = t->c_cc[VEOL], eol2 = t->c_cc[VEOL2];
	ssize_t n = read(sfd, b + *len, max - *len - 1);
	char last;

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (canon && (eof == _POSIX_VDISABLE || memchr(b + *len, eof, n)))
		return -EOPNOTSUPP;	/* a line pushed with VEOF we could not push again */
	*len += n;
	if (!canon)
		return n ? 1 : 0;
	last = n ? b[*len - 1] : 0;
	if (!n || (last != '\n' && (eol == _POSIX_VDISABLE || last != (char)eol) &&
		   (eol2 == _POSIX_VDISABLE || last != (char)eol2)))
		b[(*len)++] = eof;	/* canonical reads stop at line ends: this one was VEOF */
	return 1;
}

int tty_input_take(int mfd, int sfd, int queued, uint32_t index, char **ret_buf,
		   size_t *ret_len, const char *what)
{
	size_t max = 2 * (size_t)MAX_QUEUED, len = 0;
	_cleanup_free_ char *buf = xmalloc(max);
	struct termios t;
	int ldisc = -1, r = 1, i, quiet, err;

	if (!buf)
		return -ENOMEM;
	if (tcgetattr(sfd, &t) < 0 || ioctl(sfd, TIOCGETD, &ldisc) < 0)
		return log_perr(-errno, "Failed to read the line discipline of %s", what);
	if (ldisc != N_TTY)
		return log_err(-EOPNOTSUPP, "Failed to dump %s: pty %u has %d bytes of input under line discipline %d: not supported",
			       what, index, queued, ldisc);
	/* sfd is non-blocking: read line by line until nothing is left, a few times */
	for (quiet = 0; quiet < SETTLE_CHECKS && r >= 0; quiet++) {
		for (i = 0, r = 1; r > 0 && i < queued + 64 && len + 4096 < max; i++)
			r = take_line(sfd, &t, buf, &len, max);
		if (len + 4096 >= max)
			r = -ENOSPC;
		else if (i > 1)
			quiet = -1;	/* got some: look again */
		else
			usleep(1000);
	}
	if (r == -ENOSPC)
		return log_err(-EOPNOTSUPP, "Failed to dump %s: pty %u has more than %zu bytes of input: not supported",
			       what, index, max - 4096);
	if (r < 0)
		return r == -EOPNOTSUPP ?
		       log_err(r, "Failed to dump %s: pty %u has input with a line end we cannot make again: not supported",
			       what, index) :
		       log_perr(r, "Failed to read the input of %s", what);
	err = tty_input_put(mfd, sfd, buf, len, queued, index);
	if (err)
		return err;
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}
