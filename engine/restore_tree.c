// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tree of skeletons: each task is created by its parent with its old pid
 * (clone3 with set_tid), takes its sessions, files, cwd and root, maps a
 * scratch area for the syscalls the tool will run in it, reports ready and
 * waits. The tool then turns each skeleton into the dumped task.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch.h"
#include "cleanup.h"
#include "dump.h"
#include "ct_path.h"
#include "fdkinds.h"
#include "log.h"
#include "pidns.h"
#include "proc_parse.h"
#include "restore.h"
#include "xmalloc.h"

#define READY_TIMEOUT_MS 30000

struct ready_msg {
	pid_t pid;
	int err;			/* 0, or -errno of the skeleton's failure */
};

static pid_t clone_pid(pid_t pid)
{
	struct clone_args a = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&pid,
		.set_tid_size = 1,
	};

	return syscall(SYS_clone3, &a, sizeof(a));
}

/*
 * The root task: with its pid, or as the init of new namespaces (pid 1 of
 * a new pid namespace needs no set_tid; its children's set_tid is the pid
 * at the innermost level, the one they see).
 */
static pid_t clone_root(struct rst_ctx *c)
{
	struct clone_args a = {
		.flags = c->opts->ns_flags,
		.exit_signal = SIGCHLD,
	};

	if (!c->opts->ns_flags)
		return clone_pid(c->tasks[0].pid);
	return syscall(SYS_clone3, &a, sizeof(a));
}

/* In a skeleton: report and, on failure, die (the tool kills the rest). */
static __attribute__((noreturn)) void skel_fail(struct rst_ctx *c, int err)
{
	struct ready_msg m = { getpid(), err };

	if (write(c->sync_fd[1], &m, sizeof(m)) < 0)
		_exit(1);
	_exit(1);
}

static void skel_fork_children(struct rst_ctx *c, struct rst_task *t);

/* Dup the task's files and service fds into place, close all the rest. */
static int skel_fds(struct rst_ctx *c, struct rst_task *t)
{
	int i, top = c->svc_base + t->nr_svc;
	bool *keep = calloc(top + 1, sizeof(bool));

	if (!keep)
		return -ENOMEM;
	/* the ready pipe may sit on a number a task fd takes: move it out of the way */
	i = fcntl(c->sync_fd[1], F_DUPFD_CLOEXEC, top + 1);
	if (i < 0)
		return -errno;
	c->sync_fd[1] = i;
	for (i = 0; i < t->nr_svc; i++) {
		if (dup2(t->svc_src[i], c->svc_base + i) < 0)
			return -errno;
		keep[c->svc_base + i] = true;
	}
	for (i = 0; i < t->nr_fds; i++) {
		if (dup2(t->fds[i].src, t->fds[i].fd) < 0)
			return -errno;
		if (t->fds[i].cloexec && fcntl(t->fds[i].fd, F_SETFD, FD_CLOEXEC) < 0)
			return -errno;
		keep[t->fds[i].fd] = true;
	}
	/* the ready pipe last, as the top service fd */
	if (dup2(c->sync_fd[1], top) < 0)
		return -errno;
	c->sync_fd[1] = top;
	keep[top] = true;
	for (i = 0; i < top; i++)
		if (!keep[i])
			close(i);
	free(keep);
	return close_range(top + 1, ~0U, 0) < 0 ? -errno : 0;
}

static int skel_fs(struct rst_ctx *c, struct rst_task *t)
{
	struct rst_file *cwd = rst_file_get(c, t->fs->cwd_id);
	struct rst_file *root = rst_file_get(c, t->fs->root_id);
	char buf[PATH_MAX];
	const char *r;

	if (!cwd || !root)
		return -ENOENT;
	/* paths as the tasks see them: the cwd first, unreachable after chroot */
	if (chdir(rst_path(c, cwd->fe->reg->name, buf, sizeof(buf))) < 0)
		return -errno;
	r = rst_path(c, root->fe->reg->name, buf, sizeof(buf));
	if (strcmp(r, "/") && chroot(r) < 0)
		return -errno;
	if (t->fs->has_umask)
		umask(t->fs->umask);
	return 0;
}

