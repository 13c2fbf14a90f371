// SPDX-License-Identifier: GPL-2.0-only
/*
 * vzcr restore CTID: check the image set (complete, this CT's), then in a
 * child that makes the CT's namespaces its own and rebuilds them from the
 * images (ct-cr-ns.c), restore its tasks into a new pid namespace and make
 * the CT's root the mount namespace's root; the parent records the new
 * init in the state file.
 * A failure leaves no task, veth, cgroup or state behind.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct-cr.h"
#include "ctimg.h"
#include "image.h"
#include "io.h"
#include "log.h"

/* The set is complete (inventory.img) and is this CT's (vzcr-ct.img). */
static int check_images(const struct ct *ct, const char *dir)
{
	struct ct_image ci;
	char path[CT_PATH_MAX + 32];
	int err;

	snprintf(path, sizeof(path), "%s/inventory.img", dir);
	if (access(path, F_OK) < 0)
		return log_err(-ENOENT, "Failed to restore CT %s: '%s' holds no complete image set (no inventory.img)",
			       ct->id, dir);
	err = ct_image_read(dir, &ci);
	if (err == -ENOENT)
		return log_err(-EINVAL, "Failed to restore CT %s: '%s' is not the checkpoint of a CT (no vzcr-ct.img)",
			       ct->id, dir);
	if (err < 0)
		return err;
	if (strcmp(ci.ctid, ct->id))
		return log_err(-EINVAL, "Failed to restore CT %s: the images in '%s' are of CT %s",
			       ct->id, dir, ci.ctid);
	return 0;
}

/* In the child: namespaces, tasks, root; the init's host pid goes to @out. */
static int restore_child(struct ct_cr_rst *r, const char *dir, int console, int out)
{
	struct eng_ext_file ext = { .name = CT_CONSOLE_NAME, .fd = console };
	struct restore_opts o = {
		.dir = dir, .root = r->root, .ns_flags = CLONE_NEWPID,
		.init_created = ct_cr_init_created, .init_setup = ct_cr_init_setup,
		.ns_arg = r, .ext = &ext, .nr_ext = 1,
	};
	pid_t init;
	int err;

	r->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dfd < 0)
		return log_perr(-errno, "Failed to open '%s'", dir);
	if (pipe2(r->go, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to create a pipe");
	err = ct_cr_restore_ns(r);
	o.netns_fd = r->netns;
	err = err ?: eng_restore(&o, &init);
	if (err)
		return err;
	/* the tasks run: the lock goes, the host's tree goes from their mount namespace */
	if (ct_cr_restore_ns_finish(r) < 0)
		pr_warn("CT %s keeps the host's mounts in its mount namespace, ignoring", r->ct->id);
	return write(out, &init, sizeof(init)) == sizeof(init) ? 0 : -EPIPE;
}

static int prepare(struct ct_cr_rst *r, int *console)
{
	struct ct *ct = r->ct;
	char path[CT_PATH_MAX];
	int err;

	if ((err = ct_root_dir(ct, r->root, sizeof(r->root))) < 0 ||
	    (err = ct_private_dir(ct, r->private, sizeof(r->private))) < 0)
		return err;
	if (access(r->private, F_OK) < 0)
		return log_perr(-errno, "CT %s: private area '%s'", ct->id, r->private);
	err = ct_mkdir_p(r->root, 0755);
	if (err < 0)
		return err;
	err = ct_cr_disk_prepare(r);	/* ct-cr-extra.c */
	if (err < 0)
		return err;
	/* opened here, in the host's mount namespace, as `vzcr start` does */
	err = ct_path(ct, path, sizeof(path), "/var/run/vzcr/%s.console", ct->id);
	if (err < 0)
		return err;
	*console = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*console < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	if (ct->conf.ip_address[0])
		ct_veth_names(ct, r->veth_host, r->veth_peer);
	return ct_cgroup_create(ct, r->cgroup, sizeof(r->cgroup));
}

/* Fork the child that restores; returns the CT's init (host pid) or -errno. */
static pid_t run_child(struct ct_cr_rst *r, const char *dir, int console)
{
	int out[2], status, err;
	pid_t child, init = 0;
	char why[512] = "";

	if (pipe2(out, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to create a pipe");
	child = fork();
	if (child < 0) {
		close(out[0]);
		close(out[1]);
		return log_perr(-errno, "Failed to fork");
	}
	if (child == 0) {
		close(out[0]);
		if (restore_child(r, dir, console, out[1]) == 0)
			_exit(0);
		/* the first error crosses the process boundary as the summary */
		init = 0;
		if (write(out[1], &init, sizeof(init)) == sizeof(init))
			write_full(out[1], log_first_error(), strlen(log_first_error()));
		_exit(1);
	}
	close(out[1]);
	if (read(out[0], &init, sizeof(init)) != sizeof(init))
		init = 0;
	if (init <= 0)
		read_full(out[0], why, sizeof(why) - 1);
	close(out[0]);
	err = waitpid(child, &status, 0) < 0 ? -errno : 0;
	if (err || !WIFEXITED(status) || WEXITSTATUS(status) || init <= 0)
		return log_err(-EIO, "Failed to restore CT %s from '%s': %s", r->ct->id, dir,
			       why[0] ? why : "the restoring process died");
	return init;
}

int ct_restore(struct ct *ct, const char *dir)
{
	struct ct_cr_rst r = { .ct = ct, .go = { -1, -1 }, .dfd = -1, .netns = -1 };
	_cleanup_close_ int console = -EBADF;
	struct ct_state st = {};
	int err;
	pid_t init;

	err = ct_running(ct, &st);
	if (err < 0)
		return err;
	if (err)
		return log_err(-EBUSY, "CT %s is running (init %d): stop it first", ct->id, st.init_pid);
	err = check_images(ct, dir);
	if (err < 0)
		return err;
	err = prepare(&r, &console);
	if (err < 0)
		goto out_cgroup;
	init = run_child(&r, dir, console);
	if (init < 0) {
		err = init;
		goto out_net;
	}
	st.init_pid = init;
	st.init_start = ct_proc_starttime(init);
	snprintf(st.veth_host, sizeof(st.veth_host), "%s", r.veth_host);
	snprintf(st.cgroup, sizeof(st.cgroup), "%s", r.cgroup);
	err = ct_state_write(ct, &st);
	if (err == 0) {
		pr_info("CT %s restored from '%s', init pid %d", ct->id, dir, init);
		return 0;
	}
	kill(init, SIGKILL);
out_net:
	ct_net_host_cleanup(r.veth_host);
out_cgroup:
	if (r.cgroup[0])
		ct_cgroup_remove(r.cgroup);
	ct_disk_umount(ct);	/* a DISK CT's image (ct-cr-extra.c) */
	return err;
}
