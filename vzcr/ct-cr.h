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

#define CT_CR_MAX_PROC 8

/* A proc mount of the CT, made again by its init (proc shows the mounter's pid ns). */
struct ct_cr_proc {
	char path[CT_PATH_MAX];
	unsigned long flags;
	char opts[128];
};

/* A restore in progress: what the tool and the CT's new init share. */
struct ct_cr_rst {
	struct ct *ct;
	char root[CT_PATH_MAX], private[CT_PATH_MAX];
	char veth_host[16], veth_peer[16];
	char cgroup[CT_PATH_MAX];
	int go[2];			/* the tool's "go" to init, once init is in the cgroup */
	int dfd;			/* the image directory */
	int netns;			/* the CT's new net ns, which the tool is in */
	struct ct_cr_proc proc[CT_CR_MAX_PROC];
	int nr_proc;
};

/*
 * ct-cr-ns.c: the CT's namespaces from the namespace images (nsimg.h). In
 * the tool: new mount, uts, ipc and net namespaces for itself, rebuilt in
 * that order, the mount tree last (sysfs and mqueue take the mounter's net
 * and ipc namespaces); the CT's tasks are then cloned into a new pid
 * namespace and inherit the rest.
 */
int ct_cr_restore_ns(struct ct_cr_rst *r);
/* Once the tasks are restored: the TCP lock goes, the CT's root becomes the namespace's root. */
int ct_cr_restore_ns_finish(struct ct_cr_rst *r);
/* The engine's hooks: in the tool once init exists, and first thing in init. */
int ct_cr_init_created(pid_t pid, void *arg);
int ct_cr_init_setup(void *arg);

/* ct-cr-extra.c: a DISK CT's image mounted on VE_ROOT before the mounts are built. */
int ct_cr_disk_prepare(struct ct_cr_rst *r);

#endif /* VZCR_CT_CR_H */