static int skel_scratch(struct rst_task *t)
{
	static const unsigned char insn[] = ARCH_SYSCALL_TRAP;
	void *p = mmap((void *)t->scratch, INFECT_SCRATCH_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	memcpy(p, insn, sizeof(insn));
	return 0;
}

/* Exit the way the dumped zombie did: with its code, or by its signal. */
static __attribute__((noreturn)) void skel_zombie(struct rst_task *t)
{
	int status = t->cores[0]->tc->exit_code;

	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		prctl(PR_SET_DUMPABLE, 0);	/* no core file for a replayed death */
		kill(getpid(), WTERMSIG(status));
	}
	_exit(WEXITSTATUS(status));
}

/* A session helper: the session, then its tasks; reaped by its parent. */
static __attribute__((noreturn)) void skel_helper(struct rst_ctx *c, struct rst_task *t)
{
	if (setsid() < 0)
		skel_fail(c, -errno);
	skel_fork_children(c, t);
	_exit(0);
}

/* The code of one skeleton, in the new task; never returns. */
static __attribute__((noreturn)) void skeleton(struct rst_ctx *c, struct rst_task *t)
{
	struct ready_msg m = { t->pid, 0 };
	bool ns_init = !t->parent && c->opts->ns_flags;
	int err;

	/*
	 * A dying tool (or parent) takes the half-made tree with it. A
	 * helper's children outlive it: the pid namespace's end takes them.
	 */
	if (!t->parent || !t->parent->helper) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* the init of a new pid namespace has its parent outside: 0 */
		if (getppid() != (t->parent ? t->parent->pid : ns_init ? 0 : c->tool_pid))
			_exit(1);	/* the parent died before the line above */
	}
	if (t->helper)
		skel_helper(c, t);
	if (ns_init && c->opts->init_setup && (err = c->opts->init_setup(c->opts->ns_arg)))
		skel_fail(c, err);
	if (t->sid == t->pid && setsid() < 0)
		skel_fail(c, -errno);
	/* before the children: they inherit the controlling terminal */
	err = t->zombie ? 0 : tty_skel_ctty(c, t);
	if (err)
		skel_fail(c, err);
	if (t->sid != t->pid && t->pgid == t->pid && setpgid(0, 0) < 0)
		skel_fail(c, -errno);
	if (t->zombie)
		skel_zombie(t);
	skel_fork_children(c, t);
	err = skel_fds(c, t) ?: skel_fs(c, t) ?: skel_scratch(t);
	if (err)
		skel_fail(c, err);
	if (write(c->sync_fd[1], &m, sizeof(m)) != sizeof(m))
		_exit(1);
	for (;;)
		pause();
}

static void skel_fork_children(struct rst_ctx *c, struct rst_task *t)
{
	int i;

	for (i = 0; i < t->nr_children; i++) {
		struct rst_task *ch = t->children[i];
		pid_t pid = clone_pid(ch->pid);

		if (pid == 0)
			skeleton(c, ch);
		if (pid < 0)
			skel_fail(c, errno == EEXIST ? -EEXIST : -errno);
		if (ch->helper) {
			int status;

			/* gone once it forked its tasks, and reaped: its pid is free again */
			if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
				skel_fail(c, -ECHILD);
		} else if (ch->zombie) {
			siginfo_t si;

			/* stays a zombie: seen exited, not reaped */
			if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0)
				skel_fail(c, -errno);
		}
	}
}

/* A hole in both the dumped address space of @t and ours (which it inherits). */
static int pick_scratch(struct rst_task *t, const struct vma_list *mine)
{
	struct vma_list all = {};
	size_t i, j = 0;

	all.v = xzalloc((t->mm->n_vmas + mine->n) * sizeof(*all.v));
	if (!all.v)
		return -ENOMEM;
	/* merge two address-sorted lists */
	for (i = 0; i < t->mm->n_vmas || j < mine->n;) {
		bool take_img = j >= mine->n ||
				(i < t->mm->n_vmas && t->mm->vmas[i]->start < mine->v[j].start);

		if (take_img) {
			all.v[all.n].start = t->mm->vmas[i]->start;
			all.v[all.n++].end = t->mm->vmas[i++]->end;
		} else {
			all.v[all.n].start = mine->v[j].start;
			all.v[all.n++].end = mine->v[j++].end;
		}
	}
	t->scratch = vma_find_hole(&all, INFECT_SCRATCH_SIZE);
	free(all.v);
	return t->scratch ? 0 : log_err(-ENOMEM, "No room for a scratch area in task %d", t->pid);
}

