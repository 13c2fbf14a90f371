// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat cgroup probes: where cgroup v2 and the v1 freezer are mounted
 * (/proc/self/mountinfo), and whether their freezer knobs exist. A root
 * cgroup has no freezer knobs, so they are looked for in our own cgroup,
 * then in any existing child cgroup, and last in a temporary child cgroup
 * that is removed again.
 */
#define LOG_PREFIX "kerndat: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "kerndat-probe.h"
#include "log.h"

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
			s += 3;
		} else {
			*d = *s;
		}
	}
	*d = '\0';
}

static bool has_opt(const char *opts, const char *opt)
{
	size_t len = strlen(opt);
	const char *p;

	for (p = opts; (p = strstr(p, opt)); p += len)
		if ((p == opts || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

/* Keep the first mount point found for a field; skip one that does not fit. */
static void set_mnt(char *dst, size_t size, const char *mnt)
{
	size_t len = strlen(mnt);

	if (dst[0])
		return;
	if (len >= size) {
		pr_warn("Mount point '%s' is too long for kerndat, ignoring", mnt);
		return;
	}
	memcpy(dst, mnt, len + 1);
}

/* Fill the mount points of the first cgroup2 and v1 freezer mounts. */
static int scan_mountinfo(struct kerndat *kd)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[4096], type[64], opts[1024];
	const char *sep;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep, " - %63s %*s %1023s", type, opts) != 2)
			continue;
		unescape(mnt);
		if (!strcmp(type, "cgroup2"))
			set_mnt(kd->cgroup2_path, sizeof(kd->cgroup2_path), mnt);
		if (!strcmp(type, "cgroup") && has_opt(opts, "freezer"))
			set_mnt(kd->freezer_v1_path, sizeof(kd->freezer_v1_path), mnt);
	}
	return 0;
}

/* Our cgroup in the hierarchy whose /proc/self/cgroup controller field is @ctl. */
static void own_cgroup(const char *ctl, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096], *c, *path;

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		c = strchr(line, ':');
		path = c ? strchr(c + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		if (!strcmp(c + 1, ctl) || (ctl[0] && has_opt(c + 1, ctl))) {
			snprintf(buf, len, "%s", path);
			return;
		}
	}
}

/* Does some existing non-root cgroup of @mnt have @knob? */
static bool knob_in_children(const char *mnt, const char *knob)
{
	_cleanup_closedir_ DIR *d = opendir(mnt);
	char path[4096 + 256];
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", mnt, e->d_name, knob);
		if (!access(path, F_OK))
			return true;
	}
	return false;
}

/* Make a temporary child cgroup, look for @knob in it, remove it. */
static int knob_in_temp(const char *mnt, const char *knob)
{
	char dir[4096], path[4096 + 64];
	bool found;

	snprintf(dir, sizeof(dir), "%s/vzcr-kerndat-%d", mnt, getpid());
	if (mkdir(dir, 0700))
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", dir, knob);
	found = !access(path, F_OK);
	if (rmdir(dir))
		pr_warn("Failed to remove probe cgroup '%s': %m, ignoring", dir);
	return found;
}

/*
 * Look for @knob in a non-root cgroup of the hierarchy at @mnt: ours (@own),
 * an existing one, or a temporary one. 1 found, 0 not, -errno cannot tell.
 */
static int find_knob(const char *mnt, const char *own, const char *knob)
{
	char path[4096 + 4096 + 64];

	if (own[0] && strcmp(own, "/")) {
		snprintf(path, sizeof(path), "%s%s/%s", mnt, own, knob);
		if (!access(path, F_OK))
			return 1;
	}
	if (knob_in_children(mnt, knob))
		return 1;
	return knob_in_temp(mnt, knob);
}

static void probe_cgroup2(struct kerndat *kd)
{
	char own[4096];
	int r;

	if (!kd->cgroup2_path[0]) {
		kd_set(kd, KD_CGROUP2, false, "no cgroup2 mount");
		return;
	}
	own_cgroup("", own, sizeof(own));
	r = find_knob(kd->cgroup2_path, own, "cgroup.freeze");
	kd->cgroup2_freeze = r > 0;
	if (r < 0)
		kd_set(kd, KD_CGROUP2, false,
		       "mounted at %s; cannot tell if cgroup.freeze exists: %s",
		       kd->cgroup2_path, kd_errname(r));
	else
		kd_set(kd, KD_CGROUP2, r > 0, "mounted at %s; cgroup.freeze %s", kd->cgroup2_path,
		       r > 0 ? "present" : "missing");
}

/* Is the v1 freezer controller in the kernel (a "freezer" line in /proc/cgroups)? */
static bool freezer_v1_in_kernel(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/cgroups", "re");
	char name[64];
	int hier, num, enabled;

	while (f && fscanf(f, "%63s %d %d %d", name, &hier, &num, &enabled) == 4)
		if (!strcmp(name, "freezer"))
			return enabled;
	return false;
}

static void probe_freezer_v1(struct kerndat *kd)
{
	char own[4096];
	int r;

	kd->freezer_v1_avail = freezer_v1_in_kernel();
	if (!kd->freezer_v1_path[0]) {
		kd_set(kd, KD_FREEZER_V1, false, "%s", kd->freezer_v1_avail ?
		       "available in the kernel but not mounted" : "not in this kernel");
		return;
	}
	own_cgroup("freezer", own, sizeof(own));
	r = find_knob(kd->freezer_v1_path, own, "freezer.state");
	if (r < 0)
		kd_set(kd, KD_FREEZER_V1, false,
		       "mounted at %s; cannot tell if freezer.state exists: %s",
		       kd->freezer_v1_path, kd_errname(r));
	else
		kd_set(kd, KD_FREEZER_V1, r > 0, "mounted at %s; freezer.state %s",
		       kd->freezer_v1_path, r > 0 ? "present" : "missing");
}

void kd_probe_cgroup(struct kerndat *kd)
{
	bool v2, v1;
	int r;

	r = scan_mountinfo(kd);
	if (r) {
		kd_no(kd, KD_CGROUP2, r, "/proc/self/mountinfo");
		kd_no(kd, KD_FREEZER_V1, r, "/proc/self/mountinfo");
		kd_no(kd, KD_FREEZER, r, "/proc/self/mountinfo");
		return;
	}
	probe_cgroup2(kd);
	probe_freezer_v1(kd);
	v2 = kd->feat[KD_CGROUP2].have;
	v1 = kd->feat[KD_FREEZER_V1].have;
	if (v2 && v1)
		kd_set(kd, KD_FREEZER, true, "v2 cgroup.freeze and v1 freezer");
	else if (v2 || v1)
		kd_set(kd, KD_FREEZER, true, "%s", v2 ? "v2 cgroup.freeze" : "v1 freezer");
	else
		kd_set(kd, KD_FREEZER, false, "neither cgroup v2 cgroup.freeze nor a v1 freezer");
}
