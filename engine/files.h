/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Open files of a dumped tree. Every open file description gets one id, so
 * that fds (in one task or several) that share a description share the id;
 * the engine holds its own reference to each (pidfd_getfd) to tell them
 * apart with kcmp and to read what /proc does not show (pipe contents).
 */
#ifndef VZCR_FILES_H
#define VZCR_FILES_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fdinfo.pb-c.h"

struct file_desc {
	uint32_t id;
	int local_fd;			/* our reference to the very same file */
	dev_t dev;
	ino_t ino;
	FileEntry *fe;			/* what files.img gets */
	uint32_t ghost_id;		/* remap-fpath.img: rebuilt from this ghost, or 0 */
};

/* An unlinked inode whose contents went to ghost-file-ID.img. */
struct ghost_ref {
	dev_t dev;
	ino_t ino;
	uint32_t id;
};

struct file_table {
	struct file_desc *v;
	size_t n;
	uint32_t next_id;
	struct ghost_ref *ghosts;
	size_t nr_ghosts;
	/*
	 * Files of the kinds of fdkinds.c, as indexes into v sorted by kcmp's
	 * order of the files: anonymous inodes are one inode for all, so the
	 * dev/ino test of file_table_get() cannot tell them apart cheaply.
	 */
	size_t *kind_order;
	size_t nr_kind_order;
};

/*
 * Find the description @local_fd refers to, or add it through @make (which
 * fills fe for a new one). The table takes @local_fd in every case. Returns
 * the id (> 0) or -errno.
 */
typedef int (*file_make_t)(struct file_desc *fd, void *arg);
int file_table_get(struct file_table *t, int local_fd, file_make_t make, void *arg);
/*
 * Add an entry that is no open file of its own (the path of a FIFO):
 * @local_fd may be -1 and is never compared. Returns the id or -errno.
 */
int file_table_add(struct file_table *t, int local_fd, file_make_t make, void *arg);
struct file_desc *file_table_find(struct file_table *t, uint32_t id);
/*
 * A new REG file entry @id for @name: open @flags (O_CLOEXEC is the fd's,
 * not kept here), offset @pos, mode and size from @st. NULL on ENOMEM.
 */
FileEntry *reg_entry_new(uint32_t id, const char *name, unsigned int flags, uint64_t pos,
			 const struct stat *st);
/* files.img with every description and remap-fpath.img; 0 or -errno. */
int file_table_write(struct file_table *t, int dfd);
void file_table_free(struct file_table *t);

struct dump_ctx;
/*
 * A file in flight in a unix socket (SCM_RIGHTS), which the engine holds
 * as its own @fd (left open): add it as any fd of a task; its id or -errno.
 */
int dump_flying_fd(struct dump_ctx *c, int fd);

#endif /* VZCR_FILES_H */
