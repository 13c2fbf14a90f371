// SPDX-License-Identifier: GPL-2.0-only
/*
 * Restore of a mount namespace from mountpoints-ID.img, in the caller's
 * own fresh mount namespace: the root from the caller's source (a bind of
 * a directory, or a raw image on a loop device), then each mount in the
 * dumped order (parents first), every one private while the tree is built
 * so nothing propagates twice; then per-mount flags; then propagation:
 * peer groups and slaves are joined with MOVE_MOUNT_SET_GROUP (Linux 5.15),
 * which was made for this. Mounts are reached through O_PATH fds of their
 * roots (/proc/self/fd/N), so overmounted paths do not get in the way.
 * On failure the mounts made so far stay in the caller's namespace, which
 * the caller throws away.
 */
#define LOG_PREFIX "ns-mnt: "
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/loop.h>
#include <linux/mount.h>

#include "cleanup.h"
#include "image.h"
#include "log.h"
#include "mnt.pb-c.h"
#include "nsimg.h"
#include "ns_mnt.h"
#include "ns_util.h"
#include "xmalloc.h"

#define MAX_MOUNTS 512
#define MS_ATIME_MASK (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)
#define MS_MNT_MASK (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_ATIME_MASK)

struct rmnt {
	MntEntry *e;
	int fd;			/* O_PATH of the mount's root, once mounted */
	bool done;		/* propagation set */
};

struct mnt_restore {
	int dfd;
	uint32_t id;
	struct rmnt m[MAX_MOUNTS];
	size_t n;
};

/* "/proc/self/fd/N[/rel]": the mount of @fd, then @rel inside it. */
static void fd_path(char *buf, size_t size, int fd, const char *rel)
{
	snprintf(buf, size, "/proc/self/fd/%d%s%s", fd, rel && *rel ? "/" : "", rel ? rel : "");
}

static bool bad_path(const char *p)
{
	return p[0] != '/' || strstr(p, "/../") || (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/..")) ||
	       strlen(p) > 4000;
}

static ssize_t find_id(const struct mnt_restore *r, size_t before, uint32_t id)
{
	size_t k;

	for (k = 0; k < before; k++)
		if (r->m[k].e->mnt_id == id)
			return (ssize_t)k;
	return -1;
}

static int load(struct mnt_restore *r)
{
	struct img *img = img_open(r->dfd, IMG_MNTS, O_RDONLY, r->id);
	MntEntry *e;
	int ret;

	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&e)) > 0) {
		if (r->n == MAX_MOUNTS)
			ret = log_err(-E2BIG, "Failed to read '%s': more than %d mounts", img_path(img),
				      MAX_MOUNTS);
		else if (bad_path(e->mountpoint) || bad_path(e->root))
			ret = log_err(-EINVAL, "Failed to read '%s': mount %u: bad path '%s' or root '%s'",
				      img_path(img), e->mnt_id, e->mountpoint, e->root);
		else if (r->n == 0 && strcmp(e->mountpoint, "/"))
			ret = log_err(-EINVAL, "Failed to read '%s': the first mount is on '%s', not '/'",
				      img_path(img), e->mountpoint);
		else if (r->n > 0 && find_id(r, r->n, e->parent_mnt_id) < 0)
			ret = log_err(-EINVAL, "Failed to read '%s': mount '%s' comes before its parent %u",
				      img_path(img), e->mountpoint, e->parent_mnt_id);
		if (ret < 0) {
			img_free_entry(e);
			break;
		}
		r->m[r->n].fd = -EBADF;
		r->m[r->n++].e = e;
	}
	img_close(img);
	if (ret == 0 && r->n == 0)
		ret = log_err(-EINVAL, "Failed to restore mounts: mountpoints-%u.img is empty", r->id);
	return ret;
}

/* Attach @file to a free loop device (autoclear: gone with its last mount). */
static int loop_attach(const char *file, char *dev, size_t size)
{
	_cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	_cleanup_close_ int ffd = open(file, O_RDWR | O_CLOEXEC);
	struct loop_config cfg = { .info.lo_flags = LO_FLAGS_AUTOCLEAR };
	int tries, nr, lfd;

	if (ctl < 0 || ffd < 0)
		return log_perr(-errno, "Failed to open /dev/loop-control or '%s'", file);
	cfg.fd = ffd;
	for (tries = 0; tries < 8; tries++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0)
			return log_perr(-errno, "Failed to get a free loop device for '%s'", file);
		snprintf(dev, size, "/dev/loop%d", nr);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd < 0)
			return log_perr(-errno, "Failed to open '%s'", dev);
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
			return lfd;
		close(lfd);
		if (errno != EBUSY)	/* EBUSY: someone took it first */
			return log_perr(-errno, "Failed to attach '%s' to '%s'", file, dev);
	}
	return log_err(-EBUSY, "Failed to attach '%s': no loop device stayed free", file);
}

