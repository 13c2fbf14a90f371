/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pipes: each end an open file of its own (files.img PIPE entries with the
 * pipe's inode as pipe_id); the bytes sitting in the pipe go once per pipe
 * to pipes-data.img, read without taking them out (tee).
 */
#ifndef VZCR_PIPES_H
#define VZCR_PIPES_H

#include <sys/types.h>

#include "files.h"
#include "image.h"

/* Add the pipe end @local_fd (owned by the table afterwards); id or -errno. */
int pipe_dump_file(struct file_table *t, int local_fd, unsigned int flags, ino_t ino);
/* pipes-data.img and fifo-data.img for every pipe and FIFO seen; 0 or -errno. */
int pipe_dump_data(struct file_table *t, int dfd);
/*
 * Restore: write the bytes @type (IMG_PIPES_DATA, IMG_FIFO_DATA) has for
 * @pipe_id into the write end @wfd, growing the pipe to its dumped size
 * first. 0 (also when there is nothing) or -errno.
 */
int pipe_refill(int dfd, enum img_type type, uint32_t pipe_id, int wfd);

#endif /* VZCR_PIPES_H */
