// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dump of a mount namespace: /proc/PID/mountinfo of the target (paths as
 * its root sees them) into mountpoints-ID.img, parents before children,
 * each mount classified as what restore can rebuild: the root (rebuilt
 * from the caller's root source), a bind mount of a part of a file system
 * already mounted in the CT, or a fresh proc, sysfs, devpts, mqueue or
 * tmpfs (with its contents in tmpfs-dev-DEV.tar.gz.img). Anything else is
 * refused, naming the mount: other file system types, binds of what is not
 * in the CT, masters outside the CT, unbindable mounts, overmounted tmpfs.
 */
#define LOG_PREFIX "ns-mnt: "
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "cleanup.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "mnt.pb-c.h"
#include "nsimg.h"
#include "ns_mnt.h"
#include "ns_util.h"
#include "xmalloc.h"

#define MAX_MOUNTS 512

struct mnt {
	unsigned int id, parent, maj, min, shared, master;
	char *root, *mountpoint, *fstype, *source, *mopts, *sopts;
	bool unbindable;
	int depth;		/* 0 for the root: order of the dump */
};

struct mnt_dump {
	pid_t pid;
	int dfd;
	uint32_t nsid;
	struct mnt m[MAX_MOUNTS];
	size_t n;
	size_t order[MAX_MOUNTS];
	size_t nord;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* The optional fields between the mount options and " - ". */
static void parse_tags(struct mnt *m, char *tags)
{
	char *t, *save = NULL;

	for (t = strtok_r(tags, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (!strncmp(t, "shared:", 7))
			m->shared = strtoul(t + 7, NULL, 10);
		else if (!strncmp(t, "master:", 7))
			m->master = strtoul(t + 7, NULL, 10);
		else if (!strcmp(t, "unbindable"))
			m->unbindable = true;
	}
}

static int parse_line(struct mnt *m, char *line, const char *path)
{
	char *sep = strstr(line, " - "), *f[6], *save = NULL;
	int i;

	memset(m, 0, sizeof(*m));
	if (!sep)
		return log_err(-EINVAL, "Failed to parse '%s': no ' - ' in '%s'", path, line);
	*sep = '\0';
	for (i = 0; i < 6; i++) {
		f[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!f[i])
			return log_err(-EINVAL, "Failed to parse '%s': short line", path);
	}
	if (sscanf(f[0], "%u", &m->id) != 1 || sscanf(f[1], "%u", &m->parent) != 1 ||
	    sscanf(f[2], "%u:%u", &m->maj, &m->min) != 2)
		return log_err(-EINVAL, "Failed to parse '%s': bad ids in mount %s", path, f[0]);
	m->root = f[3], m->mountpoint = f[4], m->mopts = f[5];
	parse_tags(m, save ? save : (char *)"");
	m->fstype = strtok_r(sep + 3, " ", &save);
	m->source = strtok_r(NULL, " ", &save);
	m->sopts = strtok_r(NULL, " \n", &save);
	if (!m->fstype || !m->source || !m->sopts)
		return log_err(-EINVAL, "Failed to parse '%s': short line in mount %u", path, m->id);
	unescape(m->root), unescape(m->mountpoint), unescape(m->source);
	return 0;
}

/* Lines point into @buf, which the caller keeps. */
static int read_mountinfo(struct mnt_dump *d, char *buf, const char *path)
{
	char *line, *save = NULL;
	int ret;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (d->n == MAX_MOUNTS)
			return log_err(-E2BIG, "Failed to dump '%s': more than %d mounts", path,
				       MAX_MOUNTS);
		ret = parse_line(&d->m[d->n], line, path);
		if (ret < 0)
			return ret;
		d->n++;
	}
	return d->n ? 0 : log_err(-EINVAL, "Failed to dump '%s': no mounts", path);
}

/* Parents first: depth-first from the root, children in mountinfo order. */
static void walk(struct mnt_dump *d, size_t i, int depth)
{
	size_t k;

	d->m[i].depth = depth;
	d->order[d->nord++] = i;
	for (k = 0; k < d->n; k++)
		if (k != i && d->m[k].parent == d->m[i].id && d->m[k].depth < 0)
			walk(d, k, depth + 1);
}

static int sort_mounts(struct mnt_dump *d)
{
	size_t i, root = d->n;

	for (i = 0; i < d->n; i++)
		d->m[i].depth = -1;
	/* the root: mounted on "/" with a parent outside the list */
	for (i = 0; i < d->n && root == d->n; i++) {
		size_t k;

		if (strcmp(d->m[i].mountpoint, "/"))
			continue;
		for (k = 0; k < d->n && d->m[k].id != d->m[i].parent; k++)
			;
		if (k == d->n || k == i)
			root = i;
	}
	if (root == d->n)
		return log_err(-EINVAL, "Failed to find the root mount of task %d", d->pid);
	walk(d, root, 0);
	return 0;
}

/* Per-mount flags from mountinfo's mount options; "rw" and "ro" of the superblock. */
static uint32_t mount_flags(const char *opts)
{
	static const struct { const char *name; uint32_t flag; } fl[] = {
		{ "ro", MS_RDONLY }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV },
		{ "noexec", MS_NOEXEC }, { "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
		{ "relatime", MS_RELATIME },
	};
	_cleanup_free_ char *copy = xstrdup(opts);
	char *t, *save = NULL;
	uint32_t flags = 0;
	size_t i;

	for (t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
		for (i = 0; i < ARRAY_SIZE(fl); i++)
			if (!strcmp(t, fl[i].name))
				flags |= fl[i].flag;
	/* no atime option shown: strictatime */
	if (!(flags & (MS_NOATIME | MS_RELATIME)))
		flags |= MS_STRICTATIME;
	return flags;
}

/* The superblock's options without "rw"/"ro" (those go to sb_flags). */
static char *fs_options(const char *sopts, uint32_t *ret_sb_flags)
{
	_cleanup_free_ char *copy = xstrdup(sopts);
	char *out = xzalloc(strlen(sopts) + 1), *t, *save = NULL;

	*ret_sb_flags = 0;
	if (!copy || !out) {
		free(out);
		return NULL;
	}
	for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "ro"))
			*ret_sb_flags |= MS_RDONLY;
		else if (strcmp(t, "rw"))
			sprintf(out + strlen(out), "%s%s", out[0] ? "," : "", t);
	}
	return out;
}

