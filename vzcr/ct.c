// SPDX-License-Identifier: GPL-2.0-only
/* Containers: CTIDs, paths under $VZCR_ROOT, the per-CT lock and runtime state. */
#define LOG_PREFIX "ct: "
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "log.h"

/*
 * A CTID is a number or a name of [a-z0-9-] that does not start with '-':
 * it becomes part of file names, cgroup names and veth names, so nothing
 * that could walk a path ('/', "..") or hide in a listing is allowed.
 */
bool ct_id_valid(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > CTID_MAX || id[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)id[i]) && !isdigit((unsigned char)id[i]) && id[i] != '-')
			return false;
	return true;
}

int ct_init(struct ct *ct, const char *id)
{
	const char *root = getenv("VZCR_ROOT");
	size_t n;

	memset(ct, 0, sizeof(*ct));
	ct->lock_fd = -EBADF;
	if (!ct_id_valid(id))
		return log_err(-EINVAL, "Invalid CTID '%s': want a number or a name of a-z, 0-9 and '-' (at most %d)",
			       id, CTID_MAX);
	strcpy(ct->id, id);
	if (!root || !*root)
		root = "/";
	if (root[0] != '/')
		return log_err(-EINVAL, "VZCR_ROOT '%s' is not an absolute path", root);
	n = strlen(root);
	if (n >= sizeof(ct->root))
		return log_err(-ENAMETOOLONG, "VZCR_ROOT is too long");
	memcpy(ct->root, root, n + 1);
	while (n > 0 && ct->root[n - 1] == '/')
		ct->root[--n] = '\0';
	return 0;
}

int ct_path(const struct ct *ct, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s", ct->root);
	if (n < 0 || (size_t)n >= len)
		return log_err(-ENAMETOOLONG, "Path under '%s' is too long", ct->root);
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - n)
		return log_err(-ENAMETOOLONG, "Path under '%s' is too long", ct->root);
	return 0;
}

int ct_mkdir_p(const char *path, mode_t mode)
{
	char buf[CT_PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return log_err(-ENAMETOOLONG, "Path '%s' is too long", path);
	strcpy(buf, path);
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return log_perr(-errno, "Failed to create '%s'", buf);
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

int ct_lock(struct ct *ct)
{
	char path[CT_PATH_MAX];
	int ret;

	ret = ct_path(ct, path, sizeof(path), "/var/run/vzcr");
	if (ret < 0)
		return ret;
	ret = ct_mkdir_p(path, 0755);
	if (ret < 0)
		return ret;
	ret = ct_path(ct, path, sizeof(path), "/var/run/vzcr/%s.lock", ct->id);
	if (ret < 0)
		return ret;
	ct->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (ct->lock_fd < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	if (flock(ct->lock_fd, LOCK_EX) < 0)
		return log_perr(-errno, "Failed to lock '%s'", path);
	return 0;
}

void ct_unlock(struct ct *ct)
{
	closep(&ct->lock_fd);
	ct->lock_fd = -EBADF;
}

void ct_unlock_remove(struct ct *ct)
{
	char path[CT_PATH_MAX];

	if (ct_path(ct, path, sizeof(path), "/var/run/vzcr/%s.lock", ct->id) == 0)
		unlink(path);
	ct_unlock(ct);
}

bool ct_exists(const struct ct *ct)
{
	char path[CT_PATH_MAX];

	if (ct_path(ct, path, sizeof(path), "/etc/vzcr/conf/%s.conf", ct->id) < 0)
		return false;
	return access(path, F_OK) == 0;
}

/* starttime (field 22) of /proc/@pid/stat; 0 if the process is gone. */
unsigned long long ct_proc_starttime(pid_t pid)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof(buf), f))
		return 0;
	p = strrchr(buf, ')');	/* comm may hold spaces and parens */
	if (!p || p[1] != ' ' || p[2] == 'Z')
		return 0;
	/* after ") " come field 3 (state) ... field 22 (starttime) */
	for (i = 3, p += 2; i < 22 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		st = strtoull(p, NULL, 10);
	return st;
}

static int state_path(const struct ct *ct, char *buf, size_t len)
{
	return ct_path(ct, buf, len, "/var/run/vzcr/%s.state", ct->id);
}

int ct_state_write(const struct ct *ct, const struct ct_state *st)
{
	char path[CT_PATH_MAX], tmp[CT_PATH_MAX + 8];
	_cleanup_fclose_ FILE *f = NULL;
	int ret;

	ret = state_path(ct, path, sizeof(path));
	if (ret < 0)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "we");
	if (!f)
		return log_perr(-errno, "Failed to create '%s'", tmp);
	fprintf(f, "INIT_PID=%d\nINIT_START=%llu\nVETH_HOST=%s\nCGROUP=%s\n",
		st->init_pid, st->init_start, st->veth_host, st->cgroup);
	if (fflush(f) != 0 || ferror(f))
		return log_perr(-EIO, "Failed to write '%s'", tmp);
	if (rename(tmp, path) < 0)
		return log_perr(-errno, "Failed to rename '%s'", tmp);
	return 0;
}

