/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scope-bound cleanup for memory and fds (LXC/systemd style). Destructors
 * accept NULL or a negative fd. TAKE_PTR/TAKE_FD hand ownership out of a
 * scope. Undoing external state (freezer, ptrace, mounts) uses goto labels.
 */
#ifndef VZCR_LIB_CLEANUP_H
#define VZCR_LIB_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_(f)		__attribute__((cleanup(f)))
#define _cleanup_free_		_cleanup_(freep)
#define _cleanup_close_		_cleanup_(closep)
#define _cleanup_fclose_	_cleanup_(fclosep)
#define _cleanup_closedir_	_cleanup_(closedirp)

#define TAKE_PTR(p) ({ __typeof__(p) __p = (p); (p) = NULL; __p; })
#define TAKE_FD(fd) ({ int __fd = (fd); (fd) = -EBADF; __fd; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* VZCR_LIB_CLEANUP_H */
