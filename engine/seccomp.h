/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * seccomp filters: read from each dumped thread through ptrace, kept once
 * each in seccomp.img (CRIU's layout), installed again inside each restored
 * thread, oldest first, before its credentials drop.
 */
#ifndef VZCR_SECCOMP_H
#define VZCR_SECCOMP_H

#include <stdint.h>
#include <sys/types.h>

#include "infect.h"
#include "seccomp.pb-c.h"

struct seccomp_table {
	SeccompFilter **v;
	size_t n;
};

/* Add @tid's filters; *ret_index gets its newest one. 0 or -errno. */
int seccomp_dump_thread(struct seccomp_table *t, pid_t tid, uint32_t *ret_index);
/* seccomp.img, if any filter was seen; 0 or -errno. */
int seccomp_write(struct seccomp_table *t, int dfd);
void seccomp_table_free(struct seccomp_table *t);
/* Install the chain ending at @index into the thread of @inf. 0 or -errno. */
int seccomp_restore_thread(struct infect *inf, const SeccompEntry *e, uint32_t index);

#endif /* VZCR_SECCOMP_H */
