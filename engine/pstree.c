// SPDX-License-Identifier: GPL-2.0-only
/* Collect and seize a process tree: processes, threads, zombies. */
#define LOG_PREFIX "pstree: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "cleanup.h"
#include "io.h"
#include "log.h"
#include "pidns.h"
#include "proc_parse.h"
#include "pstree.h"
#include "xmalloc.h"

static int push(void *arrp, int *n, size_t elem)
{
	void **arr = arrp;
	void *na = xrealloc(*arr, (*n + 1) * elem);

	if (!na)
		return -ENOMEM;
	*arr = na;
	(*n)++;
	return 0;
}

static bool has_tid(const struct pstree_item *it, pid_t tid)
{
	int i;

	for (i = 0; i < it->nr_threads; i++)
		if (it->threads[i] == tid)
			return true;
	return false;
}

/* Seize and stop @tid, or only wait for its stop if it was seized already. */
static int seize_one(struct pstree *t, pid_t tid, struct seized *s)
{
	int i;

	for (i = 0; i < t->nr_preseized; i++)
		if (t->preseized[i] == tid) {
			t->preseized[i] = 0;
			return ptrace_wait_seized(tid, s);
		}
	return ptrace_seize_stop(tid, SEIZE_OPTS_DUMP, s);
}

/* Seize threads of @it until a pass over /proc/PID/task finds no new one. */
static int seize_threads(struct pstree *t, struct pstree_item *it)
{
	bool found = true;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", it->pid);
	while (found) {
		_cleanup_closedir_ DIR *d = opendir(path);
		struct dirent *de;

		if (!d)
			return log_perr(-errno, "Failed to open '%s'", path);
		found = false;
		while ((de = readdir(d))) {
			pid_t tid = atoi(de->d_name);
			struct seized s;
			int err;

			if (tid <= 0 || has_tid(it, tid))
				continue;
			err = seize_one(t, tid, &s);
			if (err == -ESRCH)
				continue;	/* the thread exited meanwhile */
			if (err)
				return err;
			if (push(&it->threads, &it->nr_threads, sizeof(pid_t))) {
				ptrace_release(tid, false);
				return -ENOMEM;
			}
			it->threads[it->nr_threads - 1] = tid;
			found = true;
		}
	}
	return 0;
}

static struct pstree_item *add_item(struct pstree *t, pid_t pid, struct pstree_item *parent)
{
	struct pstree_item *it = xzalloc(sizeof(*it));

	if (!it)
		return NULL;
	it->pid = pid;
	it->parent = parent;
	if (push(&t->items, &t->nr, sizeof(*t->items))) {
		free(it);
		return NULL;
	}
	t->items[t->nr - 1] = it;
	if (parent) {
		if (push(&parent->children, &parent->nr_children, sizeof(it)))
			return NULL;	/* freed with the tree */
		parent->children[parent->nr_children - 1] = it;
	}
	return it;
}

/* The ids the images get: those of the pid namespace, or the host's. */
static int virt_ids(struct pstree *t, struct pstree_item *it)
{
	struct pidns_ids ids = { it->pid, it->pgid, it->sid, 0 };
	int i, err;

	it->vthreads = xzalloc((it->nr_threads + 1) * sizeof(pid_t));
	if (!it->vthreads)
		return -ENOMEM;
	for (i = 0; i < it->nr_threads; i++) {
		it->vthreads[i] = it->threads[i];
		if (!t->pidns)
			continue;
		err = pidns_ids(it->pid, it->threads[i], &ids);
		if (err)
			return err;
		it->vthreads[i] = ids.pid;
	}
	if (t->pidns && (err = pidns_ids(it->pid, it->pid, &ids)))
		return err;
	/* the first item is init: every task must be in its pid namespace, none deeper */
	if (t->pidns && !it->parent)
		t->levels = ids.levels;
	if (t->pidns && ids.levels != t->levels)
		return log_err(-EOPNOTSUPP, "Task %d (%s) is in a pid namespace of its own inside the CT: nested pid namespaces are not supported",
			       it->pid, it->comm);
	it->vpid = ids.pid;
	it->vpgid = ids.pgid;
	it->vsid = ids.sid;
	return 0;
}

