/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * FIFOs (named pipes), as CRIU keeps them: a files.img FIFO entry with the
 * pipe's inode as pipe_id and, as regf_id, a REG entry of its own with the
 * path and open flags; the queued bytes in fifo-data.img.
 */
#ifndef VZCR_FIFO_H
#define VZCR_FIFO_H

#include <stdbool.h>
#include <sys/stat.h>

#include "files.h"

/* Add the FIFO open as @local_fd (owned by the table afterwards); id or -errno. */
int fifo_dump_file(struct file_table *t, int local_fd, unsigned int flags, const char *path,
		   const struct stat *st);

struct rst_ctx;
struct rst_file;

/*
 * Restore FIFO file @f: its fd in *ret_fd. The first file of a FIFO also
 * opens it read-write (so that no open blocks and the data has a reader),
 * refills the data there and returns that holder in *ret_hold (else -1),
 * to be kept until every task has its fds. 0 or -errno.
 */
int fifo_open(struct rst_ctx *c, struct rst_file *f, int *ret_fd, int *ret_hold);
/* Is REG file @id only the path of a FIFO (not to be opened itself)? */
bool fifo_is_path(struct rst_ctx *c, uint32_t id);

#endif /* VZCR_FIFO_H */
