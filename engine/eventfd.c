// SPDX-License-Identifier: GPL-2.0-only
/*
 * eventfd: the counter and EFD_SEMAPHORE from fdinfo, the open flags;
 * restored by the tool as a new eventfd with the same counter.
 */
#define LOG_PREFIX "eventfd: "
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdkinds.h"
#include "io.h"
#include "log.h"
#include "restore.h"
#include "xmalloc.h"

static int eventfd_make(struct file_desc *d, void *arg)
{
	struct fd_src *s = arg;
	_cleanup_free_ char *buf = NULL;
	EventfdFileEntry *e;
	const char *cnt, *sem;
	char what[64];
	int err;

	snprintf(what, sizeof(what), "task %d fd %d", s->pid, s->fd);
	err = fdinfo_read(d->local_fd, &buf);
	if (err)
		return err;
	cnt = fdinfo_field(buf, "eventfd-count:", what);
	if (!cnt)
		return -EPROTO;
	/* "eventfd-semaphore:" is there since Linux 6.6 */
	sem = strstr(buf, "eventfd-semaphore:");
	if (!sem)
		pr_warn("Task %d fd %d: this kernel does not tell whether an eventfd is a semaphore: restored as none, ignoring",
			s->pid, s->fd);
	e = xmalloc(sizeof(*e));
	d->fe = file_entry_new(FD_TYPES__EVENTFD, d->id);
	if (!e || !d->fe) {
		free(e);
		return -ENOMEM;
	}
	eventfd_file_entry__init(e);
	d->fe->efd = e;
	e->id = d->id;
	e->flags = s->flags & ~O_CLOEXEC;
	e->counter = strtoull(cnt, NULL, 16);	/* the kernel prints it in hex */
	e->has_semaphore = sem != NULL;
	e->semaphore = sem && strtoul(sem + 18, NULL, 10);
	e->fown = fown_new();
	return e->fown ? 0 : -ENOMEM;
}

static bool eventfd_has(const FileEntry *fe)
{
	return fe->efd;
}

static int eventfd_open(struct rst_ctx *c, struct rst_file *f)
{
	const EventfdFileEntry *e = f->fe->efd;
	_cleanup_close_ int fd = -EBADF;
	int err;

	(void)c;
	if (e->counter == UINT64_MAX)
		return log_err(-EINVAL, "files.img: eventfd %u: counter %#llx out of range", e->id,
			       (unsigned long long)e->counter);
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | (e->semaphore ? EFD_SEMAPHORE : 0));
	if (fd < 0)
		return log_perr(-errno, "Failed to create eventfd %u", e->id);
	/* eventfd() takes 32 bits; a write adds all 64 */
	if (e->counter && write(fd, &e->counter, sizeof(e->counter)) != sizeof(e->counter))
		return log_perr(-errno, "Failed to set eventfd %u to %llu", e->id,
				(unsigned long long)e->counter);
	err = fd_set_status(fd, e->flags, "eventfd", e->id);
	return err ? err : TAKE_FD(fd);
}

const struct fd_kind fd_kind_eventfd = {
	.type = FD_TYPES__EVENTFD,
	.name = "eventfd",
	.make = eventfd_make,
	.has_payload = eventfd_has,
	.open = eventfd_open,
};
