// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CT's own cgroup: on cgroup v2 (with cgroup.freeze) a directory
 * vzcr-TAG/CTID under the v2 mount, else under the v1 freezer hierarchy.
 * TAG tells several $VZCR_ROOTs on one host apart; VZCR_CGROUP=v1|v2
 * chooses where a host has both.
 *
 * The memory, cpu and cpuset controllers that carry the CT's limits
 * (ct-limits.c) are used in that same directory when the v2 mount offers
 * them; otherwise (v1 mode, or a hybrid host whose controllers are bound to
 * v1 hierarchies, as in systemd's hybrid layout) in a cgroup of the same
 * relative name in each controller's v1 hierarchy. Attaching and removing
 * the CT's cgroup covers all of them, so that exec and restore join the
 * limits too. libcgroup, where vzcr is built with it, creates the v1
 * cgroups and writes their values.
 */
#define LOG_PREFIX "cgroup: "
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#ifdef CONFIG_HAS_LIBCGROUP
#include <libcgroup.h>
#endif /* CONFIG_HAS_LIBCGROUP */

#include "cleanup.h"
#include "ct.h"
#include "io.h"
#include "kerndat.h"
#include "log.h"

/* The controllers of the limits. */
static const char *const limit_ctrls[] = { "memory", "cpu", "cpuset" };

/* FNV-1a of $VZCR_ROOT: a short stable tag for names shared by the host. */
unsigned int ct_root_tag(const struct ct *ct)
{
	unsigned int h = 2166136261u;
	const char *p;

	for (p = ct->root; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* The mount the CT's main cgroup lives under (@ret_v2: the v2 one). */
static int cgroup_base(const char **ret_base, bool *ret_v2)
{
	const struct kerndat *kd = kerndat_get();
	const char *want = getenv("VZCR_CGROUP");
	bool v2 = kd->cgroup2_path[0] && kd->cgroup2_freeze, v1 = kd->freezer_v1_path[0];

	/* VZCR_CGROUP=v1|v2 picks one where a host has both (tests run both) */
	if (want && strcmp(want, "v1") && strcmp(want, "v2"))
		return log_err(-EINVAL, "VZCR_CGROUP is '%s', want v1 or v2", want);
	if (want && !strcmp(want, "v1"))
		v2 = false;
	if (want && !strcmp(want, "v2"))
		v1 = false;
	if (!v2 && !v1)
		return log_err(-ENOTSUP, "No cgroup v2 with cgroup.freeze and no v1 freezer mounted%s (see vzcr check)",
			       want ? " as VZCR_CGROUP asks" : "");
	*ret_base = v2 ? kd->cgroup2_path : kd->freezer_v1_path;
	*ret_v2 = v2;
	return 0;
}

/* "vzcr-TAG/CTID" ("vzcr/CTID" for VZCR_ROOT=/): the CT's name in every hierarchy. */
static void cgroup_rel(const struct ct *ct, char *buf, size_t len)
{
	if (ct->root[0])
		snprintf(buf, len, "vzcr-%08x/%s", ct_root_tag(ct), ct->id);
	else
		snprintf(buf, len, "vzcr/%s", ct->id);
}

/* Whether the v2 mount at @base offers controller @ctrl. */
static bool v2_has(const char *base, const char *ctrl)
{
	_cleanup_free_ char *list = NULL;
	char path[CT_PATH_MAX], *tok, *save;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", base);
	if (read_file_at(AT_FDCWD, path, 4096, &list) < 0)
		return false;
	for (tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, ctrl))
			return true;
	return false;
}

#ifdef CONFIG_HAS_LIBCGROUP
static int lcg_init(void)
{
	static int done;
	int ret;

	if (done)
		return 0;
	ret = cgroup_init();
	if (ret)
		return log_err(-ENOTSUP, "Failed to initialize libcgroup: %s", cgroup_strerror(ret));
	done = 1;
	return 0;
}

/* The mount of v1 hierarchy @ctrl into @buf; -ENOENT if there is none. */
static int v1_mount(const char *ctrl, char *buf, size_t len)
{
	_cleanup_free_ char *mp = NULL;
	int ret = lcg_init();

	if (ret < 0)
		return ret;
	if (cgroup_get_subsys_mount_point(ctrl, &mp) || !mp)
		return -ENOENT;
	if (!strcmp(mp, kerndat_get()->cgroup2_path))
		return -ENOENT;	/* that is v2, and v2_has() said no */
	snprintf(buf, len, "%s", mp);
	return 0;
}
#else
static int v1_mount(const char *ctrl, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mounts", "re");
	char dev[64], dir[256], type[32], opts[512], *tok, *save;

	if (!f)
		return log_perr(-errno, "Failed to open '/proc/self/mounts'");
	while (fscanf(f, "%63s %255s %31s %511s %*d %*d", dev, dir, type, opts) == 4) {
		if (strcmp(type, "cgroup"))
			continue;
		for (tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!strcmp(tok, ctrl)) {
				snprintf(buf, len, "%s", dir);
				return 0;
			}
	}
	return -ENOENT;
}
#endif /* CONFIG_HAS_LIBCGROUP */

/* Where @ctrl of the cgroup @rel is, for a main cgroup under @base. */
static int place_in(const char *base, bool v2, const char *rel, const char *ctrl,
		    struct ct_cg_place *ret)
{
	struct ct_cg_place pl = { .v2 = v2 && v2_has(base, ctrl) };
	int err;

	if (pl.v2) {
		snprintf(pl.mnt, sizeof(pl.mnt), "%s", base);
	} else {
		err = v1_mount(ctrl, pl.mnt, sizeof(pl.mnt));
		if (err < 0)
			return err;
	}
	snprintf(pl.rel, sizeof(pl.rel), "%s", rel);
	snprintf(pl.dir, sizeof(pl.dir), "%s/%s", pl.mnt, rel);
	*ret = pl;
	return 0;
}

int ct_cgroup_place(const struct ct *ct, const char *ctrl, struct ct_cg_place *ret)
{
	const char *base;
	char rel[CTID_MAX + 16];
	bool v2;
	int err;

	err = cgroup_base(&base, &v2);
	if (err < 0)
		return err;
	cgroup_rel(ct, rel, sizeof(rel));
	return place_in(base, v2, rel, ctrl, ret);
}

/*
 * The places of the limit controllers other than @cg itself, for a main
 * cgroup path @cg (from the state file), whose last two components are the
 * name in every hierarchy. Returns how many there are.
 */
static int extra_places(const char *cg, struct ct_cg_place pl[ARRAY_SIZE(limit_ctrls)])
{
	char base[CT_PATH_MAX], rel[CTID_MAX + 16], *last, *prev;
	size_t i;
	int n = 0;

	snprintf(base, sizeof(base), "%s", cg);
	last = strrchr(base, '/');
	if (!last || last == base)
		return 0;
	*last = '\0';
	prev = strrchr(base, '/');
	*last = '/';
	if (!prev || strlen(prev + 1) >= sizeof(rel))
		return 0;
	strcpy(rel, prev + 1);
	*prev = '\0';
	for (i = 0; i < ARRAY_SIZE(limit_ctrls); i++)
		if (place_in(base, !strcmp(base, kerndat_get()->cgroup2_path), rel, limit_ctrls[i],
			     &pl[n]) == 0 && strcmp(pl[n].dir, cg))
			n++;
	return n;
}

int ct_cgroup_set(const struct ct_cg_place *pl, const char *ctrl, const char *file,
		  const char *val)
{
	char path[CT_PATH_MAX + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", pl->dir, file);
#ifdef CONFIG_HAS_LIBCGROUP
	/*
	 * v2 knobs are written directly. libcgroup 2.0 maps each controller to
	 * one mount, and on the hybrid hosts this was written on that is the v1
	 * one: their v2 mount offers none of memory, cpu and cpuset, so its v2
	 * path could not be run here. These few writes are plain, and the
	 * values are unit-tested (tests/vzcr/test-ct-limits).
	 */
	if (!pl->v2) {
		struct cgroup *cg = cgroup_new_cgroup(pl->rel);
		struct cgroup_controller *c = cg ? cgroup_add_controller(cg, ctrl) : NULL;

		ret = c ? cgroup_add_value_string(c, file, val) : ECGFAIL;
		if (!ret)
			ret = cgroup_modify_cgroup(cg);
		cgroup_free(&cg);
		if (ret == ECGOTHER)
			return log_err(-cgroup_get_last_errno(), "Failed to set '%s' to '%s': %s",
				       path, val, strerror(cgroup_get_last_errno()));
		if (ret)
			return log_err(-EIO, "Failed to set '%s' to '%s': %s", path, val,
				       cgroup_strerror(ret));
		return 0;
	}
#else
	(void)ctrl;
#endif /* CONFIG_HAS_LIBCGROUP */
	ret = write_file_at(AT_FDCWD, path, val);
	if (ret < 0)
		return log_err(ret, "Failed to set '%s' to '%s': %s", path, val, strerror(-ret));
	return 0;
}

int ct_cgroup_get(const struct ct_cg_place *pl, const char *file, char *buf, size_t len)
{
	_cleanup_free_ char *s = NULL;
	char path[CT_PATH_MAX + 64];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", pl->dir, file);
	n = read_file_at(AT_FDCWD, path, len - 1, &s);
	if (n < 0)
		return log_err(n, "Failed to read '%s': %s", path, strerror(-n));
	s[strcspn(s, "\n")] = '\0';
	snprintf(buf, len, "%s", s);
	return 0;
}

/* Write @val to the knob @dir/@file, logging a failure. */
static int write_knob(const char *dir, const char *file, const char *val)
{
	char path[CT_PATH_MAX + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = write_file_at(AT_FDCWD, path, val);
	if (ret < 0)
		return log_err(ret, "Failed to write '%s' to '%s': %s", val, path, strerror(-ret));
	return 0;
}

/* v2: make @ctrl available to the CT's cgroup in the mount's and vzcr-TAG's subtrees. */
static int v2_enable(const struct ct_cg_place *pl, const char *ctrl)
{
	char parent[CT_PATH_MAX], plus[32];
	int ret;

	snprintf(plus, sizeof(plus), "+%s", ctrl);
	snprintf(parent, sizeof(parent), "%s", pl->dir);
	*strrchr(parent, '/') = '\0';
	ret = write_knob(pl->mnt, "cgroup.subtree_control", plus);
	if (ret == 0)
		ret = write_knob(parent, "cgroup.subtree_control", plus);
	return ret;
}

/*
 * v1 cpuset: a new cgroup has no CPUs and no memory nodes, and no task can
 * join it until both are set: give it (and vzcr-TAG above it) the whole set
 * of the hierarchy's root. ct_limits_apply() narrows the CPUs to CPUS.
 */
static int v1_cpuset_fill(const struct ct_cg_place *pl)
{
	struct ct_cg_place root = *pl, parent = *pl;
	char cpus[256], mems[256];
	int ret;

	snprintf(root.dir, sizeof(root.dir), "%s", pl->mnt);
	*strrchr(parent.dir, '/') = '\0';
	*strrchr(parent.rel, '/') = '\0';
	if ((ret = ct_cgroup_get(&root, "cpuset.cpus", cpus, sizeof(cpus))) < 0 ||
	    (ret = ct_cgroup_get(&root, "cpuset.mems", mems, sizeof(mems))) < 0 ||
	    (ret = ct_cgroup_set(&parent, "cpuset", "cpuset.cpus", cpus)) < 0 ||
	    (ret = ct_cgroup_set(&parent, "cpuset", "cpuset.mems", mems)) < 0 ||
	    (ret = ct_cgroup_set(pl, "cpuset", "cpuset.cpus", cpus)) < 0 ||
	    (ret = ct_cgroup_set(pl, "cpuset", "cpuset.mems", mems)) < 0)
		return ret;
	return 0;
}

#ifdef CONFIG_HAS_LIBCGROUP
static int v1_mkdir(const struct ct_cg_place *pl, const char *ctrl)
{
	struct cgroup *cg = cgroup_new_cgroup(pl->rel);
	int ret = ECGFAIL;

	if (cg && cgroup_add_controller(cg, ctrl))
		ret = cgroup_create_cgroup(cg, 0);
	cgroup_free(&cg);
	if (ret == ECGOTHER)
		return log_err(-cgroup_get_last_errno(), "Failed to create cgroup '%s': %s", pl->dir,
			       strerror(cgroup_get_last_errno()));
	if (ret)
		return log_err(-EIO, "Failed to create cgroup '%s': %s", pl->dir, cgroup_strerror(ret));
	return 0;
}
#else
static int v1_mkdir(const struct ct_cg_place *pl, const char *ctrl)
{
	(void)ctrl;
	return ct_mkdir_p(pl->dir, 0755);
}
#endif /* CONFIG_HAS_LIBCGROUP */

/* The cgroups of the limit controllers; a controller the host lacks is skipped. */
static int limits_create(const struct ct *ct)
{
	struct ct_cg_place pl;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(limit_ctrls); i++) {
		ret = ct_cgroup_place(ct, limit_ctrls[i], &pl);
		if (ret == -ENOENT)
			continue;	/* ct_limits_apply() refuses a limit that needs it */
		if (ret < 0)
			return ret;
		if (pl.v2)
			ret = v2_enable(&pl, limit_ctrls[i]);
		else
			ret = v1_mkdir(&pl, limit_ctrls[i]);
		if (ret == 0 && !pl.v2 && !strcmp(limit_ctrls[i], "cpuset"))
			ret = v1_cpuset_fill(&pl);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int ct_cgroup_create(const struct ct *ct, char *ret_path, size_t len)
{
	char path[CT_PATH_MAX], rel[CTID_MAX + 16];
	const char *base;
	bool v2;
	int ret;

	ret = cgroup_base(&base, &v2);
	if (ret < 0)
		return ret;
	cgroup_rel(ct, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	if (strlen(path) >= len)
		return log_err(-ENAMETOOLONG, "Cgroup path '%s' is too long", path);
	ret = ct_mkdir_p(path, 0755);
	if (ret < 0)
		return ret;
	ret = limits_create(ct);
	if (ret == 0)
		ret = ct_limits_apply(ct);
	if (ret < 0) {
		ct_cgroup_remove(path);
		return ret;
	}
	strcpy(ret_path, path);
	pr_debug("CT %s: cgroup %s", ct->id, path);
	return 0;
}

/*
 * cgroup.procs is written directly, in every hierarchy: libcgroup's attach
 * writes the v1 "tasks" file, which moves a single thread.
 */
int ct_cgroup_attach(const char *cg, pid_t pid)
{
	struct ct_cg_place pl[ARRAY_SIZE(limit_ctrls)];
	char buf[32];
	int i, n, ret;

	snprintf(buf, sizeof(buf), "%d", pid);
	ret = write_knob(cg, "cgroup.procs", buf);
	n = extra_places(cg, pl);
	for (i = 0; i < n && ret == 0; i++)
		if (access(pl[i].dir, F_OK) == 0)
			ret = write_knob(pl[i].dir, "cgroup.procs", buf);
	return ret;
}

/*
 * Remove one cgroup directory, then its parent if empty. The last tasks of
 * a killed pid namespace can take a moment to leave: retry on EBUSY for ~5 s.
 * rmdir, not cgroup_delete_cgroup(): that one moves leftover tasks to the
 * parent, out of the CT's limits.
 */
static int remove_dir(const char *cg)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char parent[CT_PATH_MAX], *slash;
	int i;

	for (i = 0; rmdir(cg) < 0; i++) {
		if (errno == ENOENT)
			break;
		if (errno != EBUSY || i >= 250)
			return log_perr(-errno, "Failed to remove cgroup '%s'", cg);
		nanosleep(&ts, NULL);
	}
	snprintf(parent, sizeof(parent), "%s", cg);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		rmdir(parent);	/* other CTs may still use it */
	}
	return 0;
}

/* The main cgroup last: the state file names it, a failure here can be retried. */
int ct_cgroup_remove(const char *cg)
{
	struct ct_cg_place pl[ARRAY_SIZE(limit_ctrls)];
	int i, n, ret = 0;

	n = extra_places(cg, pl);
	for (i = 0; i < n; i++)
		if (remove_dir(pl[i].dir) < 0)
			ret = -EBUSY;
	if (remove_dir(cg) < 0)
		ret = -EBUSY;
	return ret;
}
