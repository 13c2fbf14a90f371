// SPDX-License-Identifier: GPL-2.0-only
/*
 * Starting a CT: a child cloned into new pid, mount, uts, ipc and net
 * namespaces waits until the parent has put it into the CT's cgroup and
 * given it the peer end of a veth, then enters a new cgroup namespace,
 * configures eth0, mounts its root (a bind mount of VE_PRIVATE on VE_ROOT)
 * with proc, sysfs, a tmpfs /dev with devpts and /dev/shm, pivots into it,
 * sets the hostname and executes busybox init as the CT's PID 1.
 */
#define LOG_PREFIX "start: "
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "io.h"
#include "log.h"

#define CT_NS_FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
#define STACK_SIZE (256 * 1024)

struct start_args {
	struct ct *ct;
	char root[CT_PATH_MAX], private[CT_PATH_MAX];
	char veth_peer[16];
	int go_fd;		/* read end: the parent's "go" (one byte) */
	int err_fd;		/* write end, O_CLOEXEC: -errno on failure, EOF on exec */
	int console_fd;		/* the CT's stdout/stderr: CTID.console in the run dir */
};

static int make_dev_nodes(void)
{
	static const struct { const char *name; unsigned int maj, min; } nodes[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const char *const links[][2] = {
		{ "pts/ptmx", "dev/ptmx" }, { "/proc/self/fd", "dev/fd" },
		{ "/proc/self/fd/0", "dev/stdin" }, { "/proc/self/fd/1", "dev/stdout" },
		{ "/proc/self/fd/2", "dev/stderr" },
	};
	char path[64];
	size_t i;

	umask(0);
	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		snprintf(path, sizeof(path), "dev/%s", nodes[i].name);
		if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0)
			return log_perr(-errno, "Failed to create '%s'", path);
	}
	if (mkdir("dev/pts", 0755) < 0 || mkdir("dev/shm", 01777) < 0)
		return log_perr(-errno, "Failed to create dev/pts or dev/shm");
	for (i = 0; i < ARRAY_SIZE(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			return log_perr(-errno, "Failed to create '%s'", links[i][1]);
	umask(022);
	return 0;
}

/*
 * Mount the CT's file systems under the cwd (its root): @what is CT_MNT_KERN
 * (proc and sysfs: mounted from inside the CT's pid and net namespaces)
 * and/or CT_MNT_DEV (/dev, its nodes, devpts, /dev/shm).
 */
int ct_mount_fs(unsigned int what)
{
	static const struct {
		const char *src, *dst, *type;
		unsigned long flags;
		const char *data;
		unsigned int grp;
	} mounts[] = {
		{ "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, CT_MNT_KERN },
		{ "sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
		  CT_MNT_KERN },
		{ "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k",
		  CT_MNT_DEV },
		{ NULL, NULL, NULL, 0, NULL, CT_MNT_DEV },	/* nodes, then the rest under /dev */
		{ "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620,gid=5", CT_MNT_DEV },
		{ "shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k",
		  CT_MNT_DEV },
	};
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(mounts); i++) {
		if (!(mounts[i].grp & what))
			continue;
		if (!mounts[i].src) {
			ret = make_dev_nodes();
			if (ret < 0)
				return ret;
			continue;
		}
		if (mount(mounts[i].src, mounts[i].dst, mounts[i].type, mounts[i].flags,
			  mounts[i].data) < 0)
			return log_perr(-errno, "Failed to mount %s on '%s'", mounts[i].type,
					mounts[i].dst);
	}
	return 0;
}

static int setup_root(const struct start_args *a)
{
	int ret;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return log_perr(-errno, "Failed to make the mounts private");
	if (mount(a->private, a->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return log_perr(-errno, "Failed to bind-mount '%s' on '%s'", a->private, a->root);
	if (chdir(a->root) < 0)
		return log_perr(-errno, "Failed to enter '%s'", a->root);
	ret = ct_mount_fs(CT_MNT_KERN | CT_MNT_DEV);
	if (ret < 0)
		return ret;
	/* pivot_root(".", "."): the old root ends up on top, detach it */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return log_perr(-errno, "Failed to pivot_root into '%s'", a->root);
	if (umount2(".", MNT_DETACH) < 0)
		return log_perr(-errno, "Failed to detach the old root");
	if (chdir("/") < 0)
		return log_perr(-errno, "Failed to enter /");
	return 0;
}

static int child_setup(struct start_args *a)
{
	const char *host = a->ct->conf.hostname[0] ? a->ct->conf.hostname : a->ct->id;
	char go;
	int ret;

	if (read(a->go_fd, &go, 1) != 1)
		return -ECANCELED;	/* the parent failed and said why */
	if (unshare(CLONE_NEWCGROUP) < 0)
		return log_perr(-errno, "Failed to create a cgroup namespace");
	ret = ct_net_ct_setup(a->ct, a->veth_peer);
	if (ret < 0)
		return ret;
	if (sethostname(host, strlen(host)) < 0)
		return log_perr(-errno, "Failed to set the hostname '%s'", host);
	ret = setup_root(a);
	if (ret < 0)
		return ret;
	if (setsid() < 0)
		return log_perr(-errno, "Failed to start a session");
	return 0;
}

static int child_main(void *arg)
{
	struct start_args *a = arg;
	char *const argv[] = { "init", NULL };
	char *const envp[] = { "PATH=/sbin:/bin:/usr/sbin:/usr/bin", "HOME=/", "TERM=linux", NULL };
	int ret, nullfd;

	/* until exec, errors go to vzcr's stderr, where the user sees them */
	ret = child_setup(a);
	if (ret == 0) {
		/* vzcr's stderr, closed by a successful exec, for the last errors */
		int errfd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);

		if (errfd >= 0)
			log_set_fd(errfd);
		nullfd = open("/dev/null", O_RDONLY);
		if (nullfd < 0 || dup2(nullfd, 0) < 0 || dup2(a->console_fd, 1) < 0 ||
		    dup2(a->console_fd, 2) < 0)
			ret = log_perr(-errno, "Failed to set up the console");
	}
	if (ret == 0) {
		/* nothing of the caller's (a test harness's pipes) leaks into the CT */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		execve("/sbin/init", argv, envp);
		ret = log_perr(-errno, "Failed to execute /sbin/init in the CT");
	}
	write_full(a->err_fd, &ret, sizeof(ret));
	_exit(1);
}

static int open_console(const struct ct *ct)
{
	char path[CT_PATH_MAX];
	int fd;

	if (ct_path(ct, path, sizeof(path), "/var/run/vzcr/%s.console", ct->id) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	return fd;
}

/* Let the CT's rc script know its addresses: /etc/vzcr-net in its root. */
static int write_net_conf(const struct ct *ct, const char *private)
{
	char path[CT_PATH_MAX + 16], text[128];
	_cleanup_close_ int fd = -EBADF;

	snprintf(path, sizeof(path), "%s/etc/vzcr-net", private);
	snprintf(text, sizeof(text), "IP_ADDRESS=%s\nHOST_IP=%s\n", ct->conf.ip_address,
		 ct_host_ip(ct));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return log_perr(-errno, "Failed to create '%s'", path);
	if (write_full(fd, text, strlen(text)) < 0)
		return log_perr(-errno, "Failed to write '%s'", path);
	return 0;
}

/* Clone the CT's init; it waits on @a->go_fd. Returns its pid. */
static pid_t clone_init(struct start_args *a)
{
	_cleanup_free_ char *stack = malloc(STACK_SIZE);
	pid_t pid;

	if (!stack)
		return log_err(-ENOMEM, "Failed to allocate a stack");
	pid = clone(child_main, stack + STACK_SIZE, CT_NS_FLAGS | SIGCHLD, a);
	if (pid < 0)
		return log_perr(-errno, "Failed to clone the CT's init into new namespaces");
	return pid;
}

/*
 * Put the child into the cgroup, give it the veth, let it go and wait until
 * it has executed init (EOF on err_fd) or failed (an -errno on it).
 */
static int parent_setup(struct ct *ct, struct start_args *a, pid_t pid, int go_wr, int err_rd,
			struct ct_state *st)
{
	int ret, err = 0;
	ssize_t n;

	ret = ct_cgroup_attach(st->cgroup, pid);
	if (ret < 0)
		return ret;
	ret = ct_net_host_setup(ct, pid, st->veth_host, a->veth_peer);
	if (ret < 0) {
		/* it undid its own steps; a link of that name is not ours to delete */
		st->veth_host[0] = '\0';
		return ret;
	}
	if (write(go_wr, "g", 1) != 1)
		return log_perr(-errno, "Failed to wake the CT's init");
	n = read(err_rd, &err, sizeof(err));
	if (n < 0)
		return log_perr(-errno, "Failed to wait for the CT's init");
	if (n > 0)
		return log_err(err < 0 ? err : -EIO, "CT %s: failed to start its init", ct->id);
	st->init_pid = pid;
	st->init_start = ct_proc_starttime(pid);
	if (!st->init_start)
		return log_err(-ESRCH, "CT %s: init %d exited right after starting", ct->id, pid);
	return ct_state_write(ct, st);
}

static int start_prepare(struct ct *ct, struct start_args *a, struct ct_state *st)
{
	int ret;

	if ((ret = ct_root_dir(ct, a->root, sizeof(a->root))) < 0 ||
	    (ret = ct_private_dir(ct, a->private, sizeof(a->private))) < 0)
		return ret;
	if (access(a->private, F_OK) < 0)
		return log_perr(-errno, "CT %s: private area '%s'", ct->id, a->private);
	if ((ret = ct_mkdir_p(a->root, 0755)) < 0)
		return ret;
	if (ct->conf.disk[0]) {
		/* DISK: the image is mounted on VE_ROOT here, and the CT binds that */
		ret = ct_disk_mount(ct, a->root);
		if (ret < 0)
			return ret;
		strcpy(a->private, a->root);
	}
	if ((ret = write_net_conf(ct, a->private)) < 0)
		return ret;
	memset(st, 0, sizeof(*st));
	if (ct->conf.ip_address[0])
		ct_veth_names(ct, st->veth_host, a->veth_peer);
	return ct_cgroup_create(ct, st->cgroup, sizeof(st->cgroup));
}

int ct_start(struct ct *ct)
{
	struct start_args a = { .ct = ct };
	_cleanup_close_ int console = -EBADF;
	int go[2] = { -1, -1 }, err[2] = { -1, -1 }, ret;
	struct ct_state st;
	pid_t pid;

	ret = start_prepare(ct, &a, &st);
	if (ret < 0) {
		ct_disk_umount(ct);
		return ret;
	}
	console = open_console(ct);
	if (console < 0) {
		ret = console;
		goto out_cgroup;
	}
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		ret = log_perr(-errno, "Failed to create pipes");
		goto out_pipes;
	}
	a.go_fd = go[0];
	a.err_fd = err[1];
	a.console_fd = console;
	pid = clone_init(&a);
	if (pid < 0) {
		ret = pid;
		goto out_pipes;
	}
	close(err[1]);
	err[1] = -1;
	ret = parent_setup(ct, &a, pid, go[1], err[0], &st);
	if (ret < 0)
		goto out_kill;
	pr_info("CT %s started, init pid %d", ct->id, pid);
	ret = 0;
	goto out_pipes;

out_kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ct_net_host_cleanup(st.veth_host);
	ct_state_remove(ct);
out_pipes:
	closep(&go[0]);
	closep(&go[1]);
	closep(&err[0]);
	closep(&err[1]);
	if (ret == 0)
		return 0;
out_cgroup:
	ct_cgroup_remove(st.cgroup);
	ct_disk_umount(ct);
	return ret;
}