static int copy_field(char *dst, size_t len, const char *src)
{
	if (strlen(src) >= len)
		return -EPROTO;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* Read the state file; -ENOENT if there is none. Written by us, but still checked. */
static int state_read(const struct ct *ct, struct ct_state *st)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[CT_PATH_MAX], line[CT_PATH_MAX + 16];
	int ret;

	ret = state_path(ct, path, sizeof(path));
	if (ret < 0)
		return ret;
	memset(st, 0, sizeof(*st));
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENOENT : log_perr(-errno, "Failed to open '%s'", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "INIT_PID=", 9))
			st->init_pid = atoi(line + 9);
		else if (!strncmp(line, "INIT_START=", 11))
			st->init_start = strtoull(line + 11, NULL, 10);
		else if (!strncmp(line, "VETH_HOST=", 10))
			ret = copy_field(st->veth_host, sizeof(st->veth_host), line + 10);
		else if (!strncmp(line, "CGROUP=", 7))
			ret = copy_field(st->cgroup, sizeof(st->cgroup), line + 7);
		if (ret < 0)
			return log_err(ret, "State file '%s': line '%s' is too long", path, line);
	}
	if (st->init_pid <= 0)
		return log_err(-EPROTO, "State file '%s' has no valid INIT_PID", path);
	return 0;
}

int ct_state_remove(const struct ct *ct)
{
	char path[CT_PATH_MAX];
	int ret;

	ret = state_path(ct, path, sizeof(path));
	if (ret < 0)
		return ret;
	if (unlink(path) < 0 && errno != ENOENT)
		return log_perr(-errno, "Failed to remove '%s'", path);
	return 0;
}

int ct_running(struct ct *ct, struct ct_state *ret_st)
{
	struct ct_state st;
	int ret;

	ret = state_read(ct, &st);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	if (ct_proc_starttime(st.init_pid) == st.init_start && st.init_start) {
		if (ret_st)
			*ret_st = st;
		return 1;
	}
	/* init died without `vzcr stop`: clean what it left */
	pr_info("CT %s: init %d is gone, cleaning up its state", ct->id, st.init_pid);
	ct_net_host_cleanup(st.veth_host);
	if (st.cgroup[0])
		ct_cgroup_remove(st.cgroup);
	ct_state_remove(ct);
	return 0;
}

int ct_run_prog(char *const argv[], bool quiet)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return log_perr(-errno, "Failed to fork for '%s'", argv[0]);
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, STDOUT_FILENO);
				dup2(fd, STDERR_FILENO);
			}
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return log_perr(-errno, "Failed to wait for '%s'", argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	return 0;
}

int ct_open(struct ct *ct, const char *id)
{
	int ret;

	ret = ct_init(ct, id);
	if (ret < 0)
		return ret;
	/* no lock file for a CT that does not exist: a refusal changes nothing */
	if (!ct_exists(ct))
		return log_err(-ENOENT, "CT %s does not exist", ct->id);
	ret = ct_lock(ct);
	if (ret < 0)
		return ret;
	ret = ct_conf_read(ct);
	if (ret < 0)
		ct_unlock(ct);
	return ret;
}
