// SPDX-License-Identifier: GPL-2.0-only
/* Freeze and thaw a CT's cgroup (v2 cgroup.freeze or the v1 freezer). */
#define LOG_PREFIX "freezer: "
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "freezer.h"
#include "io.h"
#include "log.h"
#include "xmalloc.h"

#define FREEZE_TIMEOUT_MS	10000
#define FREEZE_POLL_MS		5

static int cg_file(const struct freezer *f, const char *name, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s", f->path, name) >= len)
		return log_err(-ENAMETOOLONG, "Cgroup path '%s' is too long", f->path);
	return 0;
}

int freezer_init(struct freezer *f, const char *cg)
{
	char p[PATH_MAX + 32];

	memset(f, 0, sizeof(*f));
	if (strlen(cg) >= sizeof(f->path))
		return log_err(-ENAMETOOLONG, "Cgroup path '%s' is too long", cg);
	strcpy(f->path, cg);
	cg_file(f, "cgroup.freeze", p, sizeof(p));
	if (access(p, F_OK) == 0) {
		f->v2 = true;
		return 0;
	}
	cg_file(f, "freezer.state", p, sizeof(p));
	if (access(p, F_OK) == 0)
		return 0;
	return log_err(-ENOENT, "Cgroup '%s' has neither cgroup.freeze nor freezer.state", cg);
}

static int write_cg(const struct freezer *f, const char *name, const char *val)
{
	char p[PATH_MAX + 32];
	int err = cg_file(f, name, p, sizeof(p));

	if (!err)
		err = write_file_at(AT_FDCWD, p, val);
	return err < 0 ? log_perr(err, "Failed to write '%s' to '%s'", val, p) : 0;
}

/* Is the cgroup frozen now? v2: "frozen 1" in cgroup.events; v1: FROZEN. */
static int is_frozen(const struct freezer *f)
{
	_cleanup_free_ char *buf = NULL;
	char p[PATH_MAX + 32];
	ssize_t n;

	cg_file(f, f->v2 ? "cgroup.events" : "freezer.state", p, sizeof(p));
	n = read_file_at(AT_FDCWD, p, 4096, &buf);
	if (n < 0)
		return log_perr((int)n, "Failed to read '%s'", p);
	if (f->v2)
		return strstr(buf, "frozen 1") != NULL;
	return !strncmp(buf, "FROZEN", 6);
}

int freezer_freeze(struct freezer *f)
{
	struct timespec ts = { 0, FREEZE_POLL_MS * 1000000L };
	int i, r;

	for (i = 0; i * FREEZE_POLL_MS < FREEZE_TIMEOUT_MS; i++) {
		/* v1 may stay in FREEZING when a task was busy: ask again */
		if ((f->v2 && i == 0) || (!f->v2 && i % 20 == 0)) {
			r = write_cg(f, f->v2 ? "cgroup.freeze" : "freezer.state",
				     f->v2 ? "1" : "FROZEN");
			if (r < 0)
				return r;
			f->frozen = true;
		}
		r = is_frozen(f);
		if (r)
			return r < 0 ? r : 0;
		nanosleep(&ts, NULL);
	}
	freezer_thaw(f);
	return log_err(-ETIMEDOUT, "Failed to freeze cgroup '%s' in %d s", f->path,
		       FREEZE_TIMEOUT_MS / 1000);
}

int freezer_thaw(struct freezer *f)
{
	int err;

	if (!f->frozen)
		return 0;
	err = write_cg(f, f->v2 ? "cgroup.freeze" : "freezer.state", f->v2 ? "0" : "THAWED");
	if (!err)
		f->frozen = false;
	return err;
}

int freezer_threads(const struct freezer *f, pid_t **ret, int *ret_n)
{
	_cleanup_free_ char *buf = NULL;
	char p[PATH_MAX + 32], *s, *end;
	pid_t *v = NULL;
	int n = 0;
	ssize_t len;

	cg_file(f, f->v2 ? "cgroup.threads" : "tasks", p, sizeof(p));
	len = read_file_at(AT_FDCWD, p, 1 << 22, &buf);
	if (len < 0)
		return log_perr((int)len, "Failed to read '%s'", p);
	for (s = buf; *s; s = end) {
		long t = strtol(s, &end, 10);
		pid_t *nv;

		if (end == s)
			break;
		nv = xrealloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = t;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
