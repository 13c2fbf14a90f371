// SPDX-License-Identifier: GPL-2.0-only
/* Helpers over the image API for images of a single entry. */
#define LOG_PREFIX "image: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "image.h"
#include "log.h"

int img_write_single(int dfd, enum img_type type, unsigned int id, const void *msg)
{
	struct img *img = img_open(dfd, type, O_WRONLY, id);
	int err;

	if (!img)
		return -errno;
	err = img_write(img, msg);
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
}

int img_read_single(int dfd, enum img_type type, unsigned int id, void **ret_msg)
{
	struct img *img = img_open(dfd, type, O_RDONLY, id);
	int ret;

	if (!img)
		return -errno;
	ret = img_read(img, ret_msg);
	if (ret == 0)
		ret = log_err(-ENODATA, "Failed to read '%s': no entry", img_path(img));
	img_close(img);
	return ret < 0 ? ret : 0;
}

bool img_exists(int dfd, enum img_type type, unsigned int id)
{
	const struct img_desc *d = img_desc_get(type);
	char name[256];

	if (!d)
		return false;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(name, sizeof(name), d->fname, id);
#pragma GCC diagnostic pop
	return faccessat(dfd, name, F_OK, 0) == 0;
}
