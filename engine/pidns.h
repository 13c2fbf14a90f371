/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pids inside a CT's pid namespace. The engine ptraces and reads /proc with
 * host pids; images carry the pids the CT sees (the last NSpid column).
 */
#ifndef VZCR_PIDNS_H
#define VZCR_PIDNS_H

#include <sys/types.h>

struct pidns_ids {
	pid_t pid, pgid, sid;		/* in the task's own (innermost) pid namespace */
	int levels;			/* pid namespaces from ours down to the task's */
};

/* NSpid, NSpgid, NSsid of host thread @tid of process @pid, innermost level. */
int pidns_ids(pid_t pid, pid_t tid, struct pidns_ids *ret);
/* The host pid of the child of host process @parent whose own pid is @vpid. */
int pidns_find_child(pid_t parent, pid_t vpid, pid_t *ret);
/* The host tid of the thread of host process @pid whose own tid is @vtid. */
int pidns_find_thread(pid_t pid, pid_t vtid, pid_t *ret);

#endif /* VZCR_PIDNS_H */
