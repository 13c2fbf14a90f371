/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ghost files: regular files a task holds open after their last name was
 * unlinked. The dump copies the inode (contents, mode, owner, times) once
 * per inode to ghost-file-ID.img and names it in remap-fpath.img for each
 * file of files.img opened on it, as CRIU does. The restore recreates the
 * inode under its old name, opens every file on it there, and unlinks it
 * again before any task runs.
 */
#ifndef VZCR_GHOST_H
#define VZCR_GHOST_H

#include <stdint.h>
#include <sys/stat.h>

#include "files.h"

/* Bigger unlinked files are refused rather than copied into the images. */
#define GHOST_MAX_SIZE	(256ULL << 20)

/*
 * The ghost of the unlinked inode behind @local_fd (stat @st), written to
 * @dfd the first time the inode is seen. Returns the ghost id (> 0) or -errno.
 */
int ghost_dump(struct file_table *t, int dfd, int local_fd, const struct stat *st);

struct rst_ctx;
struct rst_ghost;

struct ghost_set {
	struct rst_ghost *v;
	int n;
};

/*
 * Read remap-fpath.img (if any) and recreate every ghost inode under its
 * file's old name (or next to it when the name is taken). 0 or -errno; on
 * failure what was made is already removed.
 */
int ghost_prepare(struct rst_ctx *c, struct ghost_set *gs);
/* Where to open file @file_id from: its ghost's path, or NULL. */
const char *ghost_path(const struct ghost_set *gs, uint32_t file_id);
/* Unlink every ghost made (the files opened on them keep the inodes). */
void ghost_cleanup(struct ghost_set *gs);

#endif /* VZCR_GHOST_H */
