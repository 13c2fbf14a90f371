// SPDX-License-Identifier: GPL-2.0-only
/* Image paths of a CT's files: as the CT sees them (see ct_path.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "ct_path.h"
#include "dump.h"
#include "restore.h"

void dump_path_name(const struct dump_ctx *c, char *link, size_t len)
{
	int i;

	for (i = 0; i < c->opts->nr_ext; i++)
		if (!strcmp(link, c->opts->ext[i].host_path)) {
			snprintf(link, len, "%s", c->opts->ext[i].name);
			return;
		}
}

int dump_path_stat(const struct dump_ctx *c, const char *path, struct stat *st)
{
	char buf[PATH_MAX + 64];
	int i;

	for (i = 0; i < c->opts->nr_ext; i++)
		if (!strcmp(path, c->opts->ext[i].name))
			return stat(c->opts->ext[i].host_path, st);
	if (!c->root_prefix[0])
		return stat(path, st);
	if ((size_t)snprintf(buf, sizeof(buf), "%s%s", c->root_prefix, path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return stat(buf, st);
}

bool dump_path_on_host(const struct dump_ctx *c, const char *path, const struct stat *want)
{
	struct stat st;

	return c->root_prefix[0] && stat(path, &st) == 0 && st.st_dev == want->st_dev &&
	       st.st_ino == want->st_ino;
}

const char *rst_path(const struct rst_ctx *c, const char *name, char *buf, size_t len)
{
	int i;

	for (i = 0; i < c->opts->nr_ext; i++)
		if (!strcmp(name, c->opts->ext[i].name)) {
			snprintf(buf, len, "/proc/self/fd/%d", c->opts->ext[i].fd);
			return buf;
		}
	if (!c->opts->root || name[0] != '/')
		return name;
	if ((size_t)snprintf(buf, len, "%s%s", c->opts->root, name) >= len)
		buf[0] = '\0';	/* too long: fails to open, named in the error */
	return buf;
}

int rst_path_flags(const char *path, int flags)
{
	if (!strncmp(path, "/proc/self/fd/", 14))
		flags &= ~O_NOFOLLOW;
	return flags;
}
