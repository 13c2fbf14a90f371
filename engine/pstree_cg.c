// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seize a whole CT: freeze its cgroup, seize and interrupt every thread in
 * it, thaw (a frozen v1 task reaches its ptrace stop only once thawed, and
 * a v2 one would go back to the freezer on each injected syscall), then walk
 * the tree of its init, which has no task outside the seized set any more.
 * A task of the cgroup that is not in init's tree is refused by name.
 */
#define LOG_PREFIX "pstree: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "freezer.h"
#include "io.h"
#include "log.h"
#include "pstree.h"

/* Wait for the stop of every tid still in @tids and let it go. */
static void release_rest(pid_t *tids, int n)
{
	struct seized s;
	int i;

	for (i = 0; i < n; i++)
		if (tids[i] && ptrace_wait_seized(tids[i], &s) == 0)
			ptrace_release(tids[i], s.group_stopped);
}

/* The first tid of the cgroup that the walk did not meet, by name. */
static int refuse_rest(const char *cg, pid_t root, const pid_t *tids, int n)
{
	_cleanup_free_ char *comm = NULL;
	char path[64];
	int i;

	for (i = 0; i < n && !tids[i]; i++)
		;
	if (i == n)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", tids[i]);
	if (read_file_at(AT_FDCWD, path, 64, &comm) > 0)
		comm[strcspn(comm, "\n")] = '\0';
	return log_err(-EOPNOTSUPP, "Task %d (%s) is in cgroup '%s' but not in the tree of the CT's init %d (a 'vzcr exec' session?): not supported",
		       tids[i], comm ? comm : "?", cg, root);
}

/* Seize and interrupt every thread of the frozen cgroup; 0s for the gone. */
static int seize_all(pid_t *tids, int *n)
{
	int i, err;

	for (i = 0; i < *n; i++) {
		err = ptrace_seize_interrupt(tids[i], SEIZE_OPTS_DUMP);
		if (err == -ESRCH) {
			tids[i] = 0;
			continue;
		}
		if (err) {
			*n = i;		/* those before are ours to release */
			return err;
		}
	}
	return 0;
}

int pstree_seize_cgroup(const char *cg, pid_t root, struct pstree *ret)
{
	struct freezer fz;
	pid_t *tids = NULL;
	int n = 0, err, err2;

	memset(ret, 0, sizeof(*ret));
	err = freezer_init(&fz, cg) ?: freezer_freeze(&fz);
	if (err)
		return err;
	err = freezer_threads(&fz, &tids, &n);
	if (!err)
		err = seize_all(tids, &n);
	err2 = freezer_thaw(&fz);
	err = err ?: err2;
	if (!err) {
		err = pstree_seize_ns(root, true, tids, n, ret);
		if (!err)
			err = refuse_rest(cg, root, tids, n);
		if (err && ret->items) {
			pstree_release(ret);
			pstree_free(ret);
		}
	}
	release_rest(tids, n);
	free(tids);
	return err;
}
