/* SPDX-License-Identifier: GPL-2.0-only */
/* Dump of signal and timer state; images in core.proto / timer.proto terms. */
#ifndef VZCR_DUMP_SIG_H
#define VZCR_DUMP_SIG_H

#include <stdbool.h>
#include <sys/types.h>

#include "core.pb-c.h"
#include "infect.h"

/* Every sigaction but SIGKILL's and SIGSTOP's, read inside the task. */
int dump_sigactions(struct infect *inf, TaskCoreEntry *tc);
/* Pending signals of @tid with their siginfo, private or shared. */
int dump_pending(pid_t tid, bool shared, SignalQueueEntry **ret);
/* itimers and POSIX timers of the process. */
int dump_timers(struct infect *inf, pid_t pid, TaskCoreEntry *tc);
int dump_posix_timers(struct infect *inf, pid_t pid, TaskTimersEntry *t);

#endif /* VZCR_DUMP_SIG_H */
