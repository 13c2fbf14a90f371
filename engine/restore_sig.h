/* SPDX-License-Identifier: GPL-2.0-only */
/* Restore of signal and timer state, with syscalls run in the task. */
#ifndef VZCR_RESTORE_SIG_H
#define VZCR_RESTORE_SIG_H

#include <stdbool.h>
#include <sys/types.h>

#include "core.pb-c.h"
#include "infect.h"

int rst_sigactions(struct infect *inf, const TaskCoreEntry *tc);
int rst_timers(struct infect *inf, const TaskCoreEntry *tc);
int rst_pending(struct infect *inf, pid_t tgid, const SignalQueueEntry *q, bool shared);

#endif /* VZCR_RESTORE_SIG_H */