static uint32_t fstype_of(const char *name)
{
	static const struct { const char *name; uint32_t type; } t[] = {
		{ "proc", FSTYPE__PROC }, { "sysfs", FSTYPE__SYSFS }, { "tmpfs", FSTYPE__TMPFS },
		{ "devpts", FSTYPE__DEVPTS }, { "mqueue", FSTYPE__MQUEUE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(name, t[i].name))
			return t[i].type;
	return FSTYPE__AUTO;	/* by fsname, as CRIU does for types it has no number for */
}

/* @sub is @root or below it (paths inside one file system). */
static bool path_within(const char *root, const char *sub)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return true;
	return !strncmp(root, sub, n) && (sub[n] == '\0' || sub[n] == '/');
}

/* An earlier mount (in dump order, before position @pos) that @m binds from. */
static const struct mnt *bind_source(const struct mnt_dump *d, size_t pos, const struct mnt *m)
{
	size_t k;

	for (k = 0; k < pos; k++) {
		const struct mnt *p = &d->m[d->order[k]];

		if (p->maj == m->maj && p->min == m->min && path_within(p->root, m->root))
			return p;
	}
	return NULL;
}

static bool has_shared(const struct mnt_dump *d, unsigned int group)
{
	size_t k;

	for (k = 0; k < d->nord; k++)
		if (d->m[d->order[k]].shared == group)
			return true;
	return false;
}

static bool overmounted(const struct mnt_dump *d, const struct mnt *m)
{
	size_t k;

	for (k = 0; k < d->nord; k++)
		if (d->m[d->order[k]].parent == m->id &&
		    !strcmp(d->m[d->order[k]].mountpoint, m->mountpoint))
			return true;
	return false;
}

