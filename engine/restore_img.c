// SPDX-License-Identifier: GPL-2.0-only
/* Read the image set of a restore and check that it is complete and sane. */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "inventory.pb-c.h"
#include "log.h"
#include "pstree.pb-c.h"
#include "restore.h"
#include "xmalloc.h"

#define CRTOOLS_IMAGES_V1_1 2

static int check_inventory(struct rst_ctx *c)
{
	InventoryEntry *inv;
	int err;

	/* written last by a dump: without it the set is not complete */
	if (!img_exists(c->dfd, IMG_INVENTORY, 0))
		return log_err(-ENOENT, "Failed to restore from '%s': no inventory.img, not a complete checkpoint",
			       c->opts->dir);
	err = img_read_single(c->dfd, IMG_INVENTORY, 0, (void **)&inv);
	if (err)
		return err;
	if (inv->img_version != CRTOOLS_IMAGES_V1_1)
		err = log_err(-EPROTO, "Failed to restore from '%s': inventory.img: img_version %u, expected %u",
			      c->opts->dir, inv->img_version, CRTOOLS_IMAGES_V1_1);
	img_free_entry(inv);
	return err;
}

static struct rst_task *find_task(struct rst_ctx *c, pid_t pid)
{
	int i;

	for (i = 0; i < c->nr_tasks; i++)
		if (c->tasks[i].pid == pid)
			return &c->tasks[i];
	return NULL;
}

static int add_task(struct rst_ctx *c, const PstreeEntry *pe)
{
	struct rst_task *t, *nt = xrealloc(c->tasks, (c->nr_tasks + 1) * sizeof(*nt));
	size_t i;

	if (!nt)
		return -ENOMEM;
	c->tasks = nt;
	t = &c->tasks[c->nr_tasks];
	memset(t, 0, sizeof(*t));
	t->pid = pe->pid;
	t->ppid = pe->ppid;
	t->pgid = pe->pgid;
	t->sid = pe->sid;
	t->nr_threads = pe->n_threads;
	t->hpid = pe->pid;	/* until a pid namespace says otherwise */
	t->threads = xzalloc((pe->n_threads + 1) * sizeof(pid_t));
	t->hthreads = xzalloc((pe->n_threads + 1) * sizeof(pid_t));
	if (!t->threads || !t->hthreads)
		return -ENOMEM;
	for (i = 0; i < pe->n_threads; i++)
		t->threads[i] = t->hthreads[i] = pe->threads[i];
	if (pe->pid <= 0 || (pe->n_threads && t->threads[0] != (pid_t)pe->pid) ||
	    find_task(c, pe->pid))
		return log_err(-EINVAL, "Failed to read pstree.img: entry %d: bad pid %u", c->nr_tasks,
			       pe->pid);
	c->nr_tasks++;
	return 0;
}

/* Link parents and children; a parent must come before its children. */
static int link_tree(struct rst_ctx *c)
{
	int i;

	for (i = 1; i < c->nr_tasks; i++) {
		struct rst_task *t = &c->tasks[i], *p = find_task(c, t->ppid), **nc;

		if (!p || p >= t)
			return log_err(-EINVAL, "Failed to read pstree.img: task %d has parent %d, not earlier in the tree",
				       t->pid, t->ppid);
		nc = xrealloc(p->children, (p->nr_children + 1) * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		p->children = nc;
		p->children[p->nr_children++] = t;
		t->parent = p;
	}
	if (c->nr_tasks && c->tasks[0].ppid)
		c->tasks[0].ppid = 0;
	return 0;
}

static int read_pstree(struct rst_ctx *c)
{
	struct img *img = img_open(c->dfd, IMG_PSTREE, O_RDONLY, 0);
	PstreeEntry *pe;
	int ret;

	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&pe)) > 0) {
		ret = add_task(c, pe);
		img_free_entry(pe);
		if (ret < 0)
			break;
	}
	img_close(img);
	if (ret < 0)
		return ret;
	if (!c->nr_tasks)
		return log_err(-EINVAL, "Failed to read pstree.img: no tasks");
	return rst_session_helpers(c) ?: link_tree(c);
}

static int read_task(struct rst_ctx *c, struct rst_task *t)
{
	int i, err, nr = t->nr_threads ? t->nr_threads : 1;

	t->cores = xzalloc(nr * sizeof(*t->cores));
	if (!t->cores)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		err = img_read_single(c->dfd, IMG_CORE, t->nr_threads ? t->threads[i] : t->pid,
				      (void **)&t->cores[i]);
		if (err)
			return err;
		if (!arch_core_native(t->cores[i]))
			return log_err(-EOPNOTSUPP, "core-%d.img: written for another architecture",
				       t->threads[i]);
	}
	if (!t->cores[0]->tc)
		return log_err(-EINVAL, "core-%d.img: no task state", t->pid);
	t->zombie = t->cores[0]->tc->task_state == TASK_STATE_DEAD;
	if (t->zombie)
		return 0;
	if (!t->nr_threads)
		return log_err(-EINVAL, "pstree.img: live task %d without threads", t->pid);
	return img_read_single(c->dfd, IMG_MM, t->pid, (void **)&t->mm) ?:
	       img_read_single(c->dfd, IMG_FS, t->pid, (void **)&t->fs);
}

int rst_read_images(struct rst_ctx *c)
{
	int i, err;

	err = check_inventory(c) ?: read_pstree(c);
	for (i = 0; !err && i < c->nr_tasks; i++)
		err = c->tasks[i].helper ? 0 : read_task(c, &c->tasks[i]);
	if (!err && img_exists(c->dfd, IMG_SECCOMP, 0))
		err = img_read_single(c->dfd, IMG_SECCOMP, 0, (void **)&c->seccomp);
	return err;
}

void rst_free(struct rst_ctx *c)
{
	int i, j;

	for (i = 0; i < c->nr_tasks; i++) {
		struct rst_task *t = &c->tasks[i];

		for (j = 0; t->cores && j < (t->nr_threads ? t->nr_threads : 1); j++)
			if (t->cores[j])
				img_free_entry(t->cores[j]);
		if (t->mm)
			img_free_entry(t->mm);
		if (t->fs)
			img_free_entry(t->fs);
		free(t->cores);
		free(t->threads);
		free(t->hthreads);
		free(t->children);
		free(t->fds);
		free(t->svc_vma);
		for (j = 0; j < t->nr_own; j++)
			close(t->own_fds[j]);
		free(t->own_fds);
		free(t->svc_src);
	}
	free(c->tasks);
	if (c->seccomp)
		img_free_entry(c->seccomp);
	for (i = 0; i < c->nr_files; i++) {
		if (c->files[i].fd >= 0)
			close(c->files[i].fd);
		if (c->files[i].peer >= 0)
			close(c->files[i].peer);
		if (c->files[i].fe)
			img_free_entry(c->files[i].fe);
	}
	free(c->files);
}
