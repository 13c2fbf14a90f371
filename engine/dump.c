// SPDX-License-Identifier: GPL-2.0-only
/*
 * eng_dump(): seize the tree, dump every task, write the tree-wide images
 * and inventory.img last, then kill or release the tree. A failure releases
 * the tree untouched and removes every image this dump wrote.
 */
#define LOG_PREFIX "dump: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctimg.h"
#include "dump.h"
#include "inventory.pb-c.h"
#include "io.h"
#include "log.h"
#include "monotime.h"
#include "nsimg.h"
#include "pipes.h"
#include "pstree.pb-c.h"
#include "sockets.h"
#include "xmalloc.h"

#define CRTOOLS_IMAGES_V1_1 2

/* The image directory must hold nothing: a failed dump then removes all. */
static int open_empty_dir(const char *path)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int dfd = img_dir_open(path, true);

	if (dfd < 0)
		return dfd;
	d = fdopendir(dup(dfd));
	if (!d) {
		close(dfd);
		return log_perr(-errno, "Failed to list '%s'", path);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			close(dfd);
			return log_err(-EEXIST, "Failed to dump into '%s': directory not empty ('%s')",
				       path, de->d_name);
		}
	return dfd;
}

static void wipe_dir(int dfd)
{
	_cleanup_closedir_ DIR *d = fdopendir(dup(dfd));
	struct dirent *de;

	if (d)
		rewinddir(d);	/* the dup shares the offset a first listing left at the end */
	while (d && (de = readdir(d)))
		if (de->d_type == DT_REG)
			unlinkat(dfd, de->d_name, 0);
}

static int write_pstree(struct dump_ctx *c)
{
	struct img *img = img_open(c->dfd, IMG_PSTREE, O_WRONLY, 0);
	int i, err = 0;

	if (!img)
		return -errno;
	for (i = 0; i < c->tree.nr && !err; i++) {
		const struct pstree_item *it = c->tree.items[i];
		PstreeEntry pe = PSTREE_ENTRY__INIT;
		uint32_t tids[it->nr_threads ? it->nr_threads : 1];
		int j;

		/* the ids the task's pid namespace sees (the host's for a plain tree) */
		pe.pid = it->vpid;
		pe.ppid = it->parent ? it->parent->vpid : 0;
		pe.pgid = it->vpgid;
		pe.sid = it->vsid;
		for (j = 0; j < it->nr_threads; j++)
			tids[j] = it->vthreads[j];
		pe.threads = tids;
		pe.n_threads = it->nr_threads;
		err = img_write(img, &pe);
	}
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
}

static int write_inventory(struct dump_ctx *c)
{
	InventoryEntry inv = INVENTORY_ENTRY__INIT;
	TaskKobjIdsEntry ids = TASK_KOBJ_IDS_ENTRY__INIT;
	pid_t root = c->tree.items[0]->vpid;

	inv.img_version = CRTOOLS_IMAGES_V1_1;
	inv.has_fdinfo_per_id = true;
	inv.fdinfo_per_id = true;
	ids.vm_id = ids.files_id = ids.fs_id = ids.sighand_id = root;
	inv.root_ids = &ids;
	inv.has_lsmtype = true;
	inv.lsmtype = LSMTYPE__NO_LSM;
	return img_write_single(c->dfd, IMG_INVENTORY, 0, &inv);
}

static int dump_tree(struct dump_ctx *c)
{
	int i, err = 0;

	for (i = 0; i < c->tree.nr && !err; i++) {
		err = dump_task(c, c->tree.items[i]);
		c->stats.nr_tasks++;
		c->stats.nr_threads += c->tree.items[i]->nr_threads;
	}
	if (!err)
		/* sockets first: files in flight in them join the table (pipes too) */
		err = sk_dump_data(c) ?: pipe_dump_data(&c->files, c->dfd) ?:
		      file_table_write(&c->files, c->dfd) ?:
		      seccomp_write(&c->seccomp, c->dfd) ?: write_pstree(c);
	/* a whole CT: its namespaces too, while every task of it is stopped */
	if (!err && c->opts->cgroup)
		err = ns_dump_uts(c->opts->pid, c->dfd) ?: ns_dump_ipc(c->opts->pid, c->dfd) ?:
		      ns_dump_net(c->opts->pid, c->dfd) ?: ns_dump_mnt(c->opts->pid, c->dfd);
	return err;
}

/* The last image, once the rest is durable: its presence marks the set complete. */
static int complete_set(struct dump_ctx *c)
{
	int err = c->opts->ct ? ct_image_write(c->dfd, c->opts->ct) : 0;

	return err ?: img_dir_sync(c->dfd) ?: write_inventory(c) ?: img_dir_sync(c->dfd);
}

/* A plain tree from its root, or a whole CT through its frozen cgroup. */
static int seize_tree(struct dump_ctx *c)
{
	const struct dump_opts *o = c->opts;

	if (!o->cgroup)
		return pstree_seize(o->pid, &c->tree);
	snprintf(c->root_prefix, sizeof(c->root_prefix), "/proc/%d/root", o->pid);
	return pstree_seize_cgroup(o->cgroup, o->pid, &c->tree);
}

/* Kill the dumped tree and wait until the kernel has reported every death. */
static void kill_tree(struct dump_ctx *c)
{
	int i, j;

	pstree_kill(&c->tree);
	/*
	 * A group leader is reported only after its other threads: them first;
	 * and children before parents: a dying pid namespace init waits for
	 * its children, which wait for us, their tracer.
	 */
	for (i = c->tree.nr - 1; i >= 0; i--)
		for (j = c->tree.items[i]->nr_threads - 1; j >= 0; j--)
			waitpid(c->tree.items[i]->threads[j], NULL, __WALL);
}

int eng_dump(const struct dump_opts *opts, struct dump_stats *ret_stats)
{
	struct dump_ctx c = { .opts = opts };
	bool released;
	uint64_t t0;
	int err;

	c.dfd = open_empty_dir(opts->dir);
	if (c.dfd < 0)
		return c.dfd;
	raise_fd_limit();	/* the engine holds a reference to every file of the tree */
	t0 = now_us();
	err = seize_tree(&c);
	if (err)
		goto out_close;
	err = dump_tree(&c);
	/*
	 * Everything is in the page cache now. A tree that runs on needs no
	 * more than that: it goes before the images are synced. A tree that
	 * dies waits until its images are safe.
	 */
	released = !err && opts->leave_running;
	/* TCP repair mode stays only on sockets that die with the tree */
	sk_dump_settle(&c, !err && !opts->leave_running);
	if (released) {
		pstree_release(&c.tree);
		c.stats.frozen_us = now_us() - t0;
	}
	if (!err)
		err = complete_set(&c);
	if (err) {
		sk_dump_abort(&c);
		wipe_dir(c.dfd);
		if (!released)
			pstree_release(&c.tree);	/* untouched, it runs on */
	} else if (!opts->leave_running) {
		kill_tree(&c);
		c.stats.frozen_us = now_us() - t0;
	}
	pstree_free(&c.tree);
	file_table_free(&c.files);
	seccomp_table_free(&c.seccomp);
	if (!err && ret_stats)
		*ret_stats = c.stats;
out_close:
	close(c.dfd);
	return err;
}
