/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A CT's cgroup as a freezer: cgroup v2 (cgroup.freeze, cgroup.events) or
 * the v1 freezer hierarchy (freezer.state). While frozen no task of the
 * cgroup runs, so none can fork or clone past the seize.
 */
#ifndef VZCR_FREEZER_H
#define VZCR_FREEZER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct freezer {
	char path[PATH_MAX];		/* the cgroup directory */
	bool v2;
	bool frozen;			/* by us: thawed again by freezer_thaw() */
};

/* Which kind of cgroup @cg is; -ENOENT (logged) if it is neither. */
int freezer_init(struct freezer *f, const char *cg);
/* Freeze and wait until every task is frozen (at most ~10 s). */
int freezer_freeze(struct freezer *f);
/* Thaw if we froze it; logs on failure. */
int freezer_thaw(struct freezer *f);
/* Every thread id of the cgroup (cgroup.threads, or tasks on v1), malloc'd. */
int freezer_threads(const struct freezer *f, pid_t **ret, int *ret_n);

#endif /* VZCR_FREEZER_H */
