// SPDX-License-Identifier: GPL-2.0-only
/*
 * A private tracefs instance: its own ring buffers, events and filters, so
 * that it never disturbs (or is disturbed by) other tracing on the host.
 * Instances are named PREFIX-PID-N; one whose PID is gone was left by a
 * killed run and is removed by the next one.
 */
#define LOG_PREFIX "ploopsync: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "log.h"
#include "tracefs.h"
#include "xmalloc.h"

#define TRACEFS_MAGIC	0x74726163
#define INSTANCES	TFS_ROOT "/instances"
#define SMALL_FILE	(64u << 10)

static int ensure_mounted(void)
{
	struct statfs sfs;

	if (!statfs(TFS_ROOT, &sfs) && sfs.f_type == TRACEFS_MAGIC)
		return 0;
	if (mount("nodev", TFS_ROOT, "tracefs", 0, NULL))
		return log_perr(-errno, "Failed to mount tracefs on '%s'", TFS_ROOT);
	pr_info("tracepoint: mounted tracefs on %s", TFS_ROOT);
	return 0;
}

/* Remove PREFIX-PID-N instances of processes that are gone. */
static void sweep_stale(const char *prefix)
{
	_cleanup_closedir_ DIR *d = opendir(INSTANCES);
	size_t plen = strlen(prefix);
	struct dirent *de;
	unsigned int n;
	int pid;

	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, plen) || de->d_name[plen] != '-' ||
		    sscanf(de->d_name + plen + 1, "%d-%u", &pid, &n) != 2 || pid <= 0)
			continue;
		if (pid == getpid() || !kill(pid, 0) || errno != ESRCH)
			continue;
		/* an instance still read by someone is busy and stays */
		if (!unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR))
			pr_info("tracepoint: removed the instance '%s' of a run that is gone", de->d_name);
	}
}

int tfs_read(struct tfs_instance *ti, const char *path, char **ret)
{
	ssize_t n = read_file_at(ti->dirfd, path, SMALL_FILE, ret);

	if (n < 0)
		return log_perr((int)n, "Failed to read '%s/%s/%s'", INSTANCES, ti->name, path);
	return 0;
}

int tfs_write(struct tfs_instance *ti, const char *path, const char *val)
{
	int ret = write_file_at(ti->dirfd, path, val);

	if (ret)
		return log_perr(ret, "Failed to write '%s' to '%s/%s/%s'", val, INSTANCES, ti->name, path);
	return 0;
}

/* The page layout (events/header_page) and the sub-buffer size one read returns. */
static int page_format(struct tfs_instance *ti)
{
	_cleanup_free_ char *hdr = NULL, *kb = NULL;
	struct tfs_field data;
	unsigned long sub = 0;
	int ret;

	ret = tfs_read(ti, "events/header_page", &hdr);
	if (ret)
		return ret;
	if (tfs_find_field(hdr, "commit", &ti->page.commit) || tfs_find_field(hdr, "data", &data) ||
	    (ti->page.commit.size != 4 && ti->page.commit.size != 8) ||
	    data.offset < ti->page.commit.offset + ti->page.commit.size)
		return log_err(-EPROTO, "Unexpected layout in '%s/%s/events/header_page' (fields commit, data)",
			       INSTANCES, ti->name);
	ti->page.data = data.offset;
	/* kernels before 6.8 have no sub-buffer size: a sub-buffer is a page */
	if (read_file_at(ti->dirfd, "buffer_subbuf_size_kb", SMALL_FILE, &kb) > 0)
		sub = strtoul(kb, NULL, 10) * 1024;
	if (!sub)
		sub = (unsigned long)sysconf(_SC_PAGESIZE);
	if (sub <= ti->page.data || sub > (64u << 20))
		return log_err(-EPROTO, "Unexpected trace sub-buffer size %lu in instance '%s'", sub, ti->name);
	ti->page.page_size = sub;
	ti->buf = xmalloc(sub);
	return ti->buf ? 0 : -ENOMEM;
}

static int open_cpu_pipes(struct tfs_instance *ti)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	unsigned int cpu;
	char path[64];
	int fd;

	fd = openat(ti->dirfd, "per_cpu", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d)
		return log_perr(-errno, "Failed to open '%s/%s/per_cpu'", INSTANCES, ti->name);
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "cpu%u", &cpu) != 1)
			continue;
		snprintf(path, sizeof(path), "per_cpu/cpu%u/trace_pipe_raw", cpu);
		fd = openat(ti->dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return log_perr(-errno, "Failed to open '%s/%s/%s'", INSTANCES, ti->name, path);
		ti->pipe = xrealloc(ti->pipe, (ti->nr_cpus + 1) * sizeof(*ti->pipe));
		ti->cpu = xrealloc(ti->cpu, (ti->nr_cpus + 1) * sizeof(*ti->cpu));
		if (!ti->pipe || !ti->cpu) {
			close(fd);
			return -ENOMEM;
		}
		ti->pipe[ti->nr_cpus] = fd;
		ti->cpu[ti->nr_cpus++] = cpu;
	}
	if (!ti->nr_cpus)
		return log_err(-ENOENT, "No per-CPU buffers in '%s/%s/per_cpu'", INSTANCES, ti->name);
	return 0;
}

