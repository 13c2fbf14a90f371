// SPDX-License-Identifier: GPL-2.0-only
/* POSIX timers of a process: /proc/PID/timers plus timer_gettime inside it. */
#define LOG_PREFIX "dump: "
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "dump_sig.h"
#include "log.h"
#include "xmalloc.h"

/*
 * One timer from its four /proc lines ("notify: signal/tid.N" means
 * SIGEV_SIGNAL | SIGEV_THREAD_ID); 1 parsed, 0 at the end, -errno.
 */
static int parse_timer(FILE *f, const char *path, PosixTimerEntry *e)
{
	char notify[32] = "", who[4] = "";
	unsigned long long ptr;
	int id, sig, clock, target = 0;

	if (fscanf(f, " ID: %d signal: %d/%llx notify: %31[^/]/%3[a-z].%d ClockID: %d", &id,
		   &sig, &ptr, notify, who, &target, &clock) != 7) {
		if (feof(f))
			return 0;
		return log_err(-EINVAL, "Failed to parse '%s'", path);
	}
	e->it_id = id;
	e->si_signo = sig;
	e->sival_ptr = ptr;
	e->clock_id = clock;
	if (!strcmp(notify, "signal"))
		e->it_sigev_notify = SIGEV_SIGNAL;
	else if (!strcmp(notify, "none"))
		e->it_sigev_notify = SIGEV_NONE;
	else if (!strcmp(notify, "thread"))
		e->it_sigev_notify = SIGEV_THREAD;
	else
		return log_err(-EINVAL, "Unknown timer notify '%s' in '%s'", notify, path);
	if (!strcmp(who, "tid")) {
		e->it_sigev_notify |= SIGEV_THREAD_ID;
		e->has_notify_thread_id = true;
		e->notify_thread_id = target;
	}
	return 1;
}

static int timer_state(struct infect *inf, PosixTimerEntry *e)
{
	struct itimerspec its;
	long r;

	r = infect_call(inf, "read a POSIX timer", NR_timer_gettime, e->it_id, inf->scratch, 0,
			0, 0, 0);
	if (r >= 0)
		r = infect_peek(inf, inf->scratch, &its, sizeof(its));
	if (r < 0)
		return r;
	e->isec = its.it_interval.tv_sec;
	e->insec = its.it_interval.tv_nsec;
	e->vsec = its.it_value.tv_sec;
	e->vnsec = its.it_value.tv_nsec;
	r = infect_call(inf, "read a timer overrun", NR_timer_getoverrun, e->it_id, 0, 0, 0, 0,
			0);
	if (r < 0)
		return r;
	e->overrun = r;
	return 0;
}

int dump_posix_timers(struct infect *inf, pid_t pid, TaskTimersEntry *t)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%d/timers", pid);
	f = fopen(path, "re");
	if (!f)
		return log_perr(-errno, "Failed to open '%s'", path);
	for (;;) {
		PosixTimerEntry *e = xmalloc(sizeof(*e)), **nv;

		if (!e)
			return -ENOMEM;
		posix_timer_entry__init(e);
		r = parse_timer(f, path, e);
		if (r <= 0) {
			free(e);
			return r;
		}
		nv = xrealloc(t->posix, (t->n_posix + 1) * sizeof(*nv));
		if (!nv) {
			free(e);
			return -ENOMEM;
		}
		t->posix = nv;
		t->posix[t->n_posix++] = e;
		r = timer_state(inf, e);
		if (r)
			return r;
	}
}