/* The contents of a tmpfs, reached through the target's root. */
static int dump_tmpfs(const struct mnt_dump *d, const struct mnt *m)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int root = -EBADF, dir = -EBADF;
	char path[64];

	if (strcmp(m->root, "/"))
		return log_err(-ENOTSUP, "Failed to dump the tmpfs at '%s': it shows only its '%s', not supported",
			       m->mountpoint, m->root);
	if (overmounted(d, m))
		return log_err(-ENOTSUP, "Failed to dump the tmpfs at '%s': another mount covers it, not supported",
			       m->mountpoint);
	snprintf(path, sizeof(path), "/proc/%d/root", d->pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	dir = syscall(SYS_openat2, root, m->mountpoint[1] ? m->mountpoint + 1 : ".", &how,
		      sizeof(how));
	if (dir < 0)
		return log_perr(-errno, "Failed to open the tmpfs at '%s' of task %d", m->mountpoint,
				d->pid);
	return ns_tmpfs_dump(d->dfd, NS_KDEV(m->maj, m->min), dir, m->mountpoint);
}

/* Can restore rebuild @m? 0, or -ENOTSUP naming it. */
static int check_mount(const struct mnt_dump *d, size_t pos, const struct mnt *m, bool *ret_fresh)
{
	uint32_t type = fstype_of(m->fstype);

	*ret_fresh = false;
	if (m->unbindable)
		return log_err(-ENOTSUP, "Failed to dump mount '%s': unbindable, not supported",
			       m->mountpoint);
	if (m->master && !has_shared(d, m->master))
		return log_err(-ENOTSUP, "Failed to dump mount '%s': a slave of peer group %u outside the CT, not supported",
			       m->mountpoint, m->master);
	if (pos == 0 || bind_source(d, pos, m))
		return 0;
	if (type == FSTYPE__AUTO)
		return log_err(-ENOTSUP, "Failed to dump mount '%s' (%s from '%s', root '%s'): not a bind mount of what the CT has, and %s is not supported",
			       m->mountpoint, m->fstype, m->source, m->root, m->fstype);
	*ret_fresh = true;
	return 0;
}

static int dump_entry(struct mnt_dump *d, struct img *img, size_t pos)
{
	const struct mnt *m = &d->m[d->order[pos]];
	MntEntry e = MNT_ENTRY__INIT;
	_cleanup_free_ char *opts = NULL;
	bool fresh;
	int ret;

	ret = check_mount(d, pos, m, &fresh);
	if (ret < 0)
		return ret;
	opts = fs_options(m->sopts, &e.sb_flags);
	if (!opts)
		return -ENOMEM;
	e.fstype = fstype_of(m->fstype);
	e.mnt_id = m->id;
	e.root_dev = NS_KDEV(m->maj, m->min);
	e.parent_mnt_id = m->parent;
	e.flags = mount_flags(m->mopts);
	e.root = m->root;
	e.mountpoint = m->mountpoint;
	e.source = m->source;
	e.options = opts;
	e.fsname = m->fstype;
	e.has_sb_flags = true;
	e.has_shared_id = m->shared != 0;
	e.shared_id = m->shared;
	e.has_master_id = m->master != 0;
	e.master_id = m->master;
	ret = img_write(img, &e);
	if (ret == 0 && fresh && e.fstype == FSTYPE__TMPFS)
		ret = dump_tmpfs(d, m);
	return ret;
}

int ns_dump_mnt(pid_t pid, int dfd)
{
	struct mnt_dump *d = xzalloc(sizeof(*d));
	_cleanup_free_ char *buf = NULL;
	struct img *img = NULL;
	char path[64];
	ssize_t n;
	size_t i;
	int ret;

	if (!d)
		return -ENOMEM;
	d->pid = pid;
	d->dfd = dfd;
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", pid);
	n = read_file_at(AT_FDCWD, path, 4 << 20, &buf);
	ret = n < 0 ? log_perr((int)n, "Failed to read '%s'", path) : 0;
	ret = ret ?: ns_id(pid, "mnt", &d->nsid) ?: read_mountinfo(d, buf, path) ?: sort_mounts(d);
	if (ret == 0) {
		img = img_open(dfd, IMG_MNTS, O_WRONLY, d->nsid);
		ret = img ? 0 : -errno;
	}
	for (i = 0; ret == 0 && i < d->nord; i++)
		ret = dump_entry(d, img, i);
	if (img)
		ret = ret ? (img_abort(img), ret) : img_close(img);
	free(d);
	return ret;
}
