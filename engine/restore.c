// SPDX-License-Identifier: GPL-2.0-only
/*
 * eng_restore(): read the images, open the files, fork the tree of
 * skeletons with the old pids, seize them and rebuild each task inside it,
 * then let them all go. On failure every task made so far is killed.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fdkinds.h"
#include "io.h"
#include "log.h"
#include "ptrace.h"
#include "restore.h"
#include "sockets.h"

struct rst_task *rst_find(struct rst_ctx *c, pid_t pid)
{
	int i;

	for (i = 0; i < c->nr_tasks; i++)
		if (c->tasks[i].pid == pid)
			return &c->tasks[i];
	return NULL;
}

pid_t rst_htid(const struct rst_task *t, pid_t tid)
{
	int i;

	for (i = 0; i < t->nr_threads; i++)
		if (t->threads[i] == tid)
			return t->hthreads[i];
	return tid;
}

static int seize_all(struct rst_ctx *c)
{
	int i, err;

	for (i = 0; i < c->nr_tasks; i++) {
		struct rst_task *t = &c->tasks[i];
		struct seized s;

		if (t->zombie)
			continue;
		err = ptrace_seize_stop(t->hpid, SEIZE_OPTS_RESTORE, &s);
		if (err)
			return err == -ESRCH ? log_err(err, "Task %d died before its restore", t->pid) : err;
		t->seized = true;
		err = infect_attach_scratch(&t->inf, t->hpid, t->scratch, INFECT_SCRATCH_SIZE);
		if (err)
			return err;
	}
	return 0;
}

static int rebuild_all(struct rst_ctx *c)
{
	int i, err = 0;

	for (i = 0; !err && i < c->nr_tasks; i++) {
		struct rst_task *t = &c->tasks[i];

		if (t->zombie)
			continue;
		err = rst_drop_skeleton_rseq(&t->inf) ?: rst_memory(c, t) ?: rst_post_fds(c, t) ?:
		      rst_task_state(c, t) ?: rst_threads(c, t);
		if (err)
			pr_debug("Restore of task %d failed: %d", t->pid, err);
	}
	for (i = c->nr_tasks - 1; !err && i >= 0; i--)
		if (!c->tasks[i].zombie)
			err = rst_finish(c, &c->tasks[i]);
	/* only once every task is complete does any of them run */
	for (i = 0; !err && i < c->nr_tasks; i++)
		if (!c->tasks[i].zombie)
			err = rst_release(&c->tasks[i]);
	return err;
}

static int write_pidfile(const char *path, pid_t pid)
{
	char buf[16];
	int err;

	snprintf(buf, sizeof(buf), "%d\n", pid);
	err = write_file_at(AT_FDCWD, path, buf);
	if (err == -ENOENT) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		err = fd < 0 ? -errno : write_full(fd, buf, strlen(buf));
		if (fd >= 0)
			close(fd);
	}
	return err < 0 ? log_perr(err, "Failed to write the pidfile '%s'", path) : 0;
}

int eng_restore(const struct restore_opts *opts, pid_t *ret_root)
{
	struct rst_ctx c = { .opts = opts, .tool_pid = getpid(), .sk_netns = opts->netns_fd };
	int err;

	c.dfd = img_dir_open(opts->dir, false);
	if (c.dfd < 0)
		return c.dfd;
	raise_fd_limit();	/* the engine holds a reference to every file of the tree */
	err = rst_read_images(&c) ?: rst_open_files(&c);
	if (err)
		goto out_sockets;
	err = rst_fork_tree(&c);
	if (!err)
		err = seize_all(&c) ?: rebuild_all(&c);
	if (err) {
		rst_kill_all(&c);
		goto out_sockets;
	}
	sk_restore_done(&c);	/* the TCP lock of the dump goes */
	if (opts->pidfile)
		err = write_pidfile(opts->pidfile, c.tasks[0].hpid);
	if (ret_root)
		*ret_root = c.tasks[0].hpid;
	goto out;
out_sockets:
	sk_restore_abort(&c);	/* TCP sockets close silently: the images restore again */
out:
	rst_free(&c);
	close(c.dfd);
	return err;
}
