// SPDX-License-Identifier: GPL-2.0-only
/*
 * signalfd: the mask from fdinfo and the open flags. A signalfd reads the
 * signals of whichever task reads it, so the tool may create it.
 */
#define LOG_PREFIX "signalfd: "
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdkinds.h"
#include "log.h"
#include "restore.h"
#include "xmalloc.h"

static int signalfd_make(struct file_desc *d, void *arg)
{
	struct fd_src *s = arg;
	_cleanup_free_ char *buf = NULL;
	SignalfdEntry *e;
	const char *mask;
	char what[64];
	int err;

	snprintf(what, sizeof(what), "task %d fd %d", s->pid, s->fd);
	err = fdinfo_read(d->local_fd, &buf);
	if (err)
		return err;
	mask = fdinfo_field(buf, "sigmask:", what);
	if (!mask)
		return -EPROTO;
	e = xmalloc(sizeof(*e));
	d->fe = file_entry_new(FD_TYPES__SIGNALFD, d->id);
	if (!e || !d->fe) {
		free(e);
		return -ENOMEM;
	}
	signalfd_entry__init(e);
	d->fe->sgfd = e;
	e->id = d->id;
	e->flags = s->flags & ~O_CLOEXEC;
	e->sigmask = strtoull(mask, NULL, 16);
	e->fown = fown_new();
	return e->fown ? 0 : -ENOMEM;
}

static bool signalfd_has(const FileEntry *fe)
{
	return fe->sgfd;
}

static int signalfd_open(struct rst_ctx *c, struct rst_file *f)
{
	const SignalfdEntry *e = f->fe->sgfd;
	uint64_t mask = e->sigmask;
	_cleanup_close_ int fd = -EBADF;
	int err;

	(void)c;
	/* the kernel's sigset is 8 bytes; glibc's sigset_t is 128 */
	fd = syscall(SYS_signalfd4, -1, &mask, sizeof(mask), O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to create signalfd %u with mask %#llx", e->id,
				(unsigned long long)mask);
	err = fd_set_status(fd, e->flags, "signalfd", e->id);
	return err ? err : TAKE_FD(fd);
}

const struct fd_kind fd_kind_signalfd = {
	.type = FD_TYPES__SIGNALFD,
	.name = "signalfd",
	.make = signalfd_make,
	.has_payload = signalfd_has,
	.open = signalfd_open,
};
