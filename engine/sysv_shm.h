/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SysV shared memory segments attached by tasks (shmat; /proc shows the
 * VMA as "/SYSVkkkkkkkk (deleted)", its inode number is the shmid).
 * VmaEntry.shmid holds the segment's id and the status VMA_AREA_SYSVIPC,
 * as CRIU has them. Restore attaches the segment again from inside the task
 * with shmat(shmid, start, SHM_RDONLY if read-only).
 *
 * Where the segment comes from at restore:
 * - a task in an ipc namespace of its own (a container): the namespace's
 *   restore (ns_restore_ipc, ipcns-shm-NSID.img) made it before the tasks'
 *   memory; the engine attaches it, and removes again one the dump found
 *   removed while attached (SHM_DEST in its ipcns-shm entry);
 * - a task in the tool's ipc namespace (a process tree on the host): the
 *   dump writes each attached segment once, attributes and contents, to
 *   vzcr-sysv-shm-SHMID.img. Restore reuses a segment that still exists with
 *   the same id, key and size (the original of a --leave-running dump, with
 *   whatever it holds now), makes it again with the same id if the id is
 *   free (kernel.shm_next_id), and refuses if another segment has the id.
 *   A segment removed (IPC_RMID) while attached is made again, attached,
 *   and removed again.
 * Semaphores and message queues of the host's namespace are not the tree's:
 * they outlive it and are left as they are.
 */
#ifndef VZCR_SYSV_SHM_H
#define VZCR_SYSV_SHM_H

#include <stddef.h>
#include <sys/types.h>

#include "proc_parse.h"

struct rst_ctx;
struct rst_task;

/*
 * Check that task @pid attaches all of the segment in VMA @v (a VMA of
 * part of a segment is refused) and, in the tool's ipc namespace, dump the
 * segment unless another VMA of the tree did. 0 or -errno (logged).
 */
int sysv_shm_dump_vma(int dfd, pid_t pid, const struct vma_area *v);

/* Attach VMA @i of @t (VMA_AREA_SYSVIPC) in place. 0 or -errno (logged). */
int sysv_shm_restore_vma(struct rst_ctx *c, struct rst_task *t, size_t i);

#endif /* VZCR_SYSV_SHM_H */
