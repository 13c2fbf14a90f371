/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Paths of a CT's files. Images name files as the CT sees them. At dump,
 * /proc/PID/fd links of a CT's task already read so from the host (the
 * CT's mounts are not reachable from the host's root); they are checked
 * through /proc/INIT/root. Files outside the CT's root (struct
 * eng_ext_file) get a name under /.vzcr-ext/. At restore, the tool takes
 * image paths under the CT's root directory, ext names from the caller.
 */
#ifndef VZCR_CT_PATH_H
#define VZCR_CT_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct dump_ctx;
struct rst_ctx;

/* A link read from /proc/PID/fd: an ext file's host path becomes its name. */
void dump_path_name(const struct dump_ctx *c, char *link, size_t len);
/* stat() of image path @path, seen from the CT; -1 with errno like stat(). */
int dump_path_stat(const struct dump_ctx *c, const char *path, struct stat *st);
/* In a CT dump: is @path, taken on the host, the very file @want (a host file)? */
bool dump_path_on_host(const struct dump_ctx *c, const char *path, const struct stat *want);
/* What the restoring tool opens for image path @name (@buf or @name itself). */
const char *rst_path(const struct rst_ctx *c, const char *name, char *buf, size_t len);
/* Open flags for what rst_path() gave: an ext file is reached by a magic link. */
int rst_path_flags(const char *path, int flags);

#endif /* VZCR_CT_PATH_H */
