/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the kerndat probes (engine/kerndat*.c): result recording, the
 * short-lived probe children, and one entry point per area.
 */
#ifndef VZCR_KERNDAT_PROBE_H
#define VZCR_KERNDAT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kerndat.h"

/* No probe step may take longer than this; a child that does is killed. */
#define KD_TIMEOUT_MS	5000

/* Record @f as @have with a printf-formatted detail; logs it at debug level. */
void kd_set(struct kerndat *kd, enum kd_feat f, bool have, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Record "no" with detail "@what: ENAME"; @err is a negative errno. */
void kd_no(struct kerndat *kd, enum kd_feat f, int err, const char *what);
/* "EPERM" for -EPERM or EPERM; "E?" for unknown values. */
const char *kd_errname(int err);

/*
 * A probe child: forked from the caller, runs one function and _exit()s
 * with its return value. It dies with its parent (PR_SET_PDEATHSIG) and
 * talks back through @fd, the read end of a pipe.
 */
struct kd_child {
	pid_t pid;
	int fd;
};

/* Fork a child running @fn(@arg, write end of the pipe). 0 or -errno. */
int kd_child_start(struct kd_child *c, int (*fn)(void *arg, int wfd), void *arg);
/*
 * Read exactly @len bytes the child wrote, within @timeout_ms. 0, -ETIMEDOUT,
 * -EPIPE if the child closed the pipe (it died or finished), or -errno.
 */
int kd_child_read(struct kd_child *c, void *buf, size_t len, int timeout_ms);
/*
 * Wait at most @timeout_ms for the child to exit; kill it on timeout. Always
 * reaps and closes the pipe. Returns its exit code, 128 + signal number for
 * a child killed by a signal, or -ETIMEDOUT / -errno.
 */
int kd_child_wait(struct kd_child *c, int timeout_ms);
/* SIGKILL the child (traced or not), reap it and close the pipe. */
void kd_child_kill(struct kd_child *c);
/*
 * waitpid(@pid) for a state change selected by @options (with __WALL), at
 * most @timeout_ms. 0 with *@ret_status, -ETIMEDOUT or -errno.
 */
int kd_waitpid(pid_t pid, int options, int timeout_ms, int *ret_status);
/*
 * For children: wait to be killed by the prober. Typed int so that a child
 * function can end with "return kd_child_idle();".
 */
int kd_child_idle(void) __attribute__((noreturn));
/* For children: write all of @buf to @fd; a child that cannot exits 126. */
void kd_reply(int fd, const void *buf, size_t len);

/* One entry point per area; each fills its features in @kd. */
void kd_probe_ptrace(struct kerndat *kd);	/* kerndat-ptrace.c */
void kd_probe_task(struct kerndat *kd);		/* kerndat-task.c */
void kd_probe_clone3(struct kerndat *kd);	/* kerndat-clone3.c */
void kd_probe_mm(struct kerndat *kd);		/* kerndat-mm.c */
void kd_probe_uffd(struct kerndat *kd);		/* kerndat-uffd.c */
void kd_probe_net(struct kerndat *kd);		/* kerndat-net.c */
void kd_probe_ns(struct kerndat *kd);		/* kerndat-ns.c */
void kd_probe_cgroup(struct kerndat *kd);	/* kerndat-cgroup.c */
void kd_probe_vdso(struct kerndat *kd);		/* kerndat-vdso.c */
void kd_probe_prctl(struct kerndat *kd);	/* kerndat-prctl.c */

#endif /* VZCR_KERNDAT_PROBE_H */
