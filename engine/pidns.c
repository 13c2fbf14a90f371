// SPDX-License-Identifier: GPL-2.0-only
/* Translate between host pids and the pids a CT sees (/proc NSpid lines). */
#define LOG_PREFIX "pidns: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "io.h"
#include "log.h"
#include "pidns.h"

/* The last number on the line "KEY:\t..." of @buf (-1 if none); *n counts them. */
static pid_t last_field(const char *buf, const char *key, int *nr)
{
	size_t klen = strlen(key);
	const char *p = buf, *nl;
	pid_t v = -1;

	while (p && *p) {
		nl = strchr(p, '\n');
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			char *end;

			for (p += klen + 1; p < (nl ? nl : p + strlen(p)); p = end) {
				long n = strtol(p, &end, 10);

				if (end == p)
					break;
				v = n;
				(*nr)++;
			}
			return v;
		}
		p = nl ? nl + 1 : NULL;
	}
	return -1;
}

/* Quiet: the lookups below try tasks that may be gone. */
static int read_ids(pid_t pid, pid_t tid, struct pidns_ids *ret)
{
	_cleanup_free_ char *buf = NULL;
	char path[64];
	int dummy = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	n = read_file_at(AT_FDCWD, path, 1 << 16, &buf);
	if (n < 0)
		return (int)n;
	ret->levels = 0;
	ret->pid = last_field(buf, "NSpid", &ret->levels);
	ret->pgid = last_field(buf, "NSpgid", &dummy);
	ret->sid = last_field(buf, "NSsid", &dummy);
	return ret->pid <= 0 || ret->pgid < 0 || ret->sid < 0 ? -EPROTO : 0;
}

int pidns_ids(pid_t pid, pid_t tid, struct pidns_ids *ret)
{
	int err = read_ids(pid, tid, ret);

	if (err == -EPROTO)
		return log_err(err, "/proc/%d/task/%d/status: no NSpid, NSpgid or NSsid", pid, tid);
	if (err)
		return log_perr(err, "Failed to read /proc/%d/task/%d/status", pid, tid);
	return 0;
}

int pidns_find_thread(pid_t pid, pid_t vtid, pid_t *ret)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct pidns_ids ids;
	struct dirent *de;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return log_perr(-errno, "Failed to open '%s'", path);
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);

		if (tid <= 0 || read_ids(pid, tid, &ids) < 0)
			continue;
		if (ids.pid == vtid) {
			*ret = tid;
			return 0;
		}
	}
	return log_err(-ESRCH, "Task %d has no thread %d in its pid namespace", pid, vtid);
}

int pidns_find_child(pid_t parent, pid_t vpid, pid_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], *p, *end;
	struct pidns_ids ids;
	ssize_t n;

	/* skeletons are single-threaded: their children are all the leader's */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	n = read_file_at(AT_FDCWD, path, 1 << 20, &buf);
	if (n < 0)
		return log_perr((int)n, "Failed to read '%s'", path);
	for (p = buf; *p; p = end) {
		pid_t c = strtol(p, &end, 10);

		if (end == p)
			break;
		if (read_ids(c, c, &ids) == 0 && ids.pid == vpid) {
			*ret = c;
			return 0;
		}
	}
	return log_err(-ESRCH, "Task %d has no child %d in its pid namespace", parent, vpid);
}