static int mount_root(struct mnt_restore *r, const char *src, const char *target)
{
	const MntEntry *e = r->m[0].e;
	_cleanup_close_ int lfd = -EBADF;
	struct stat st;
	char dev[64];

	if (stat(src, &st) < 0)
		return log_perr(-errno, "Failed to stat the root source '%s'", src);
	if (S_ISDIR(st.st_mode)) {
		if (mount(src, target, NULL, MS_BIND, NULL) < 0)
			return log_perr(-errno, "Failed to bind-mount '%s' on '%s'", src, target);
	} else if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		if (S_ISREG(st.st_mode)) {
			lfd = loop_attach(src, dev, sizeof(dev));
			if (lfd < 0)
				return lfd;
		} else {
			snprintf(dev, sizeof(dev), "%s", src);
		}
		if (!e->fsname || mount(dev, target, e->fsname, e->sb_flags & MS_RDONLY, e->options) < 0)
			return log_perr(e->fsname ? -errno : -EINVAL, "Failed to mount '%s' (%s) on '%s' as %s",
					dev, src, target, e->fsname ? e->fsname : "(no fs type)");
	} else {
		return log_err(-EINVAL, "Failed to mount the root '%s': not a directory, file or block device",
			       src);
	}
	r->m[0].fd = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->m[0].fd < 0)
		return log_perr(-errno, "Failed to open '%s'", target);
	return 0;
}

/* Where @i is mounted: its parent's root fd and the rest of the path, made if missing. */
static int mountpoint_of(const struct mnt_restore *r, size_t i, char *buf, size_t size)
{
	const MntEntry *e = r->m[i].e;
	const struct rmnt *p = &r->m[find_id(r, i, e->parent_mnt_id)];
	const char *pm = p->e->mountpoint, *rel;
	size_t n = strlen(pm);
	char part[4096], *s;

	if (strcmp(pm, "/") && (strncmp(e->mountpoint, pm, n) || (e->mountpoint[n] && e->mountpoint[n] != '/')))
		return log_err(-EINVAL, "Failed to restore mount '%s': not below its parent '%s'",
			       e->mountpoint, pm);
	rel = e->mountpoint + (strcmp(pm, "/") ? n : 0);
	while (*rel == '/')
		rel++;
	fd_path(buf, size, p->fd, rel);
	/* make the missing directories: mkdir -p inside the parent */
	snprintf(part, sizeof(part), "%s", rel);
	for (s = part; *rel && s; s = strchr(s + 1, '/')) {
		char c = *s;

		if (s != part) {
			*s = '\0';
			mkdirat(p->fd, part, 0755);
			*s = c;
		}
	}
	if (*rel && mkdirat(p->fd, part, 0755) < 0 && errno != EEXIST)
		return log_perr(-errno, "Failed to make the mount point '%s'", e->mountpoint);
	return 0;
}

/* An earlier mount of the same file system whose root holds @i's root. */
static ssize_t bind_source(const struct mnt_restore *r, size_t i)
{
	const MntEntry *e = r->m[i].e;
	size_t k, n;

	for (k = 0; k < i; k++) {
		const MntEntry *p = r->m[k].e;

		n = strlen(p->root);
		if (p->root_dev != e->root_dev)
			continue;
		if (!strcmp(p->root, "/") ||
		    (!strncmp(p->root, e->root, n) && (!e->root[n] || e->root[n] == '/')))
			return (ssize_t)k;
	}
	return -1;
}

static int mount_fresh(const struct mnt_restore *r, size_t i, const char *mp)
{
	const MntEntry *e = r->m[i].e;
	bool tmpfs = e->fstype == FSTYPE__TMPFS;
	unsigned long flags = e->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_ATIME_MASK);

	if (!tmpfs && (e->sb_flags & MS_RDONLY))
		flags |= MS_RDONLY;	/* a tmpfs gets its files first */
	switch (e->fstype) {
	case FSTYPE__PROC: case FSTYPE__SYSFS: case FSTYPE__TMPFS: case FSTYPE__DEVPTS:
	case FSTYPE__MQUEUE:
		break;
	default:
		return log_err(-ENOTSUP, "Failed to restore mount '%s': fs type %u (%s) is not supported",
			       e->mountpoint, e->fstype, e->fsname ? e->fsname : "?");
	}
	if (!e->fsname || mount(e->source, mp, e->fsname, flags, e->options[0] ? e->options : NULL) < 0)
		return log_perr(e->fsname ? -errno : -EINVAL, "Failed to mount %s on '%s' with '%s'",
				e->fsname ? e->fsname : "(no fs name)", e->mountpoint, e->options);
	return 0;
}

