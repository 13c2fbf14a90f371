/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tree of tasks being dumped: every process below the root with its
 * threads, seized and stopped, or recorded as a zombie.
 */
#ifndef VZCR_PSTREE_H
#define VZCR_PSTREE_H

#include <stdbool.h>
#include <sys/types.h>

#include "ptrace.h"

struct pstree_item {
	pid_t pid, ppid, pgid, sid;
	bool zombie;
	int exit_code;			/* wait status of a zombie */
	char comm[16];
	bool group_stopped;		/* SIGSTOP'ed when we came */
	int stop_sig;
	pid_t *threads;			/* threads[0] == pid */
	int nr_threads;
	struct pstree_item *parent;
	struct pstree_item **children;
	int nr_children;
	void *priv;			/* dump state of the task */
};

struct pstree {
	struct pstree_item **items;	/* items[0] is the root; parents before children */
	int nr;
};

/*
 * Seize @root and every descendant process and thread, and stop them. On
 * failure everything seized so far is released, running as before.
 */
int pstree_seize(pid_t root, struct pstree *ret);
/* Detach from every task; they run on (or stay group-stopped). */
void pstree_release(struct pstree *tree);
/* Kill every task of the tree (after a dump without --leave-running). */
void pstree_kill(struct pstree *tree);
void pstree_free(struct pstree *tree);
struct pstree_item *pstree_find(const struct pstree *tree, pid_t pid);

#endif /* VZCR_PSTREE_H */