/* Seize one process: the leader first, so its threads cannot fork past us. */
static int seize_process(struct pstree *t, struct pstree_item *it)
{
	struct proc_stat st;
	struct seized s;
	int err;

	err = proc_parse_stat(it->pid, it->pid, &st);
	if (err)
		return err;
	it->ppid = st.ppid;
	it->pgid = st.pgid;
	it->sid = st.sid;
	memcpy(it->comm, st.comm, sizeof(it->comm));
	if (st.state == 'Z') {
		it->zombie = true;
		it->exit_code = st.exit_code;
		return virt_ids(t, it);
	}
	err = seize_one(t, it->pid, &s);
	if (err == -ESRCH)
		return log_err(-ESRCH, "Task %d exited while being seized", it->pid);
	if (err)
		return err;
	it->group_stopped = s.group_stopped;
	it->stop_sig = s.stop_sig;
	/*
	 * A seized task in a group stop traps back into it whenever it is
	 * resumed, so no syscall can run in it. Waking it with SIGCONT would
	 * show in its parent's wait and in its handlers: refuse instead.
	 */
	if (s.group_stopped) {
		ptrace_release(it->pid, true);
		return log_err(-EOPNOTSUPP, "Task %d is stopped (signal %d): not supported yet, continue it first",
			       it->pid, s.stop_sig);
	}
	it->threads = xmalloc(sizeof(pid_t));
	if (!it->threads) {
		ptrace_release(it->pid, it->group_stopped);
		return -ENOMEM;
	}
	it->threads[0] = it->pid;
	it->nr_threads = 1;
	err = seize_threads(t, it);
	if (!err) {
		/* pgid/sid may have changed before the stop */
		err = proc_parse_stat(it->pid, it->pid, &st);
		it->pgid = st.pgid;
		it->sid = st.sid;
	}
	return err ?: virt_ids(t, it);
}

static bool in_tree(const struct pstree *t, pid_t pid)
{
	return pstree_find(t, pid) != NULL;
}

/* Children of every thread of @it, from /proc/PID/task/TID/children. */
static int add_children(struct pstree *t, struct pstree_item *it)
{
	int i;

	for (i = 0; i < it->nr_threads; i++) {
		_cleanup_free_ char *buf = NULL;
		char path[64], *p, *end;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", it->pid, it->threads[i]);
		if (read_file_at(AT_FDCWD, path, 1 << 20, &buf) < 0)
			return log_perr(-errno, "Failed to read '%s'", path);
		for (p = buf; *p; p = end) {
			pid_t c = strtol(p, &end, 10);

			if (end == p)
				break;
			if (in_tree(t, c))
				continue;
			if (!add_item(t, c, it))
				return -ENOMEM;
		}
	}
	return 0;
}

int pstree_seize(pid_t root, struct pstree *ret)
{
	return pstree_seize_ns(root, false, NULL, 0, ret);
}

int pstree_seize_ns(pid_t root, bool pidns, pid_t *preseized, int nr, struct pstree *ret)
{
	struct pstree t = { .pidns = pidns, .preseized = preseized, .nr_preseized = nr };
	int i, err;

	if (!add_item(&t, root, NULL))
		return -ENOMEM;
	/* breadth first: items grow while we walk them; parents come first */
	for (i = 0; i < t.nr; i++) {
		err = seize_process(&t, t.items[i]);
		if (!err && !t.items[i]->zombie)
			err = add_children(&t, t.items[i]);
		if (err) {
			pstree_release(&t);
			pstree_free(&t);
			return err;
		}
	}
	t.preseized = NULL;
	t.nr_preseized = 0;
	*ret = t;
	return 0;
}

pid_t pstree_vtid(const struct pstree_item *it, pid_t tid)
{
	int i;

	for (i = 0; i < it->nr_threads; i++)
		if (it->threads[i] == tid)
			return it->vthreads ? it->vthreads[i] : tid;
	return tid;
}

struct pstree_item *pstree_find(const struct pstree *tree, pid_t pid)
{
	int i;

	for (i = 0; i < tree->nr; i++)
		if (tree->items[i]->pid == pid)
			return tree->items[i];
	return NULL;
}

void pstree_release(struct pstree *tree)
{
	int i, j;

	for (i = 0; i < tree->nr; i++) {
		struct pstree_item *it = tree->items[i];

		for (j = 0; j < it->nr_threads; j++)
			ptrace_release(it->threads[j], it->group_stopped);
		it->nr_threads = 0;
	}
}

void pstree_kill(struct pstree *tree)
{
	int i;

	for (i = 0; i < tree->nr; i++)
		if (!tree->items[i]->zombie)
			kill(tree->items[i]->pid, SIGKILL);
}

void pstree_free(struct pstree *tree)
{
	int i;

	for (i = 0; i < tree->nr; i++) {
		free(tree->items[i]->threads);
		free(tree->items[i]->vthreads);
		free(tree->items[i]->children);
		free(tree->items[i]);
	}
	free(tree->items);
	tree->items = NULL;
	tree->nr = 0;
}
