// SPDX-License-Identifier: GPL-2.0-only
/*
 * Queued pty output (tty.h). Reading it from the master consumes it, so
 * the dump writes it straight back through a slave of its own with output
 * processing off (OPOST cleared for the write): the master's read buffer
 * then holds the very bytes it held, "\r\n" included, and so does the
 * restored pair. Input the slave has not read is still refused by tty.c:
 * a partial canonical line cannot be read out of the line discipline.
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

#define TAKE_TIMEOUT_MS	1000

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

/* Read exactly @len bytes from @fd, waiting at most TAKE_TIMEOUT_MS each. */
static int read_exact(int fd, char *buf, size_t len, const char *what)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (poll(&p, 1, TAKE_TIMEOUT_MS) != 1)
			return log_err(-ETIMEDOUT, "Failed to read the queued output of %s", what);
		n = read(fd, buf + done, len - done);
		if (n <= 0)
			return log_perr(n < 0 ? -errno : -EIO, "Failed to read the queued output of %s",
					what);
		done += n;
	}
	return 0;
}

int tty_data_take(int mfd, int sfd, int queued, uint32_t index, char **ret_buf, const char *what)
{
	_cleanup_free_ char *buf = xmalloc(queued);
	int err;

	if (!buf)
		return -ENOMEM;
	err = read_exact(mfd, buf, queued, what);
	/* back in the pair before anything else can fail */
	if (!err)
		err = tty_data_put(sfd, buf, queued, index);
	if (err)
		return err;
	*ret_buf = TAKE_PTR(buf);
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