static int wait_ready(struct rst_ctx *c, int nr)
{
	struct pollfd pfd = { .fd = c->sync_fd[0], .events = POLLIN };
	struct ready_msg m;

	while (nr > 0) {
		int r = poll(&pfd, 1, READY_TIMEOUT_MS);

		if (r == 0)
			return log_err(-ETIMEDOUT, "Tasks did not get ready in %d s",
				       READY_TIMEOUT_MS / 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || read(c->sync_fd[0], &m, sizeof(m)) != sizeof(m))
			return log_perr(r < 0 ? -errno : -EPIPE, "Failed to hear from the new tasks");
		if (m.err == -EEXIST)
			return log_err(-EEXIST, "Failed to create a task of task %d: a pid of the checkpoint is taken (a pid namespace would free it)",
				       m.pid);
		if (m.err)
			return log_perr(m.err, "Failed to prepare task %d", m.pid);
		nr--;
	}
	return 0;
}

/* In a pid namespace: which host pid each task got, parents first. */
static int host_pids(struct rst_ctx *c)
{
	int i, err;

	if (!c->opts->ns_flags)
		return 0;
	for (i = 1; i < c->nr_tasks; i++) {
		struct rst_task *t = &c->tasks[i], *p = t->parent;

		if (t->zombie)
			continue;
		while (p->helper)
			p = p->parent;	/* the helper is gone: its tasks are init's */
		err = pidns_find_child(p->hpid, t->pid, &t->hpid);
		if (err)
			return err;
		t->hthreads[0] = t->hpid;
	}
	return 0;
}

int rst_fork_tree(struct rst_ctx *c)
{
	struct vma_list mine;
	int i, nr_live = 0, err;
	pid_t root;

	if (c->opts->ns_flags && c->tasks[0].pid != 1)
		return log_err(-EINVAL, "pstree.img: the root of a CT is task %d, not 1", c->tasks[0].pid);
	err = proc_parse_smaps(getpid(), &mine);
	for (i = 0; !err && i < c->nr_tasks; i++) {
		if (c->tasks[i].zombie)
			continue;
		nr_live++;
		err = pick_scratch(&c->tasks[i], &mine);
	}
	vma_list_free(&mine);
	if (err)
		return err;
	if (pipe2(c->sync_fd, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to create a pipe");
	root = clone_root(c);
	if (root == 0)
		skeleton(c, &c->tasks[0]);
	c->root_created = root > 0;
	close(c->sync_fd[1]);
	if (root < 0) {
		close(c->sync_fd[0]);
		if (errno == EEXIST)
			return log_err(-EEXIST, "Failed to create task %d: its pid is taken",
				       c->tasks[0].pid);
		return log_perr(-errno, "Failed to create task %d", c->tasks[0].pid);
	}
	c->tasks[0].hpid = c->tasks[0].hthreads[0] = root;
	err = c->opts->init_created ? c->opts->init_created(root, c->opts->ns_arg) : 0;
	if (!err)
		err = wait_ready(c, nr_live);
	close(c->sync_fd[0]);
	return err ?: host_pids(c);
}

void rst_kill_all(struct rst_ctx *c)
{
	int i, j;

	/*
	 * Skeletons die with their parents (PDEATHSIG), so killing our child,
	 * the root, takes the rest; tasks already seized are surely ours and
	 * may have their real death signal back, so they get one too. Pids we
	 * did not create (a clash) are never signalled.
	 */
	for (i = c->nr_tasks - 1; i >= 0; i--)
		if (c->tasks[i].seized)
			kill(c->tasks[i].hpid, SIGKILL);
	if (!c->root_created)
		return;
	kill(c->tasks[0].hpid, SIGKILL);
	/*
	 * Reap what we trace, threads and children first: a dying pid
	 * namespace init waits for its children, and a traced child is
	 * reported to us, its tracer, before its parent can have it.
	 */
	for (i = c->nr_tasks - 1; i >= 0; i--)
		for (j = c->tasks[i].seized ? c->tasks[i].nr_threads - 1 : -1; j >= !i; j--)
			waitpid(c->tasks[i].hthreads[j], NULL, __WALL);
	waitpid(c->tasks[0].hpid, NULL, __WALL);
}
