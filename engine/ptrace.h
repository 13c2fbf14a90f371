/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Seizing and releasing tasks with ptrace. A seized task is stopped in a
 * PTRACE_EVENT_STOP trap (or its group stop) with every option the engine
 * needs: syscall stops marked (TRACESYSGOOD), seccomp suspended so injected
 * syscalls are not filtered, clones followed when asked.
 */
#ifndef VZCR_PTRACE_H
#define VZCR_PTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SEIZE_OPTS_DUMP		0x1	/* TRACESYSGOOD | SUSPEND_SECCOMP */
#define SEIZE_OPTS_RESTORE	0x2	/* TRACESYSGOOD | SUSPEND_SECCOMP | TRACECLONE */

struct seized {
	pid_t tid;
	bool group_stopped;	/* was stopped by SIGSTOP & co before we came */
	int stop_sig;		/* the group-stop signal if so */
};

/*
 * Seize @tid and stop it. Signals that arrive meanwhile are delivered first.
 * Returns 0, -ESRCH if the task is gone (or a zombie), or -errno (logged).
 */
int ptrace_seize_stop(pid_t tid, int opts, struct seized *ret);
/*
 * The two halves of ptrace_seize_stop(): seize and interrupt without
 * waiting (tasks of a frozen v1 cgroup stop only once thawed), then wait
 * for the interrupt's stop.
 */
int ptrace_seize_interrupt(pid_t tid, int opts);
int ptrace_wait_seized(pid_t tid, struct seized *ret);
/* Wait for the next ptrace stop of @tid; returns the wait status or -errno. */
int ptrace_wait(pid_t tid);
/* Detach, leaving @tid running (or group-stopped if @stopped). 0 or -errno. */
int ptrace_release(pid_t tid, bool stopped);

int ptrace_get_sigmask(pid_t tid, uint64_t *ret_mask);

/* PTRACE_GET_RSEQ_CONFIGURATION: a thread's rseq registration (abi_pointer 0: none) */
#define PTRACE_GET_RSEQ_CONFIGURATION_	0x420f
struct ptrace_rseq {
	uint64_t abi_pointer;
	uint32_t abi_size, signature, flags, pad;
};
int ptrace_get_rseq(pid_t tid, struct ptrace_rseq *ret);
int ptrace_set_sigmask(pid_t tid, uint64_t mask);

#endif /* VZCR_PTRACE_H */
