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
	pid_t vpid, vpgid, vsid;	/* as the task's pid namespace sees them */
	pid_t *threads;			/* threads[0] == pid */
	pid_t *vthreads;		/* the same threads in the task's pid namespace */
	int nr_threads;
	struct pstree_item *parent;
	struct pstree_item **children;
	int nr_children;
	void *priv;			/* dump state of the task */
};

struct pstree {
	struct pstree_item **items;	/* items[0] is the root; parents before children */
	int nr;
	bool pidns;			/* the root is init of a pid namespace: images get vpids */
	int levels;			/* ...that many pid namespaces below ours */
	pid_t *preseized;		/* during the seize: tids seized already, 0 once met */
	int nr_preseized;
};

/*
 * Seize @root and every descendant process and thread, and stop them. On
 * failure everything seized so far is released, running as before.
 */
int pstree_seize(pid_t root, struct pstree *ret);
/*
 * The same for the tree of the init of a pid namespace (@pidns: the ids in
 * the images are the ones the namespace sees), where the @nr tids in
 * @preseized were seized and interrupted already (ptrace_seize_interrupt):
 * their stops are only waited for, and each met is set to 0 in the array.
 */
int pstree_seize_ns(pid_t root, bool pidns, pid_t *preseized, int nr, struct pstree *ret);
/*
 * pstree_cg.c: seize the tree of @root, the init of a CT whose tasks are in
 * cgroup @cg: the cgroup is frozen while its threads are seized. Any task of
 * the cgroup outside the tree is refused. The cgroup is thawed on return.
 */
int pstree_seize_cgroup(const char *cg, pid_t root, struct pstree *ret);
/* The id of host thread @tid of @it in the images. */
pid_t pstree_vtid(const struct pstree_item *it, pid_t tid);
/* Detach from every task; they run on (or stay group-stopped). */
void pstree_release(struct pstree *tree);
/* Kill every task of the tree (after a dump without --leave-running). */
void pstree_kill(struct pstree *tree);
void pstree_free(struct pstree *tree);
struct pstree_item *pstree_find(const struct pstree *tree, pid_t pid);

#endif /* VZCR_PSTREE_H */
