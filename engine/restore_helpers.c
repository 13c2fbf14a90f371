// SPDX-License-Identifier: GPL-2.0-only
/*
 * Session helpers, for a restore into a pid namespace. A daemon started by
 * a shell that has exited since lives on in the shell's session and group
 * (say 15) after its leader is gone, reparented to init. Only a process of
 * session 15 can make such a task, and no task of the images is one: a
 * helper with pid 15 is added as a child of init; it calls setsid(), forks
 * those tasks and exits, and init reaps it, so that they end up children of
 * init in session 15, as dumped. Helpers have no images; they count as
 * zombies everywhere else (nothing to seize, rebuild or release).
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <string.h>

#include "log.h"
#include "restore.h"
#include "xmalloc.h"

static bool is_task(const struct rst_ctx *c, pid_t pid)
{
	int i;

	for (i = 0; i < c->nr_tasks; i++)
		if (c->tasks[i].pid == pid)
			return true;
	return false;
}

/* A helper for session @sid, right after init (parents before children). */
static int add_helper(struct rst_ctx *c, pid_t sid)
{
	struct rst_task *nt = xrealloc(c->tasks, (c->nr_tasks + 1) * sizeof(*nt)), *h;

	if (!nt)
		return -ENOMEM;
	c->tasks = nt;
	memmove(&c->tasks[2], &c->tasks[1], (c->nr_tasks - 1) * sizeof(*nt));
	c->nr_tasks++;
	h = &c->tasks[1];
	memset(h, 0, sizeof(*h));
	h->pid = h->hpid = h->pgid = h->sid = sid;
	h->ppid = c->tasks[0].pid;
	h->zombie = h->helper = true;
	h->threads = xzalloc(sizeof(pid_t));
	h->hthreads = xzalloc(sizeof(pid_t));
	if (!h->threads || !h->hthreads)
		return -ENOMEM;
	pr_debug("Session %d has no leader in the images: a helper makes it", sid);
	return 0;
}

int rst_session_helpers(struct rst_ctx *c)
{
	int i, err;

	if (!c->opts->ns_flags)
		return 0;	/* outside a pid namespace, such a session is the caller's */
	for (i = 1; i < c->nr_tasks; i++) {
		struct rst_task *t = &c->tasks[i];
		pid_t sid = t->sid;

		if (t->helper || !sid || is_task(c, sid))
			continue;
		if (t->ppid != c->tasks[0].pid)
			return log_err(-EOPNOTSUPP, "Task %d is in session %d, whose leader is gone, and is a child of %d, not of init: not supported",
				       t->pid, sid, t->ppid);
		if (t->pgid != sid && !is_task(c, t->pgid))
			return log_err(-EOPNOTSUPP, "Task %d is in group %d of session %d, both without a leader: not supported",
				       t->pid, t->pgid, sid);
		err = add_helper(c, sid);
		if (err)
			return err;
		i++;	/* t moved one up */
	}
	/* the tasks of a helper's session that init has are the helper's */
	for (i = 1; i < c->nr_tasks; i++) {
		struct rst_task *t = &c->tasks[i];
		int j;

		for (j = 1; !t->helper && j < c->nr_tasks; j++)
			if (c->tasks[j].helper && c->tasks[j].sid == t->sid && t->ppid == c->tasks[0].pid)
				t->ppid = c->tasks[j].pid;
	}
	return 0;
}
