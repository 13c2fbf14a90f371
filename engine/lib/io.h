/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Safe I/O: whole-buffer reads and writes that retry on EINTR and short
 * counts. These do not log; callers log with the object they were handling.
 */
#ifndef VZCR_LIB_IO_H
#define VZCR_LIB_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read up to @len bytes; returns bytes read (< len only at EOF) or -errno. */
ssize_t read_full(int fd, void *buf, size_t len);
/* Write all @len bytes; returns 0 or -errno. */
int write_full(int fd, const void *buf, size_t len);
/*
 * Read a whole small file (procfs, sysfs) relative to @dirfd into a new
 * NUL-terminated buffer; at most @max bytes. Returns length or -errno.
 */
ssize_t read_file_at(int dirfd, const char *path, size_t max, char **ret_buf);
/* Raise the soft RLIMIT_NOFILE to the hard one: the engine holds many fds. */
void raise_fd_limit(void);
/* Write @s to a file (sysfs, cgroupfs, procfs knobs); 0 or -errno. */
int write_file_at(int dirfd, const char *path, const char *s);

#endif /* VZCR_LIB_IO_H */
