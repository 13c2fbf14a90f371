/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vzcr-ct.img: which container an image set belongs to (vzcr's own image,
 * engine/images/README). Written and checked by `vzcr checkpoint/restore`.
 */
#ifndef VZCR_CTIMG_H
#define VZCR_CTIMG_H

#include <sys/types.h>

struct ct_image {
	char ctid[65];
	char hostname[65];
	char ip_address[16];
	char host_ip[16];
	pid_t init_host_pid;
	char cgroup[4];			/* "v1" or "v2" */
};

/* Write vzcr-ct.img into the image directory @dfd (eng_dump() does, for dump_opts.ct). */
int ct_image_write(int dfd, const struct ct_image *ci);
/*
 * Read vzcr-ct.img of @dir: -ENOENT (quiet) if there is none; fields that
 * do not fit or are missing are errors naming the file and field.
 */
int ct_image_read(const char *dir, struct ct_image *ret);

#endif /* VZCR_CTIMG_H */
