// SPDX-License-Identifier: GPL-2.0-only
/* The table of open file descriptions of a dump. */
#define LOG_PREFIX "files: "
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"
#include "image.h"
#include "log.h"
#include "remap-file-path.pb-c.h"
#include "xmalloc.h"

static bool same_file(int a, int b)
{
	pid_t me = getpid();

	return syscall(SYS_kcmp, me, me, KCMP_FILE, a, b) == 0;
}

int file_table_add(struct file_table *t, int local_fd, file_make_t make, void *arg)
{
	struct file_desc *d, *nv;
	struct stat st = {};
	int err;

	if (local_fd >= 0 && fstat(local_fd, &st) < 0) {
		err = log_perr(-errno, "Failed to stat a file of the dump");
		close(local_fd);
		return err;
	}
	nv = xrealloc(t->v, (t->n + 1) * sizeof(*nv));
	if (!nv) {
		if (local_fd >= 0)
			close(local_fd);
		return -ENOMEM;
	}
	t->v = nv;
	d = &t->v[t->n];
	*d = (struct file_desc){ .id = ++t->next_id, .local_fd = local_fd, .dev = st.st_dev,
				 .ino = st.st_ino };
	err = make(d, arg);
	if (err) {
		t->next_id--;
		if (local_fd >= 0)
			close(local_fd);
		return err;
	}
	t->n++;
	return d->id;
}

int file_table_get(struct file_table *t, int local_fd, file_make_t make, void *arg)
{
	struct file_desc *d;
	struct stat st;
	size_t i;

	if (fstat(local_fd, &st) < 0) {
		int err = log_perr(-errno, "Failed to stat a file of the dump");

		close(local_fd);
		return err;
	}
	for (i = 0; i < t->n; i++) {
		d = &t->v[i];
		if (d->local_fd >= 0 && d->dev == st.st_dev && d->ino == st.st_ino &&
		    same_file(d->local_fd, local_fd)) {
			close(local_fd);
			return d->id;
		}
	}
	return file_table_add(t, local_fd, make, arg);
}

struct file_desc *file_table_find(struct file_table *t, uint32_t id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].id == id)
			return &t->v[i];
	return NULL;
}

FileEntry *reg_entry_new(uint32_t id, const char *name, unsigned int flags, uint64_t pos,
			 const struct stat *st)
{
	FileEntry *fe = xmalloc(sizeof(*fe));
	RegFileEntry *r = xmalloc(sizeof(*r));
	FownEntry *o = xmalloc(sizeof(*o));
	char *n = xstrdup(name);

	if (!fe || !r || !o || !n) {
		free(fe);
		free(r);
		free(o);
		free(n);
		return NULL;
	}
	file_entry__init(fe);
	reg_file_entry__init(r);
	fown_entry__init(o);
	fe->type = FD_TYPES__REG;
	fe->id = r->id = id;
	fe->reg = r;
	r->flags = flags & ~O_CLOEXEC;
	r->pos = pos;
	r->name = n;
	r->fown = o;
	r->has_mode = true;
	r->mode = st->st_mode;
	if (S_ISREG(st->st_mode)) {
		r->has_size = true;
		r->size = st->st_size;
	}
	return fe;
}

/* remap-fpath.img: which files come back from a ghost; 0 or -errno. */
static int remap_write(struct file_table *t, int dfd)
{
	struct img *img;
	size_t i;
	int err = 0;

	if (!t->nr_ghosts)
		return 0;
	img = img_open(dfd, IMG_REMAP_FPATH, O_WRONLY, 0);
	if (!img)
		return -errno;
	for (i = 0; i < t->n && !err; i++) {
		RemapFilePathEntry re = REMAP_FILE_PATH_ENTRY__INIT;

		if (!t->v[i].ghost_id)
			continue;
		re.orig_id = t->v[i].id;
		re.remap_id = t->v[i].ghost_id;
		re.has_remap_type = true;
		re.remap_type = REMAP_TYPE__GHOST;
		err = img_write(img, &re);
	}
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
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
	err = img_close(img);
	return err ?: remap_write(t, dfd);
}

void file_table_free(struct file_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].local_fd >= 0)
			close(t->v[i].local_fd);
		if (t->v[i].fe)
			file_entry__free_unpacked(t->v[i].fe, NULL);
	}
	free(t->v);
	free(t->ghosts);
	free(t->kind_order);
	t->kind_order = NULL;
	t->nr_kind_order = 0;
	t->v = NULL;
	t->ghosts = NULL;
	t->n = t->nr_ghosts = 0;
}
