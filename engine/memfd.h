/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memfd files and mappings: the open file in files.img (MemfdFileEntry),
 * the inode once in memfd.img (name, owner, size, seals) with its contents
 * in pagemap-shmem-SHMID.img, as CRIU lays them out.
 */
#ifndef VZCR_MEMFD_H
#define VZCR_MEMFD_H

#include <sys/types.h>

#include "proc_parse.h"

struct dump_ctx;

/*
 * The file a memfd mapping @v of task @pid maps (a file entry of the same
 * inode and access mode, made if there is none): its id, for
 * vma_entry.shmid, or -errno (logged).
 */
int memfd_dump_map(struct dump_ctx *c, pid_t pid, const struct vma_area *v);

#endif /* VZCR_MEMFD_H */
