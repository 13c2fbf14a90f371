/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Names of anonymous VMAs (prctl PR_SET_VMA_ANON_NAME; /proc shows
 * [anon:NAME] and, for shared anonymous memory, [anon_shmem:NAME]). CRIU
 * has no place for them: they go to vzcr's own vzcr-vma-names-PID.img,
 * written only for tasks that have named VMAs.
 */
#ifndef VZCR_VMA_NAME_H
#define VZCR_VMA_NAME_H

#include <sys/types.h>

#include "proc_parse.h"

struct rst_ctx;
struct rst_task;

/* The names of @pid's VMAs @vmas to @dfd, if any; 0 or -errno (logged). */
int vma_names_dump(int dfd, pid_t pid, const struct vma_list *vmas);
/* Name the VMAs of @t (mapped already) from its image, if any; 0 or -errno. */
int vma_names_restore(struct rst_ctx *c, struct rst_task *t);

#endif /* VZCR_VMA_NAME_H */
