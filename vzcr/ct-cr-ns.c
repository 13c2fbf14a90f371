// SPDX-License-Identifier: GPL-2.0-only
/*
 * The namespaces of a CT being restored, from its namespace images
 * (nsimg.h). The tool unshares mount, uts, ipc and net namespaces for
 * itself and rebuilds them in that order (uts, ipc, net, then the mount
 * tree under VE_ROOT: sysfs and mqueue take the mounter's net and ipc
 * namespaces), so that the files and sockets it then opens are the CT's;
 * the CT's init is cloned into a new pid namespace and inherits the rest.
 * Only proc shows the mounter's pid namespace: init mounts it again. The
 * veth's host end gets the name and address `vzcr start` gives it.
 *
 * TCP lock: from before eth0 exists until every socket of the CT does, an
 * nftables table in the CT's own net namespace drops all that comes in
 * from outside, so a client that sends while the CT is being restored gets
 * no reset; its retransmission gets through once the table is gone. The
 * lock lives there and not on the host's veth end: the namespace is new
 * and seen by nobody else, nothing on the host must be cleaned up on any
 * path (the lock dies with a failed restore's namespace), and it holds for
 * every peer, routed or local. While the CT is down there is no veth and
 * no route to it on the host, so no one answers the peer at all.
 */
#define LOG_PREFIX "restore: "
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct-cr.h"
#include "log.h"
#include "nsimg.h"

#define CT_RST_UNSHARE (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
#define LOCK_TABLE "vzcr_ctlock"

static int nft(const char *cmd, bool quiet)
{
	const char *prog = access("/usr/sbin/nft", X_OK) == 0 ? "/usr/sbin/nft" : "/sbin/nft";
	char *argv[] = { (char *)prog, (char *)cmd, NULL };

	if (access(prog, X_OK) < 0)
		return -ENOENT;
	return ct_run_prog(argv, quiet);
}

/* In the CT's new net ns, before any link: drop what comes in but on lo. */
static int lock_net(const struct ct *ct)
{
	static const char *const cmds[] = {
		"add table inet " LOCK_TABLE,
		"add chain inet " LOCK_TABLE " in { type filter hook input priority -300; }",
		"add rule inet " LOCK_TABLE " in iif != lo drop",
	};
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]) && ret == 0; i++)
		ret = nft(cmds[i], false);
	if (ret == -ENOENT)
		pr_warn("No nft here: a client of CT %s that sends during the restore gets a reset, ignoring",
			ct->id);
	else if (ret < 0)
		return log_err(-EIO, "Failed to lock the network of CT %s (nft table %s)", ct->id,
			       LOCK_TABLE);
	return 0;
}

/* The host end of the CT's veth, configured in the host's net ns. */
static int host_conf(struct ct_cr_rst *r, int host_ns)
{
	int ret;

	if (!r->ct->conf.ip_address[0])
		return 0;
	if (setns(host_ns, CLONE_NEWNET) < 0)
		return log_perr(-errno, "Failed to enter the host's net namespace");
	ret = ct_net_host_conf(r->ct, r->veth_host);
	if (setns(r->netns, CLONE_NEWNET) < 0)
		ret = log_perr(-errno, "Failed to return to the net namespace of CT %s", r->ct->id);
	return ret;
}

/* mountinfo option "ro,nosuid,..." as mount(2) flags (the ones proc takes per mount) */
static unsigned long mnt_flags(const char *o)
{
	static const struct { const char *name; unsigned long flag; } f[] = {
		{ "ro", MS_RDONLY }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV },
		{ "noexec", MS_NOEXEC }, { "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
		{ "relatime", MS_RELATIME },
	};
	unsigned long flags = 0;
	char buf[256], *tok, *save;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", o);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (!strcmp(tok, f[i].name))
				flags |= f[i].flag;
	return flags;
}

