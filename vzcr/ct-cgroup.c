// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CT's own cgroup: on cgroup v2 (with cgroup.freeze) a directory
 * vzcr-TAG/CTID under the v2 mount, else under the v1 freezer hierarchy.
 * TAG tells several $VZCR_ROOTs on one host apart; VZCR_CGROUP=v1|v2
 * chooses where a host has both. Memory and CPU limits
 * are not applied yet.
 */
#define LOG_PREFIX "cgroup: "
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "io.h"
#include "kerndat.h"
#include "log.h"

/* FNV-1a of $VZCR_ROOT: a short stable tag for names shared by the host. */
unsigned int ct_root_tag(const struct ct *ct)
{
	unsigned int h = 2166136261u;
	const char *p;

	for (p = ct->root; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

int ct_cgroup_create(const struct ct *ct, char *ret_path, size_t len)
{
	const struct kerndat *kd = kerndat_get();
	const char *base, *want = getenv("VZCR_CGROUP");
	bool v2 = kd->cgroup2_path[0] && kd->cgroup2_freeze, v1 = kd->freezer_v1_path[0];
	char path[CT_PATH_MAX];
	int ret;

	/* VZCR_CGROUP=v1|v2 picks one where a host has both (tests run both) */
	if (want && strcmp(want, "v1") && strcmp(want, "v2"))
		return log_err(-EINVAL, "VZCR_CGROUP is '%s', want v1 or v2", want);
	if (want && !strcmp(want, "v1"))
		v2 = false;
	if (want && !strcmp(want, "v2"))
		v1 = false;
	if (v2)
		base = kd->cgroup2_path;
	else if (v1)
		base = kd->freezer_v1_path;
	else
		return log_err(-ENOTSUP, "No cgroup v2 with cgroup.freeze and no v1 freezer mounted%s (see vzcr check)",
			       want ? " as VZCR_CGROUP asks" : "");
	if (ct->root[0])
		snprintf(path, sizeof(path), "%s/vzcr-%08x/%s", base, ct_root_tag(ct), ct->id);
	else
		snprintf(path, sizeof(path), "%s/vzcr/%s", base, ct->id);
	ret = ct_mkdir_p(path, 0755);
	if (ret < 0)
		return ret;
	if (strlen(path) >= len)
		return log_err(-ENAMETOOLONG, "Cgroup path '%s' is too long", path);
	strcpy(ret_path, path);
	pr_debug("CT %s: cgroup %s", ct->id, path);
	return 0;
}

int ct_cgroup_attach(const char *cg, pid_t pid)
{
	char path[CT_PATH_MAX + 16], buf[32];
	_cleanup_close_ int fd = -EBADF;
	int n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	n = snprintf(buf, sizeof(buf), "%d", pid);
	if (write(fd, buf, n) != n)
		return log_perr(-errno, "Failed to move %d into '%s'", pid, cg);
	return 0;
}

/*
 * Remove the CT's cgroup, then its parent if empty. The last tasks of a
 * killed pid namespace can take a moment to leave: retry on EBUSY for ~5 s.
 */
int ct_cgroup_remove(const char *cg)
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
