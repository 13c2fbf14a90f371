// SPDX-License-Identifier: GPL-2.0-only
/* The table of open file descriptions of a dump. */
#define LOG_PREFIX "files: "
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"
#include "image.h"
#include "log.h"
#include "xmalloc.h"

static bool same_file(int a, int b)
{
	pid_t me = getpid();

	return syscall(SYS_kcmp, me, me, KCMP_FILE, a, b) == 0;
}

int file_table_get(struct file_table *t, int local_fd, file_make_t make, void *arg)
{
	struct file_desc *d, *nv;
	struct stat st;
	size_t i;
	int err;

	if (fstat(local_fd, &st) < 0)
		return log_perr(-errno, "Failed to stat a file of the dump");
	for (i = 0; i < t->n; i++) {
		d = &t->v[i];
		if (d->dev == st.st_dev && d->ino == st.st_ino && same_file(d->local_fd, local_fd)) {
			close(local_fd);
			return d->id;
		}
	}
	nv = xrealloc(t->v, (t->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	t->v = nv;
	d = &t->v[t->n];
	*d = (struct file_desc){ .id = ++t->next_id, .local_fd = local_fd, .dev = st.st_dev,
				 .ino = st.st_ino };
	err = make(d, arg);
	if (err) {
		t->next_id--;
		close(local_fd);
		return err;
	}
	t->n++;
	return d->id;
}

int file_table_write(struct file_table *t, int dfd)
{
	struct img *img = img_open(dfd, IMG_FILES, O_WRONLY, 0);
	size_t i;
	int err;

	if (!img)
		return -errno;
	for (i = 0; i < t->n; i++) {
		err = img_write(img, t->v[i].fe);
		if (err) {
			img_abort(img);
			return err;
		}
	}
	return img_close(img);
}

void file_table_free(struct file_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		close(t->v[i].local_fd);
		if (t->v[i].fe)
			file_entry__free_unpacked(t->v[i].fe, NULL);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
