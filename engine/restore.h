/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal state of one restore, shared by the per-object restorers. */
#ifndef VZCR_RESTORE_H
#define VZCR_RESTORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core.pb-c.h"
#include "engine.h"
#include "fdinfo.pb-c.h"
#include "fs.pb-c.h"
#include "image.h"
#include "infect.h"
#include "mm.pb-c.h"
#include "seccomp.pb-c.h"

/* The files a task's skeleton must hold: what it dups into place. */
struct fd_plan {
	int fd;				/* target fd number */
	int src;			/* the tool's fd of the open file */
	bool cloexec;
};

struct rst_task {
	pid_t pid, ppid, pgid, sid;
	pid_t *threads;
	int nr_threads;
	/*
	 * The same on the host, for ptrace and /proc: pid and threads are the
	 * ids in the task's pid namespace, which differ in a CT.
	 */
	pid_t hpid;
	pid_t *hthreads;
	struct rst_task *parent;
	struct rst_task **children;
	int nr_children;
	bool zombie;
	bool helper;			/* a session helper (restore_helpers.c), also a zombie */
	CoreEntry **cores;		/* per thread, cores[0] the leader's */
	MmEntry *mm;
	FsEntry *fs;
	struct fd_plan *fds;
	int nr_fds;
	/*
	 * Service fds: what the skeleton holds at svc_base + k besides the
	 * task's own fds: the tool's fds svc_src[k] of pages, mapped files, exe.
	 */
	int *svc_src;
	int nr_svc;
	int svc_pages;			/* index into svc_src */
	int svc_exe;
	int *svc_vma;			/* per mm->vmas[i]: index, or -1 */
	int *own_fds;			/* tool fds opened for this task alone */
	int nr_own;
	unsigned long scratch;		/* scratch mapping the skeleton makes */
	struct infect inf;		/* leader, once seized */
	bool seized;
};

struct rst_ctx {
	int dfd;
	const struct restore_opts *opts;
	struct rst_task *tasks;		/* parents before children */
	int nr_tasks;
	struct rst_file *files;		/* files.img, opened in the tool */
	int nr_files;
	int svc_base;			/* first service fd number in skeletons */
	int sync_fd[2];			/* skeletons report "ready" here */
	pid_t tool_pid;
	SeccompEntry *seccomp;		/* seccomp.img, NULL if none */
	bool root_created;		/* the root skeleton is our child */
	int sk_netns;			/* sockets are made in this net ns (fd); 0: the tool's */
};

/* files.img entries, opened by the tool before any skeleton is forked */
struct rst_file {
	FileEntry *fe;
	int fd;				/* the tool's open file, -1 until opened */
	int peer;			/* pipes: the other end, for data */
};

int rst_read_images(struct rst_ctx *c);
/* In a pid namespace: helper tasks for sessions whose leader is gone. */
int rst_session_helpers(struct rst_ctx *c);
void rst_free(struct rst_ctx *c);
/* Open every file the tasks need, in the tool; plan each task's fds. */
int rst_open_files(struct rst_ctx *c);
struct rst_file *rst_file_get(struct rst_ctx *c, uint32_t id);
/* A new fd of the tool moved above every fd a skeleton uses (@fd is closed). */
int rst_lift_fd(struct rst_ctx *c, int fd);
/* Fork the tree of skeletons with their pids; wait until each is ready. */
int rst_fork_tree(struct rst_ctx *c);
/* Seize every skeleton, then rebuild each task in it. */
int rst_memory(struct rst_ctx *c, struct rst_task *t);
int rst_task_state(struct rst_ctx *c, struct rst_task *t);
int rst_threads(struct rst_ctx *c, struct rst_task *t);
int rst_finish(struct rst_ctx *c, struct rst_task *t);
/* Let every thread of @t go: the last step, for all tasks at once. */
int rst_release(struct rst_task *t);
void rst_kill_all(struct rst_ctx *c);
struct rst_task *rst_find(struct rst_ctx *c, pid_t pid);
/* The host tid of thread @tid (an image id) of @t. */
pid_t rst_htid(const struct rst_task *t, pid_t tid);
/* Unregister the rseq area glibc gave the skeleton's thread. */
int rst_drop_skeleton_rseq(struct infect *inf);

#endif /* VZCR_RESTORE_H */