/* The proc mounts under VE_ROOT (made by the tool, so of the host's pid ns). */
static int find_procs(struct ct_cr_rst *r)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[CT_PATH_MAX], opts[256], type[64], sopts[128];
	size_t n = strlen(r->root);

	if (!f)
		return log_perr(-errno, "Failed to open '/proc/self/mountinfo'");
	while (fgets(line, sizeof(line), f)) {
		const char *dash = strstr(line, " - ");
		struct ct_cr_proc *p = &r->proc[r->nr_proc];

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s %255s", mp, opts) != 2 ||
		    sscanf(dash, " - %63s %*s %127s", type, sopts) != 2)
			continue;
		if (strcmp(type, "proc") || strncmp(mp, r->root, n) || (mp[n] && mp[n] != '/'))
			continue;
		if (r->nr_proc == CT_CR_MAX_PROC)
			return log_err(-E2BIG, "Failed to restore CT %s: more than %d proc mounts",
				       r->ct->id, CT_CR_MAX_PROC);
		snprintf(p->path, sizeof(p->path), "%s", mp);
		snprintf(p->opts, sizeof(p->opts), "%s", sopts);
		p->flags = mnt_flags(opts);
		r->nr_proc++;
	}
	return 0;
}

int ct_cr_restore_ns(struct ct_cr_rst *r)
{
	_cleanup_close_ int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct ns_net_opts no = { .host_netns_fd = host };
	char src[CT_PATH_MAX];
	int ret;

	if (host < 0)
		return log_perr(-errno, "Failed to open the host's net namespace");
	if (r->veth_host[0])
		no.veth_host_name[0] = r->veth_host;
	/* DISK: the image is mounted on VE_ROOT already, as by start (ct-cr-extra.c) */
	ret = snprintf(src, sizeof(src), "%s", r->private);
	if (ret < 0)
		return ret;
	if (unshare(CT_RST_UNSHARE) < 0)
		return log_perr(-errno, "Failed to create the namespaces of CT %s", r->ct->id);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return log_perr(-errno, "Failed to make the mounts private");
	r->netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (r->netns < 0)
		return log_perr(-errno, "Failed to open the net namespace of CT %s", r->ct->id);
	return lock_net(r->ct) ?: ns_restore_uts(r->dfd) ?: ns_restore_ipc(r->dfd) ?:
	       ns_restore_net(r->dfd, &no) ?: host_conf(r, host) ?:
	       ns_restore_mnt(r->dfd, src, r->root) ?: find_procs(r);
}

int ct_cr_restore_ns_finish(struct ct_cr_rst *r)
{
	/* every socket exists: the peers' packets may come in */
	if (nft("delete table inet " LOCK_TABLE, true) < 0)
		pr_debug("No lock table %s to remove", LOCK_TABLE);
	/* pivot_root(".", "."): the old root lands on top; detach it */
	if (chdir(r->root) < 0)
		return log_perr(-errno, "Failed to enter '%s'", r->root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return log_perr(-errno, "Failed to pivot_root into '%s'", r->root);
	if (umount2(".", MNT_DETACH) < 0)
		return log_perr(-errno, "Failed to detach the host's mounts from CT %s", r->ct->id);
	return 0;
}

int ct_cr_init_created(pid_t pid, void *arg)
{
	struct ct_cr_rst *r = arg;
	int ret = ct_cgroup_attach(r->cgroup, pid);

	if (ret == 0 && write(r->go[1], "g", 1) != 1)
		ret = log_perr(-errno, "Failed to wake the CT's init");
	/* init sees EOF and fails if we did not say go */
	close(r->go[1]);
	r->go[1] = -1;
	return ret;
}

/* In init (pid 1 of the CT's pid ns, the tool's mount ns): proc of its own pid ns. */
static int remount_procs(const struct ct_cr_rst *r)
{
	int i;

	for (i = 0; i < r->nr_proc; i++) {
		const struct ct_cr_proc *p = &r->proc[i];

		if (umount2(p->path, MNT_DETACH) < 0)
			return log_perr(-errno, "Failed to unmount the host's proc from '%s'", p->path);
		if (mount("proc", p->path, "proc", p->flags, p->opts) < 0)
			return log_perr(-errno, "Failed to mount proc on '%s' with '%s'", p->path,
					p->opts);
	}
	return 0;
}

int ct_cr_init_setup(void *arg)
{
	struct ct_cr_rst *r = arg;
	char go;

	close(r->go[1]);
	if (read(r->go[0], &go, 1) != 1)
		return -ECANCELED;	/* the tool failed and said why */
	close(r->go[0]);
	/* in the CT's cgroup by now: that is the root of its cgroup namespace */
	if (unshare(CLONE_NEWCGROUP) < 0)
		return log_perr(-errno, "Failed to create a cgroup namespace");
	return remount_procs(r);
}