static int mount_one(struct mnt_restore *r, size_t i)
{
	const MntEntry *e = r->m[i].e;
	char mp[4200], src[8400], root[64];
	ssize_t s = bind_source(r, i);
	int ret;

	ret = mountpoint_of(r, i, mp, sizeof(mp));
	if (ret < 0)
		return ret;
	if (s >= 0) {
		const char *rest = e->root + (strcmp(r->m[s].e->root, "/") ? strlen(r->m[s].e->root) : 0);

		while (*rest == '/')
			rest++;
		fd_path(src, sizeof(src), r->m[s].fd, rest);
		if (mount(src, mp, NULL, MS_BIND, NULL) < 0)
			return log_perr(-errno, "Failed to bind '%s' of '%s' on '%s'", e->root,
					r->m[s].e->mountpoint, e->mountpoint);
	} else {
		ret = mount_fresh(r, i, mp);
		if (ret < 0)
			return ret;
	}
	/* no O_DIRECTORY: a bind mount of a file is a mount too */
	r->m[i].fd = open(mp, O_PATH | O_CLOEXEC);
	if (r->m[i].fd < 0)
		return log_perr(-errno, "Failed to open the new mount '%s'", e->mountpoint);
	if (s >= 0 || e->fstype != FSTYPE__TMPFS)
		return 0;
	ret = ns_tmpfs_restore(r->dfd, e->root_dev, r->m[i].fd, e->mountpoint);
	if (ret == 0 && (e->sb_flags & MS_RDONLY)) {
		fd_path(root, sizeof(root), r->m[i].fd, NULL);
		if (mount(NULL, root, NULL, MS_REMOUNT | MS_RDONLY, e->options) < 0)
			ret = log_perr(-errno, "Failed to make the tmpfs at '%s' read-only",
				       e->mountpoint);
	}
	return ret;
}

/* Per-mount flags last: a read-only parent must not stop its children. */
static int set_flags(const struct mnt_restore *r)
{
	char path[64];
	size_t i;

	for (i = r->n; i-- > 0;) {
		fd_path(path, sizeof(path), r->m[i].fd, NULL);
		if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | (r->m[i].e->flags & MS_MNT_MASK),
			  NULL) < 0)
			return log_perr(-errno, "Failed to set the flags 0x%x of mount '%s'",
					r->m[i].e->flags, r->m[i].e->mountpoint);
	}
	return 0;
}

static int set_prop(const struct rmnt *m, unsigned long type, const char *what)
{
	char path[64];

	fd_path(path, sizeof(path), m->fd, NULL);
	if (mount(NULL, path, NULL, type, NULL) < 0)
		return log_perr(-errno, "Failed to make mount '%s' %s", m->e->mountpoint, what);
	return 0;
}

/* Make @to a peer of @from (and a slave of @from's master, if any). */
static int join_group(const struct rmnt *from, const struct rmnt *to)
{
	if (syscall(SYS_move_mount, from->fd, "", to->fd, "",
		    MOVE_MOUNT_SET_GROUP | MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return log_perr(-errno, "Failed to put mount '%s' into the peer group of '%s'",
				to->e->mountpoint, from->e->mountpoint);
	return 0;
}

/* A mount already set up that is in peer group @group; NULL if none yet. */
static const struct rmnt *group_mount(const struct mnt_restore *r, uint32_t group)
{
	size_t k;

	for (k = 0; k < r->n; k++)
		if (r->m[k].done && r->m[k].e->has_shared_id && r->m[k].e->shared_id == group)
			return &r->m[k];
	return NULL;
}

/* One mount's propagation: 1 if done, 0 if it waits for its master, or -errno. */
static int prop_one(struct mnt_restore *r, struct rmnt *m)
{
	const MntEntry *e = m->e;
	const struct rmnt *peer = e->has_shared_id ? group_mount(r, e->shared_id) : NULL;
	const struct rmnt *master = NULL;
	int ret = 0;

	if (e->has_master_id && e->master_id && !peer) {
		master = group_mount(r, e->master_id);
		if (!master)
			return 0;
		ret = join_group(master, m) ?: set_prop(m, MS_SLAVE, "a slave");
	}
	if (ret == 0 && peer)
		ret = join_group(peer, m);	/* the group's master comes along */
	else if (ret == 0 && e->has_shared_id && e->shared_id)
		ret = set_prop(m, MS_SHARED, "shared");
	m->done = true;
	return ret < 0 ? ret : 1;
}

static int set_propagation(struct mnt_restore *r)
{
	size_t i, left;
	int ret;

	do {
		left = 0;
		for (i = 0; i < r->n; i++) {
			if (r->m[i].done)
				continue;
			ret = prop_one(r, &r->m[i]);
			if (ret < 0)
				return ret;
			left += ret == 0;
		}
		for (i = 0; i < r->n && left; i++)
			if (!r->m[i].done && group_mount(r, r->m[i].e->master_id))
				break;
		if (left && i == r->n)
			return log_err(-EINVAL, "Failed to restore propagation: %zu mounts are slaves of peer groups no mount has",
				       left);
	} while (left);
	return 0;
}

int ns_restore_mnt(int dfd, const char *root_src, const char *target)
{
	struct mnt_restore *r = xzalloc(sizeof(*r));
	size_t i;
	int ret;

	if (!r)
		return -ENOMEM;
	r->dfd = dfd;
	ret = ns_need_image(dfd, "mountpoints-", &r->id) ?: load(r) ?:
	      mount_root(r, root_src, target);
	for (i = 1; ret == 0 && i < r->n; i++)
		ret = mount_one(r, i);
	ret = ret ?: set_flags(r) ?: set_propagation(r);
	for (i = 0; i < r->n; i++) {
		if (r->m[i].fd >= 0)
			close(r->m[i].fd);
		img_free_entry(r->m[i].e);
	}
	free(r);
	return ret;
}
