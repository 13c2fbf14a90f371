// SPDX-License-Identifier: GPL-2.0-only
/*
 * timerfd: clock, time left and interval, settime flags and the count of
 * expirations not read yet, from fdinfo. The tool creates the timer again,
 * arms it and puts the count back with TFD_IOC_SET_TICKS. A relative timer
 * goes on with the time it had left (the time the tree was stopped does not
 * count, as for CRIU); an absolute one (TFD_TIMER_ABSTIME) keeps its expiry
 * on the clock, which the dump notes in vzcr's own fields.
 */
#define LOG_PREFIX "timerfd: "
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdkinds.h"
#include "log.h"
#include "restore.h"
#include "xmalloc.h"

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif /* TFD_IOC_SET_TICKS */

#define NSEC 1000000000ULL

/* The text after @key in @buf, or NULL. */
static const char *field(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? p + strlen(key) : NULL;
}

static int parse(const char *buf, TimerfdEntry *e, const char *what)
{
	const char *p;
	unsigned long long vs, vn, is, in;

	p = field(buf, "clockid:");
	if (!p || sscanf(p, "%u", &e->clockid) != 1)
		return log_err(-EPROTO, "Failed to parse the clock of %s", what);
	p = field(buf, "ticks:");
	if (!p || sscanf(p, "%" SCNu64, &e->ticks) != 1)
		return log_err(-EPROTO, "Failed to parse the ticks of %s", what);
	p = field(buf, "settime flags:");
	if (!p || sscanf(p, "%o", &e->settime_flags) != 1)
		return log_err(-EPROTO, "Failed to parse the settime flags of %s", what);
	p = field(buf, "it_value:");
	if (!p || sscanf(p, " (%llu, %llu)", &vs, &vn) != 2)
		return log_err(-EPROTO, "Failed to parse the value of %s", what);
	p = field(buf, "it_interval:");
	if (!p || sscanf(p, " (%llu, %llu)", &is, &in) != 2)
		return log_err(-EPROTO, "Failed to parse the interval of %s", what);
	e->vsec = vs;
	e->vnsec = vn;
	e->isec = is;
	e->insec = in;
	return 0;
}

/*
 * An armed absolute timer: its expiry on its clock, what was left at the
 * fdinfo read plus @now, read on the timer's clock just before it (off by
 * the microseconds of that read).
 */
static int note_abs(TimerfdEntry *e, const struct timespec *now)
{
	uint64_t ns;

	if (!(e->settime_flags & TFD_TIMER_ABSTIME) || (!e->vsec && !e->vnsec))
		return 0;
	ns = now->tv_nsec + e->vnsec;
	e->has_abs_sec = e->has_abs_nsec = true;
	e->abs_sec = now->tv_sec + e->vsec + ns / NSEC;
	e->abs_nsec = ns % NSEC;
	return 0;
}

static int timerfd_make(struct file_desc *d, void *arg)
{
	struct fd_src *s = arg;
	_cleanup_free_ char *buf = NULL;
	struct timespec now;
	TimerfdEntry *e;
	const char *p;
	char what[64];
	int err;

	snprintf(what, sizeof(what), "task %d fd %d", s->pid, s->fd);
	/* the clock first, then its reading just before the fdinfo parsed below */
	err = fdinfo_read(d->local_fd, &buf);
	if (err)
		return err;
	p = field(buf, "clockid:");
	if (!p)
		return log_err(-EPROTO, "Failed to find the clock of %s", what);
	if (clock_gettime(atoi(p), &now) < 0)
		return log_perr(-errno, "Failed to read clock %d of %s", atoi(p), what);
	free(TAKE_PTR(buf));
	err = fdinfo_read(d->local_fd, &buf);
	if (err)
		return err;
	e = xmalloc(sizeof(*e));
	d->fe = file_entry_new(FD_TYPES__TIMERFD, d->id);
	if (!e || !d->fe) {
		free(e);
		return -ENOMEM;
	}
	timerfd_entry__init(e);
	d->fe->tfd = e;
	e->id = d->id;
	e->flags = s->flags & ~O_CLOEXEC;
	e->fown = fown_new();
	if (!e->fown)
		return -ENOMEM;
	return parse(buf, e, what) ?: note_abs(e, &now);
}

static bool timerfd_has(const FileEntry *fe)
{
	return fe->tfd;
}

/* The value to arm @e with (zero: disarmed); 0 or -errno. */
static int arm_value(const TimerfdEntry *e, struct itimerspec *v)
{
	struct timespec now;

	*v = (struct itimerspec){ { e->isec, e->insec }, { e->vsec, e->vnsec } };
	/* a periodic timer that expired unread is not re-armed until read: one period on */
	if (!e->vsec && !e->vnsec)
		v->it_value = v->it_interval;
	if (!v->it_value.tv_sec && !v->it_value.tv_nsec)
		return 0;
	if (!(e->settime_flags & TFD_TIMER_ABSTIME))
		return 0;
	if (e->has_abs_sec && e->has_abs_nsec && (e->vsec || e->vnsec)) {
		v->it_value = (struct timespec){ e->abs_sec, e->abs_nsec };
		return 0;
	}
	/* a CRIU image: what was left, from now */
	if (clock_gettime(e->clockid, &now) < 0)
		return log_perr(-errno, "Failed to read clock %u for timerfd %u", e->clockid, e->id);
	v->it_value.tv_sec += now.tv_sec + (v->it_value.tv_nsec + now.tv_nsec) / NSEC;
	v->it_value.tv_nsec = (v->it_value.tv_nsec + now.tv_nsec) % NSEC;
	return 0;
}

static int timerfd_open(struct rst_ctx *c, struct rst_file *f)
{
	const TimerfdEntry *e = f->fe->tfd;
	_cleanup_close_ int fd = -EBADF;
	struct itimerspec v;
	int err;

	(void)c;
	if (e->vnsec >= NSEC || e->insec >= NSEC || e->vsec > INT64_MAX || e->isec > INT64_MAX)
		return log_err(-EINVAL, "files.img: timerfd %u: bad time (%llu, %llu) / (%llu, %llu)",
			       e->id, (unsigned long long)e->vsec, (unsigned long long)e->vnsec,
			       (unsigned long long)e->isec, (unsigned long long)e->insec);
	fd = timerfd_create(e->clockid, TFD_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to create timerfd %u on clock %u", e->id, e->clockid);
	err = arm_value(e, &v);
	if (err)
		return err;
	if ((v.it_value.tv_sec || v.it_value.tv_nsec) &&
	    timerfd_settime(fd, e->settime_flags, &v, NULL) < 0)
		return log_perr(-errno, "Failed to arm timerfd %u", e->id);
	if (e->ticks && ioctl(fd, TFD_IOC_SET_TICKS, &e->ticks) < 0)
		return log_perr(-errno, "Failed to give timerfd %u its %llu expirations", e->id,
				(unsigned long long)e->ticks);
	err = fd_set_status(fd, e->flags, "timerfd", e->id);
	return err ? err : TAKE_FD(fd);
}

const struct fd_kind fd_kind_timerfd = {
	.type = FD_TYPES__TIMERFD,
	.name = "timerfd",
	.make = timerfd_make,
	.has_payload = timerfd_has,
	.open = timerfd_open,
};
