// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a CT restore needs beyond its namespaces, kept apart from
 * ct-cr-restore.c: a CT whose root is an ext4 image (DISK) gets the image
 * loop-mounted on VE_ROOT in the host's mount namespace first, as `vzcr
 * start` does, so that the restored CT's root is the image again and
 * `vzcr stop` unmounts it and frees its loop device.
 */
#define LOG_PREFIX "restore: "
#include <stdio.h>

#include "ct-cr.h"
#include "log.h"

int ct_cr_disk_prepare(struct ct_cr_rst *r)
{
	int err;

	if (!r->ct->conf.disk[0])
		return 0;
	err = ct_disk_mount(r->ct, r->root);
	if (err < 0)
		return err;
	/* the CT binds the mounted image, not the directory holding it */
	snprintf(r->private, sizeof(r->private), "%s", r->root);
	return 0;
}