/* mkdir instances/PREFIX-PID-N with the first free N; sets ti->name and ti->dirfd. */
static int make_instance(struct tfs_instance *ti, const char *prefix)
{
	static unsigned int seq;
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int dfd = open(INSTANCES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int i;

	if (dfd < 0)
		return log_perr(-errno, "Failed to open '%s'", INSTANCES);
	for (i = 0; i < 100; i++) {
		free(name);
		name = xsprintf("%s-%d-%u", prefix, getpid(), seq++);
		if (!name)
			return -ENOMEM;
		if (!mkdirat(dfd, name, 0700))
			break;
		if (errno != EEXIST)
			return log_perr(-errno, "Failed to create the tracefs instance '%s/%s'", INSTANCES, name);
	}
	if (i == 100)
		return log_err(-EEXIST, "Failed to find a free tracefs instance name like '%s/%s'", INSTANCES, name);
	ti->name = TAKE_PTR(name);
	ti->dirfd = openat(dfd, ti->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ti->dirfd < 0)
		return log_perr(-errno, "Failed to open '%s/%s'", INSTANCES, ti->name);
	return 0;
}

int tfs_instance_create(struct tfs_instance *ti, const char *prefix, unsigned int buffer_kb)
{
	char kb[24];
	int ret;

	*ti = (struct tfs_instance){ .dirfd = -EBADF };
	ret = ensure_mounted();
	if (ret)
		return ret;
	sweep_stale(prefix);
	ret = make_instance(ti, prefix);
	if (ret)
		goto err;
	if (buffer_kb) {
		snprintf(kb, sizeof(kb), "%u", buffer_kb);
		ret = tfs_write(ti, "buffer_size_kb", kb);
		if (ret)
			goto err;
	}
	ret = page_format(ti);
	if (!ret)
		ret = open_cpu_pipes(ti);
	if (ret)
		goto err;
	return 0;
err:
	tfs_instance_remove(ti);
	return ret;
}

void tfs_instance_remove(struct tfs_instance *ti)
{
	unsigned int i;

	/* the kernel refuses to remove an instance whose buffers are open */
	for (i = 0; i < ti->nr_cpus; i++)
		close(ti->pipe[i]);
	if (ti->dirfd >= 0)
		close(ti->dirfd);
	if (ti->name) {
		char *path = xsprintf("%s/%s", INSTANCES, ti->name);

		if (path && rmdir(path))
			pr_warn("Failed to remove the tracefs instance '%s': %m, ignoring", path);
		free(path);
	}
	free(ti->name);
	free(ti->pipe);
	free(ti->cpu);
	free(ti->buf);
	*ti = (struct tfs_instance){ .dirfd = -EBADF };
}

int tfs_lost_events(struct tfs_instance *ti, uint64_t *ret)
{
	static const char *const keys[] = { "overrun: ", "commit overrun: ", "dropped events: " };
	uint64_t sum = 0;
	unsigned int i, k, seen;
	char path[64];
	int err;

	for (i = 0; i < ti->nr_cpus; i++) {
		_cleanup_free_ char *st = NULL;
		const char *line;

		snprintf(path, sizeof(path), "per_cpu/cpu%u/stats", ti->cpu[i]);
		err = tfs_read(ti, path, &st);
		if (err)
			return err;
		seen = 0;
		for (line = st; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
			for (k = 0; k < ARRAY_SIZE(keys); k++)
				if (!strncmp(line, keys[k], strlen(keys[k]))) {
					sum += strtoull(line + strlen(keys[k]), NULL, 10);
					seen |= 1u << k;
				}
		/* without the counters a loss could go unseen: refuse */
		if (!(seen & 1) || !(seen & 4))
			return log_err(-EPROTO, "No overrun/dropped events counters in '%s/%s/%s'",
				       INSTANCES, ti->name, path);
	}
	*ret = sum;
	return 0;
}

int tfs_drain(struct tfs_instance *ti, uint16_t type, tfs_record_fn fn, void *arg, bool *ret_missed)
{
	unsigned int i;
	ssize_t n;
	int ret;

	for (i = 0; i < ti->nr_cpus; i++) {
		for (;;) {
			n = read(ti->pipe[i], ti->buf, ti->page.page_size);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN)
				break;
			if (n < 0)
				return log_perr(-errno, "Failed to read the trace buffer of CPU %u in '%s/%s'",
						ti->cpu[i], INSTANCES, ti->name);
			if (n == 0)
				break;
			ret = tfs_parse_page(&ti->page, ti->buf, (size_t)n, type, fn, arg, ret_missed);
			if (ret)
				return ret;
		}
	}
	return 0;
}
