/* SPDX-License-Identifier: GPL-2.0-only */
/* Restore of signal and timer state, with syscalls run in the task. */
#ifndef VZCR_RESTORE_SIG_H
#define VZCR_RESTORE_SIG_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core.pb-c.h"
#include "infect.h"

struct rst_task;

/* Every sigaction of the task, from the leader's core. */
int rst_sigactions(struct infect *inf, const TaskCoreEntry *tc);
/*
 * Timers, then the pending signals of the process and of each thread: done
 * once every thread exists, just before the task is released, so that no
 * timer runs while the task is rebuilt and timer signals target live threads.
 */
int rst_signals(struct rst_task *t);

/* restore_timers.c: POSIX timers and itimers of @t (leader's core). */
int rst_timers(struct rst_task *t);
/* Does @si stand for the pending signal of a timer rst_timers() recreates? */
bool rst_timer_signal(const TaskCoreEntry *tc, const siginfo_t *si);
/* Run @fn in thread @tid of @t (attached for the call unless the leader). */
int rst_in_thread(struct rst_task *t, pid_t tid, int (*fn)(struct infect *, const void *),
		  const void *arg);

#endif /* VZCR_RESTORE_SIG_H */
