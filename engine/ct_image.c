// SPDX-License-Identifier: GPL-2.0-only
/* vzcr-ct.img: the identity of the CT an image set belongs to. */
#define LOG_PREFIX "ct-image: "
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctimg.h"
#include "image.h"
#include "log.h"
#include "vzcr-ct.pb-c.h"

int ct_image_write(int dfd, const struct ct_image *ci)
{
	VzcrCtEntry e = VZCR_CT_ENTRY__INIT;

	e.ctid = (char *)ci->ctid;
	e.hostname = (char *)ci->hostname;
	e.ip_address = (char *)ci->ip_address;
	e.host_ip = (char *)ci->host_ip;
	e.has_init_host_pid = true;
	e.init_host_pid = ci->init_host_pid;
	e.cgroup = (char *)ci->cgroup;
	return img_write_single(dfd, IMG_VZCR_CT, 0, &e);
}

/* Copy string field @name of @dir/vzcr-ct.img into @dst of @len, checked. */
static int copy_str(const char *dir, const char *name, char *dst, size_t len, const char *src)
{
	if (!src) {
		dst[0] = '\0';
		return 0;
	}
	if (strlen(src) >= len)
		return log_err(-EINVAL, "Failed to read '%s/vzcr-ct.img': field %s is %zu bytes, at most %zu",
			       dir, name, strlen(src), len - 1);
	strcpy(dst, src);
	return 0;
}

int ct_image_read(const char *dir, struct ct_image *ret)
{
	VzcrCtEntry *e = NULL;
	struct ct_image ci = {};
	int dfd, err;

	dfd = img_dir_open(dir, false);
	if (dfd < 0)
		return dfd;
	if (!img_exists(dfd, IMG_VZCR_CT, 0)) {
		close(dfd);
		return -ENOENT;
	}
	err = img_read_single(dfd, IMG_VZCR_CT, 0, (void **)&e);
	close(dfd);
	if (err)
		return err;
	err = copy_str(dir, "ctid", ci.ctid, sizeof(ci.ctid), e->ctid) ?:
	      copy_str(dir, "hostname", ci.hostname, sizeof(ci.hostname), e->hostname) ?:
	      copy_str(dir, "ip_address", ci.ip_address, sizeof(ci.ip_address), e->ip_address) ?:
	      copy_str(dir, "host_ip", ci.host_ip, sizeof(ci.host_ip), e->host_ip) ?:
	      copy_str(dir, "cgroup", ci.cgroup, sizeof(ci.cgroup), e->cgroup);
	ci.init_host_pid = e->has_init_host_pid ? (pid_t)e->init_host_pid : 0;
	vzcr_ct_entry__free_unpacked(e, NULL);
	if (!err && !ci.ctid[0])
		err = log_err(-EINVAL, "Failed to read '%s/vzcr-ct.img': empty ctid", dir);
	if (!err)
		*ret = ci;
	return err;
}
