/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal state of one dump, shared by the per-object dumpers. */
#ifndef VZCR_DUMP_H
#define VZCR_DUMP_H

#include <stdint.h>

#include "engine.h"
#include "files.h"
#include "image.h"
#include "infect.h"
#include "proc_parse.h"
#include "pstree.h"
#include "seccomp.h"

struct dump_ctx {
	int dfd;			/* image directory */
	const struct dump_opts *opts;
	struct pstree tree;
	struct dump_stats stats;
	struct file_table files;	/* every open file, by id */
	struct seccomp_table seccomp;	/* every seccomp filter, once */
	unsigned int next_pages_id;
	char root_prefix[64];		/* a CT: "/proc/INIT/root", where its paths are */
};

/* What the dump of one process needs from start to end. */
struct task_dump {
	struct pstree_item *it;
	struct vma_list vmas;
	struct proc_status status;
	struct proc_stat stat;
	struct infect inf;		/* syscalls in the leader */
	unsigned long brk;
};

int dump_task(struct dump_ctx *c, struct pstree_item *it);
int dump_zombie(struct dump_ctx *c, struct pstree_item *it);
/* An address where @size bytes fit away from every VMA, or 0. */
unsigned long vma_find_hole(const struct vma_list *l, size_t size);
/* core-TID.img of every thread; task-wide state into the leader's */
int dump_task_core(struct dump_ctx *c, struct task_dump *td);
/* mm-PID.img, pagemap-PID.img, pages-N.img */
int dump_task_mm(struct dump_ctx *c, struct task_dump *td);
/* fdinfo-PID.img and fs-PID.img; files go to c->files */
int dump_task_files(struct dump_ctx *c, struct task_dump *td);

#endif /* VZCR_DUMP_H */
