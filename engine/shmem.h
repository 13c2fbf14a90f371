/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, shown by /proc as
 * "/dev/zero (deleted)"): one shmem object per inode, mapped by any number of
 * VMAs in any tasks of the tree. Its contents go to the images once per
 * object, in CRIU's layout: pagemap-shmem-SHMID.img (SHMID = the inode
 * number, VmaEntry.shmid of every VMA that maps it; entries' vaddr = offset
 * in the object) and the pages image its head names.
 */
#ifndef VZCR_SHMEM_H
#define VZCR_SHMEM_H

#include <stddef.h>
#include <sys/types.h>

#include "proc_parse.h"

struct rst_ctx;
struct rst_task;

/*
 * Dump the object VMA @v of task @pid maps, unless an earlier VMA of the
 * tree did already (its pagemap-shmem image exists). @pages_id counts the
 * pages images of the dump. 0 or -errno (logged).
 */
int shmem_dump(int dfd, unsigned int *pages_id, pid_t pid, const struct vma_area *v);

/*
 * Map VMA @i of @t (shared anonymous) in place, from inside the task. The
 * first mapper of an object in restore order gets a new object the tool
 * made and filled; every later mapper (other tasks, other VMAs of the same
 * task) opens that one through /proc/PID/map_files, so that writes of one
 * are seen by all. 0 or -errno (logged).
 */
int shmem_restore_vma(struct rst_ctx *c, struct rst_task *t, size_t i);

#endif /* VZCR_SHMEM_H */
