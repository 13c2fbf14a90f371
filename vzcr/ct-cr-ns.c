// SPDX-License-Identifier: GPL-2.0-only
/*
 * The namespaces of a CT being restored, made as `vzcr start` makes them:
 * the tool builds the mount tree under VE_ROOT in a mount namespace of its
 * own (the CT's tasks stay in it, so the files the tool opens there are on
 * the CT's own mounts); the CT's init, cloned into new pid, uts, ipc and
 * net namespaces, waits until the tool has put it into the CT's cgroup and
 * given it its veth, then makes its cgroup namespace, configures eth0, sets
 * the host name and mounts proc and sysfs (they belong to its pid and net
 * namespaces). One function per namespace kind: the namespace images
 * (nsimg.h) take their place.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ct-cr.h"
#include "log.h"

int ct_cr_restore_mounts(struct ct_cr_rst *r)
{
	int ret;

	if (unshare(CLONE_NEWNS) < 0)
		return log_perr(-errno, "Failed to create a mount namespace for CT %s", r->ct->id);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return log_perr(-errno, "Failed to make the mounts private");
	if (mount(r->private, r->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return log_perr(-errno, "Failed to bind-mount '%s' on '%s'", r->private, r->root);
	if (chdir(r->root) < 0)
		return log_perr(-errno, "Failed to enter '%s'", r->root);
	ret = ct_mount_fs(CT_MNT_DEV);
	if (chdir("/") < 0 && ret == 0)
		ret = log_perr(-errno, "Failed to enter /");
	return ret;
}

int ct_cr_restore_mounts_finish(struct ct_cr_rst *r)
{
	/* pivot_root(".", "."): the old root lands on top; detach it */
	if (chdir(r->root) < 0)
		return log_perr(-errno, "Failed to enter '%s'", r->root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return log_perr(-errno, "Failed to pivot_root into '%s'", r->root);
	if (umount2(".", MNT_DETACH) < 0)
		return log_perr(-errno, "Failed to detach the host's mounts from CT %s", r->ct->id);
	return 0;
}

/* In the tool: the cgroup, then the veth into init's net namespace. */
static int restore_cgroup_net(struct ct_cr_rst *r, pid_t pid)
{
	return ct_cgroup_attach(r->cgroup, pid) ?:
	       ct_net_host_setup(r->ct, pid, r->veth_host, r->veth_peer);
}

int ct_cr_init_created(pid_t pid, void *arg)
{
	struct ct_cr_rst *r = arg;
	int ret = restore_cgroup_net(r, pid);

	if (ret == 0 && write(r->go[1], "g", 1) != 1)
		ret = log_perr(-errno, "Failed to wake the CT's init");
	/* init sees EOF and fails if we did not say go */
	close(r->go[1]);
	r->go[1] = -1;
	return ret;
}

static int restore_uts(struct ct_cr_rst *r)
{
	const char *host = r->ct->conf.hostname[0] ? r->ct->conf.hostname : r->ct->id;

	if (sethostname(host, strlen(host)) < 0)
		return log_perr(-errno, "Failed to set the hostname '%s'", host);
	return 0;
}

static int restore_kern_mounts(struct ct_cr_rst *r)
{
	int ret;

	if (chdir(r->root) < 0)
		return log_perr(-errno, "Failed to enter '%s'", r->root);
	ret = ct_mount_fs(CT_MNT_KERN);
	if (chdir("/") < 0 && ret == 0)
		ret = log_perr(-errno, "Failed to enter /");
	return ret;
}

int ct_cr_init_setup(void *arg)
{
	struct ct_cr_rst *r = arg;
	char go;

	close(r->go[1]);
	if (read(r->go[0], &go, 1) != 1)
		return -ECANCELED;	/* the tool failed and said why */
	close(r->go[0]);
	if (unshare(CLONE_NEWCGROUP) < 0)
		return log_perr(-errno, "Failed to create a cgroup namespace");
	return ct_net_ct_setup(r->ct, r->veth_peer) ?: restore_uts(r) ?: restore_kern_mounts(r);
}
