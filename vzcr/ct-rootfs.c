// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "busybox" template: a root filesystem made from the host's static
 * busybox (Debian's busybox-static, /bin/busybox) with no download: /bin
 * with one link per applet, a minimal /etc whose inittab runs /etc/init.d/rcS
 * (hostname, lo and the CT's IP), and empty /proc /sys /dev /tmp /run;
 * in VE_PRIVATE, or in an ext4 image there when DISK is set (ct-disk.c).
 */
#define LOG_PREFIX "rootfs: "
#define _XOPEN_SOURCE_EXTENDED 1
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "io.h"
#include "log.h"

#define BUSYBOX "/bin/busybox"

static const char inittab[] =
	"# vzcr busybox template: no getty, no shell on a console\n"
	"::sysinit:/etc/init.d/rcS\n"
	"::shutdown:/bin/sync\n";

/*
 * Brings up lo and the CT's address from /etc/vzcr-net (written by
 * `vzcr start`, which already set them up: redoing it is harmless and keeps
 * the CT right if its network was reset from inside).
 */
static const char rcs[] =
	"#!/bin/sh\n"
	"# vzcr busybox template: runs once at boot from /etc/inittab\n"
	"hostname -F /etc/hostname 2>/dev/null\n"
	"ip link set lo up\n"
	"if [ -r /etc/vzcr-net ]; then\n"
	"\t. /etc/vzcr-net\n"
	"\tif [ -n \"$IP_ADDRESS\" ]; then\n"
	"\t\tip addr add \"$IP_ADDRESS/32\" dev eth0 2>/dev/null\n"
	"\t\tip link set eth0 up\n"
	"\t\tip route add \"$HOST_IP\" dev eth0 2>/dev/null\n"
	"\t\tip route add default via \"$HOST_IP\" 2>/dev/null\n"
	"\tfi\n"
	"fi\n"
	"exit 0\n";

/* snprintf that the callers' checks of the base length make safe; a cut path fails later */
static void subpath(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void subpath(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(buf, len, fmt, ap) >= (int)len)
		buf[0] = '\0';	/* open("") fails with ENOENT instead of using a cut name */
	va_end(ap);
}

static int write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[CT_PATH_MAX];
	_cleanup_close_ int fd = -EBADF;

	subpath(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return log_perr(-errno, "Failed to create '%s'", path);
	if (write_full(fd, text, strlen(text)) < 0)
		return log_perr(-errno, "Failed to write '%s'", path);
	return 0;
}

static int copy_busybox(const char *dir)
{
	char path[CT_PATH_MAX], buf[65536];
	_cleanup_close_ int in = -EBADF, out = -EBADF;
	ssize_t n;

	in = open(BUSYBOX, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return log_perr(-errno, "Failed to open '%s' (install busybox-static: scripts/deps.sh)",
				BUSYBOX);
	subpath(path, sizeof(path), "%s/bin/busybox", dir);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out < 0)
		return log_perr(-errno, "Failed to create '%s'", path);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_full(out, buf, n) < 0)
			return log_perr(-errno, "Failed to write '%s'", path);
	if (n < 0)
		return log_perr(-errno, "Failed to read '%s'", BUSYBOX);
	return 0;
}

/* One symlink bin/APPLET -> busybox per line of `busybox --list`. */
static int link_applets(const char *dir)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[CT_PATH_MAX], name[128];
	int fds[2], status, ret = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to create a pipe");
	pid = fork();
	if (pid < 0)
		return log_perr(-errno, "Failed to fork");
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execl(BUSYBOX, "busybox", "--list", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (f && fgets(name, sizeof(name), f)) {
		name[strcspn(name, "\n")] = '\0';
		if (!*name || strchr(name, '/') || !strcmp(name, "busybox"))
			continue;
		subpath(path, sizeof(path), "%s/bin/%s", dir, name);
		if (symlink("busybox", path) < 0 && !ret)
			ret = log_perr(-errno, "Failed to create '%s'", path);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return log_err(-ECHILD, "Failed to list the applets of '%s'", BUSYBOX);
	return ret;
}

static int make_dirs(const char *dir)
{
	static const struct { const char *name; mode_t mode; } dirs[] = {
		{ "bin", 0755 }, { "sbin", 0755 }, { "etc", 0755 }, { "etc/init.d", 0755 },
		{ "proc", 0555 }, { "sys", 0555 }, { "dev", 0755 }, { "tmp", 01777 },
		{ "run", 0755 }, { "root", 0700 }, { "var", 0755 }, { "usr", 0755 },
	};
	char path[CT_PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		subpath(path, sizeof(path), "%s/%s", dir, dirs[i].name);
		if (mkdir(path, dirs[i].mode) < 0)
			return log_perr(-errno, "Failed to create '%s'", path);
		if (chmod(path, dirs[i].mode) < 0)	/* umask */
			return log_perr(-errno, "Failed to chmod '%s'", path);
	}
	subpath(path, sizeof(path), "%s/sbin/init", dir);
	if (symlink("../bin/busybox", path) < 0)
		return log_perr(-errno, "Failed to create '%s'", path);
	return 0;
}

static int write_etc(const struct ct *ct, const char *dir)
{
	char etc[CT_PATH_MAX], host[80];
	int ret;

	subpath(etc, sizeof(etc), "%s/etc", dir);
	snprintf(host, sizeof(host), "%s\n", ct->conf.hostname[0] ? ct->conf.hostname : ct->id);
	if ((ret = write_file(etc, "passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644)) < 0 ||
	    (ret = write_file(etc, "group", "root:x:0:\n", 0644)) < 0 ||
	    (ret = write_file(etc, "hostname", host, 0644)) < 0 ||
	    (ret = write_file(etc, "inittab", inittab, 0644)) < 0 ||
	    (ret = write_file(etc, "init.d/rcS", rcs, 0755)) < 0)
		return ret;
	return 0;
}

static int build_tree(const struct ct *ct, const char *dir)
{
	int ret;

	if ((ret = make_dirs(dir)) < 0 || (ret = copy_busybox(dir)) < 0 ||
	    (ret = link_applets(dir)) < 0 || (ret = write_etc(ct, dir)) < 0)
		return ret;
	return 0;
}

/*
 * The tree goes into VE_PRIVATE itself, or with DISK into a temporary
 * directory there that mke2fs copies into the image and that is removed.
 */
int ct_rootfs_create(const struct ct *ct)
{
	char dir[CT_PATH_MAX], tree[CT_PATH_MAX + 16];
	int ret;

	ret = ct_private_dir(ct, dir, sizeof(dir));
	if (ret < 0)
		return ret;
	if (access(dir, F_OK) == 0)
		return log_err(-EEXIST, "Private area '%s' of CT %s already exists", dir, ct->id);
	ret = ct_mkdir_p(dir, 0755);
	if (ret < 0)
		return ret;
	snprintf(tree, sizeof(tree), "%s%s", dir, ct->conf.disk[0] ? "/root.tmp" : "");
	if (ct->conf.disk[0] && mkdir(tree, 0755) < 0)
		ret = log_perr(-errno, "Failed to create '%s'", tree);
	if (ret == 0)
		ret = build_tree(ct, tree);
	if (ret == 0 && ct->conf.disk[0]) {
		ret = ct_disk_create(ct, tree);
		if (ret == 0)
			ret = ct_rm_rf(tree);
	}
	if (ret < 0)
		ct_rm_rf(dir);
	return ret;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		return log_perr(-errno, "Failed to remove '%s'", path);
	return 0;
}

int ct_rm_rf(const char *path)
{
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	/* FTW_MOUNT: never step into something mounted inside */
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int ct_rootfs_destroy(const struct ct *ct)
{
	char dir[CT_PATH_MAX];
	int ret;

	/* a crash may have left the image mounted or bound to a loop device */
	ret = ct_disk_umount(ct);
	if (ret < 0 && ret != -EBUSY)	/* busy: the image file goes when released */
		return ret;
	ret = ct_private_dir(ct, dir, sizeof(dir));
	if (ret < 0)
		return ret;
	ret = ct_rm_rf(dir);
	if (ret < 0)
		return ret;
	ret = ct_root_dir(ct, dir, sizeof(dir));
	if (ret < 0)
		return ret;
	if (rmdir(dir) < 0 && errno != ENOENT)
		return log_perr(-errno, "Failed to remove '%s'", dir);
	return 0;
}
