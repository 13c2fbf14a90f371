/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parts of the ipc namespace dump and restore (ns_ipc*.c, ns_mqueue.c),
 * each run in the target (dump) or fresh (restore) ipc namespace. @id is the
 * namespace's image id. 0 or -errno, each failure logged once.
 */
#ifndef VZCR_NS_IPC_H
#define VZCR_NS_IPC_H

#include <stdint.h>

#include "ipc-desc.pb-c.h"

struct ipc_perm;

int ipc_dump_sem(int dfd, uint32_t id);
int ipc_dump_msg(int dfd, uint32_t id);
int ipc_restore_sem(int dfd, uint32_t id);
int ipc_restore_msg(int dfd, uint32_t id);
int ipc_dump_mqueue(int dfd, uint32_t id);
int ipc_restore_mqueue(int dfd, uint32_t id);

/* Fill @d from @p and the object's @id. */
void ipc_desc_fill(IpcDescEntry *d, const struct ipc_perm *p, int id);
/*
 * Make the next object of @kind ("shm", "sem", "msg") get @id: write it to
 * /proc/sys/kernel/KIND_next_id.
 */
int ipc_set_next_id(const char *kind, uint32_t id);
/* Check that the object created for @d got its id; then set owner and mode. */
int ipc_check_id(const char *kind, const IpcDescEntry *d, int got);
/*
 * 1 if shm segment @shmid of ipcns-shm-NSID.img in @dfd was dumped removed
 * (SHM_DEST: attached after IPC_RMID), 0 if not or not there, or -errno.
 */
int ipc_shm_removed(int dfd, uint32_t shmid);

#endif /* VZCR_NS_IPC_H */
