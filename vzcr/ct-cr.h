/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checkpoint and restore of a whole CT (vzcr checkpoint/restore CTID).
 * The image set is the engine's, plus vzcr-ct.img naming the CT; the
 * default directory is $VZCR_ROOT/vz/dump/CTID. The CT's console file
 * (in the host's run directory, outside the CT's root) is named
 * /.vzcr-ext/console in the images and is the restoring host's own.
 */
#ifndef VZCR_CT_CR_H
#define VZCR_CT_CR_H

#include <stdbool.h>
#include <stddef.h>

#include "ct.h"
#include "engine.h"

#define CT_CONSOLE_NAME "/.vzcr-ext/console"

/* $VZCR_ROOT/vz/dump/CTID */
int ct_dump_dir(const struct ct *ct, char *buf, size_t len);
/* ct_open()'ed @ct: dump it to @dir, then stop it (or thaw it). */
int ct_checkpoint(struct ct *ct, const char *dir, bool leave_running, struct dump_stats *ret);
/* ct_open()'ed @ct, not running: bring it back from @dir. */
int ct_restore(struct ct *ct, const char *dir);

/* A restore in progress: what the tool and the CT's new init share. */
struct ct_cr_rst {
	struct ct *ct;
	char root[CT_PATH_MAX], private[CT_PATH_MAX];
	char veth_host[16], veth_peer[16];
	char cgroup[CT_PATH_MAX];
	int go[2];			/* the tool's "go" to init, once init has its veth */
};

/*
 * ct-cr-ns.c: the CT's namespaces on restore, one function per kind, made
 * the way `vzcr start` makes them (the namespace images replace them later).
 * In the tool, in a mount namespace of its own: the CT's mount tree.
 */
int ct_cr_restore_mounts(struct ct_cr_rst *r);
/* Once the tasks are restored: the CT's root becomes the namespace's root. */
int ct_cr_restore_mounts_finish(struct ct_cr_rst *r);
/* The engine's hooks: in the tool once init exists, and first thing in init. */
int ct_cr_init_created(pid_t pid, void *arg);
int ct_cr_init_setup(void *arg);

/* ct-cr-extra.c: a DISK CT's image mounted on VE_ROOT before the mounts are built. */
int ct_cr_disk_prepare(struct ct_cr_rst *r);

#endif /* VZCR_CT_CR_H */
