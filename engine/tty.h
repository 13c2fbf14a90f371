/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Terminals (tty.c dumps, tty_restore.c restores): what both sides share.
 * Output a pty slave wrote and its master has not read yet is taken out of
 * a live pair at the dump (and put back at once) and written into the
 * restored pair (tty_data.c), and so is input its slave has not read;
 * tty-data.img holds them, one TtyDataEntry per pty and direction: output
 * under the slave's tty info id, input under the master's (who wrote it).
 */
#ifndef VZCR_TTY_H
#define VZCR_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "image.h"

/*
 * Read all master @mfd (of pty @index) has to read, and write it back
 * through slave @sfd, so the pair is as it was; the bytes go to *ret_buf,
 * their count to *ret_len.
 * 0 or -errno (logged, naming @what).
 */
int tty_data_take(int mfd, int sfd, uint32_t index, char **ret_buf, size_t *ret_len,
		  const char *what);
/* Write @len bytes through slave @sfd as they are (no output processing). */
int tty_data_put(int sfd, const void *buf, size_t len, uint32_t index);
/*
 * Read the @queued bytes of input slave @sfd has to read (canonical lines
 * with the VEOF that ended any of them), and write them back through
 * master @mfd, so the pair is as it was; into *ret_buf. A line not ended
 * yet is not counted by the kernel and cannot be seen: it stays in the live
 * pair and is not in the image. 0 or -errno (logged, naming @what).
 */
int tty_input_take(int mfd, int sfd, int queued, uint32_t index, char **ret_buf,
		   size_t *ret_len, const char *what);
/* Write input @buf on master @mfd with the slave's editing off; @expect bytes show up. */
int tty_input_put(int mfd, int sfd, const void *buf, size_t len, int expect, uint32_t index);
/* tty-data.img's bytes for tty info @id into *ret_buf (NULL if none): length or -errno. */
ssize_t tty_data_find(int dfd, uint32_t id, char **ret_buf);

/* shared by tty.c (dump) and tty_restore.c */
#define PTMX_RDEV	makedev(5, 2)
#define CTTY_RDEV	makedev(5, 0)	/* /dev/tty */
#define CONSOLE_RDEV	makedev(5, 1)
/* info ids of /dev/tty and /dev/console files, past every pty's */
#define INFO_CONSOLE	0xfffffff0U
#define INFO_CTTY	0xfffffff2U
#define TTY_NCC		19		/* the kernel's termios has 19 control chars */

/* the kernel's struct termios2 (asm/termbits.h clashes with <termios.h>) */
struct kterm {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line, c_cc[TTY_NCC];
	uint32_t c_ispeed, c_ospeed;
};
#define K_TCGETS2	_IOR('T', 0x2A, struct kterm)
#define K_TCSETS2	_IOW('T', 0x2B, struct kterm)

/* info ids: two a pair, the master's first */
static inline uint32_t tty_info_id(uint32_t index, bool master)
{
	return index * 2 + (master ? 1 : 2);
}

struct rst_ctx;
struct rst_file;
struct rst_task;

/* The restore side of the tty kind (tty_restore.c), for fd_kind_tty. */
int tty_open(struct rst_ctx *c, struct rst_file *f);
struct rst_file *tty_depends(struct rst_ctx *c, struct rst_file *f);
int tty_post(struct rst_ctx *c, struct rst_task *t, struct rst_file *f, int fd);
int tty_post_task(struct rst_ctx *c, struct rst_task *t);

#endif /* VZCR_TTY_H */
