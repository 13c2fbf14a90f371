// SPDX-License-Identifier: GPL-2.0-only
/*
 * A CT's root on a disk image (config key DISK): an ext4 filesystem in a raw
 * sparse file VE_PRIVATE/root.hdd, the file ploopsync copies. While the CT
 * runs the image is attached to a loop device (LOOP_CONFIGURE with
 * autoclear, so the device goes away with the last mount) and mounted on
 * VE_ROOT in the host's mount namespace, where stop unmounts it. Whatever a
 * crash left behind (VE_ROOT still mounted, loop devices still bound to the
 * image) is found by the image's device and inode and cleaned up first.
 */
#define LOG_PREFIX "disk: "
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "log.h"

#define MKE2FS		"/sbin/mke2fs"
#define IMAGE_NAME	"root.hdd"
/* ext4 with a journal and the busybox tree fits in far less; smaller is surely a typo */
#define DISK_MIN	(64ULL << 20)
#define DISK_MAX	(16ULL << 40)	/* ext4's largest file with 4 KiB blocks */

int ct_disk_size_parse(const char *val, const char *what, unsigned long long *ret_bytes)
{
	unsigned long long n = 0, mul = 1024;	/* a bare number is in KiB, as vzctl's DISKSPACE */
	const char *p = val;

	if (!isdigit((unsigned char)*p))
		return log_err(-EINVAL, "%s: '%s' is not a size (a number with K, M, G or T)", what, val);
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (~0ULL - 9) / 10)
			return log_err(-ERANGE, "%s: '%s' is too large", what, val);
		n = n * 10 + (*p - '0');
	}
	if (*p) {
		const char *units = "KMGT", *u = strchr(units, toupper((unsigned char)*p));

		if (!u || p[1])
			return log_err(-EINVAL, "%s: '%s' is not a size (a number with K, M, G or T)",
				       what, val);
		mul = 1ULL << (10 * (u - units + 1));
	}
	if (n > DISK_MAX / mul)
		return log_err(-ERANGE, "%s: '%s' is over the largest disk, 16T", what, val);
	if (n * mul < DISK_MIN)
		return log_err(-ERANGE, "%s: '%s' is too small: a disk needs at least 64M", what, val);
	*ret_bytes = n * mul;
	return 0;
}

int ct_disk_image(const struct ct *ct, char *buf, size_t len)
{
	return ct_path(ct, buf, len, "%s/" IMAGE_NAME, ct->conf.ve_private);
}

int ct_disk_create(const struct ct *ct, const char *tree)
{
	char image[CT_PATH_MAX], label[17];
	unsigned long long size;
	_cleanup_close_ int fd = -EBADF;
	int ret;

	ret = ct_disk_size_parse(ct->conf.disk, "DISK", &size);
	if (ret < 0 || (ret = ct_disk_image(ct, image, sizeof(image))) < 0)
		return ret;
	fd = open(image, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return log_perr(-errno, "Failed to create '%s'", image);
	if (ftruncate(fd, size) < 0)
		return log_perr(-errno, "Failed to size '%s' to %llu bytes", image, size);
	closep(&fd);
	/* an ext4 label holds 16 bytes: a longer CTID is cut */
	memcpy(label, ct->id, strnlen(ct->id, sizeof(label) - 1));
	label[strnlen(ct->id, sizeof(label) - 1)] = '\0';
	/*
	 * -d fills it from the tree, so nothing is mounted at create time. Inode
	 * tables and journal are written now: no lazy-init thread writes into the
	 * image later, while ploopsync may be copying it.
	 */
	char *const argv[] = {
		MKE2FS, "-q", "-F", "-t", "ext4", "-L", label, "-d", (char *)tree,
		"-E", "lazy_itable_init=0,lazy_journal_init=0,nodiscard", image, NULL,
	};
	ret = ct_run_prog(argv, false);
	if (ret < 0)
		return log_err(ret, "Failed to make an ext4 filesystem in '%s' with %s (from e2fsprogs)",
			       image, MKE2FS);
	return 0;
}

/* 1 if @path is the root of a mount, 0 if not, -errno. */
static int is_mount_point(const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
		return errno == ENOENT ? 0 : log_perr(-errno, "Failed to stat '%s'", path);
	if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return log_err(-ENOTSUP, "The kernel does not say whether '%s' is a mount point", path);
	return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* Unmount everything stacked on @root; a busy mount is detached lazily. */
static int umount_root(const struct ct *ct, const char *root)
{
	int i, ret;

	for (i = 0; i < 16; i++) {
		ret = is_mount_point(root);
		if (ret <= 0)
			return ret;
		if (umount2(root, 0) == 0) {
			pr_info("CT %s: unmounted '%s'", ct->id, root);
			continue;
		}
		if (errno != EBUSY)
			return log_perr(-errno, "Failed to unmount '%s'", root);
		pr_warn("CT %s: '%s' is busy, detaching it lazily", ct->id, root);
		if (umount2(root, MNT_DETACH) < 0)
			return log_perr(-errno, "Failed to detach '%s'", root);
	}
	return log_err(-EBUSY, "CT %s: '%s' is still mounted after 16 unmounts", ct->id, root);
}

/* Whether loop device @name (e.g. "loop3") is bound to the file @img. */
static bool loop_backs(const char *name, const struct stat *img)
{
	char path[300], file[CT_PATH_MAX];
	_cleanup_fclose_ FILE *f = NULL;
	struct stat st;

	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name);
	f = fopen(path, "re");
	if (!f || !fgets(file, sizeof(file), f))
		return false;	/* not bound */
	file[strcspn(file, "\n")] = '\0';
	return stat(file, &st) == 0 && st.st_dev == img->st_dev && st.st_ino == img->st_ino;
}

/* Wait up to ~5 s for /dev/@name to be unbound; 0 if it is. */
static int loop_wait_free(const char *name, const struct stat *img)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 250 && loop_backs(name, img); i++)
		nanosleep(&ts, NULL);
	return loop_backs(name, img) ? -EBUSY : 0;
}

/*
 * A process that has /dev/@name mounted in its mount namespace (one made
 * while the image was mounted on VE_ROOT holds a copy of that mount), for
 * the message; 0 if none is found.
 */
static pid_t loop_holder(const char *name)
{
	_cleanup_closedir_ DIR *d = NULL;
	char path[300], devno[32], line[CT_PATH_MAX];
	struct dirent *de;
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "/sys/block/%s/dev", name);
	f = fopen(path, "re");
	if (!f || !fgets(devno, sizeof(devno), f))
		return 0;
	devno[strcspn(devno, "\n")] = '\0';
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		_cleanup_fclose_ FILE *mi = NULL;
		char id[32];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/mountinfo", de->d_name);
		mi = fopen(path, "re");
		while (mi && fgets(line, sizeof(line), mi))
			if (sscanf(line, "%*s %*s %31s", id) == 1 && !strcmp(id, devno))
				return atoi(de->d_name);
	}
	return 0;
}

/*
 * Detach every loop device bound to @img. LOOP_CLR_FD on a device that is
 * still open elsewhere only sets autoclear (kernel 5.x on): wait for it.
 */
static int loop_detach_all(const struct ct *ct, const char *image, const struct stat *img)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int ret = 0;

	d = opendir("/sys/block");
	if (!d)
		return log_perr(-errno, "Failed to open '/sys/block'");
	while ((de = readdir(d))) {
		_cleanup_close_ int fd = -EBADF;
		char dev[300];

		if (strncmp(de->d_name, "loop", 4) || !loop_backs(de->d_name, img))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		fd = open(dev, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (ioctl(fd, LOOP_CLR_FD) < 0 && errno != ENXIO)) {
			ret = log_perr(-errno, "Failed to detach '%s' from '%s'", dev, image);
			continue;
		}
		closep(&fd);
		if (loop_wait_free(de->d_name, img) < 0) {
			/* autoclear is set: it goes when the last mount of it does */
			pr_warn("CT %s: '%s' still holds '%s': it is mounted elsewhere (e.g. by pid %d), ignoring",
				ct->id, dev, image, loop_holder(de->d_name));
			ret = -EBUSY;
		} else
			pr_info("CT %s: detached '%s' from '%s'", ct->id, dev, image);
	}
	return ret;
}

int ct_disk_umount(const struct ct *ct)
{
	char root[CT_PATH_MAX], image[CT_PATH_MAX];
	struct stat img;
	int ret;

	if (!ct->conf.disk[0])
		return 0;
	if ((ret = ct_root_dir(ct, root, sizeof(root))) < 0 ||
	    (ret = ct_disk_image(ct, image, sizeof(image))) < 0)
		return ret;
	ret = umount_root(ct, root);
	if (ret < 0)
		return ret;
	if (stat(image, &img) < 0)
		return errno == ENOENT ? 0 : log_perr(-errno, "Failed to stat '%s'", image);
	return loop_detach_all(ct, image, &img);
}

/* A free loop device bound to @img_fd with autoclear; returns its fd, @ret_dev its path. */
static int loop_attach(int img_fd, const char *image, char *ret_dev, size_t len)
{
	struct loop_config cfg = { .fd = img_fd };
	_cleanup_close_ int ctl = -EBADF;
	int i, n;

	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	/* only a name for people (losetup -l); the kernel knows the file by @img_fd */
	memcpy(cfg.info.lo_file_name, image,
	       strnlen(image, sizeof(cfg.info.lo_file_name) - 1));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return log_perr(-errno, "Failed to open '/dev/loop-control'");
	/* another process may take the free device between the two ioctls: retry */
	for (i = 0; i < 16; i++) {
		_cleanup_close_ int fd = -EBADF;

		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			return log_perr(-errno, "Failed to get a free loop device");
		snprintf(ret_dev, len, "/dev/loop%d", n);
		fd = open(ret_dev, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return log_perr(-errno, "Failed to open '%s'", ret_dev);
		if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0)
			return TAKE_FD(fd);
		if (errno != EBUSY)
			return log_perr(-errno, "Failed to bind '%s' to '%s'", ret_dev, image);
	}
	return log_err(-EBUSY, "Failed to find a free loop device for '%s' in 16 tries", image);
}

int ct_disk_mount(const struct ct *ct, const char *root)
{
	char image[CT_PATH_MAX], dev[32];
	_cleanup_close_ int img = -EBADF, loop = -EBADF;
	int ret;

	ret = ct_disk_image(ct, image, sizeof(image));
	if (ret < 0)
		return ret;
	/* leftovers of a crash first: a second mount of one ext4 image corrupts it */
	ret = ct_disk_umount(ct);
	if (ret == -EBUSY)
		return log_err(ret, "CT %s: its image '%s' is still mounted elsewhere; mounting it twice would corrupt it",
			       ct->id, image);
	if (ret < 0)
		return ret;
	img = open(image, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (img < 0)
		return log_perr(-errno, "CT %s: failed to open its disk image '%s'", ct->id, image);
	loop = loop_attach(img, image, dev, sizeof(dev));
	if (loop < 0)
		return loop;
	/* closing @loop without a mount detaches it again (autoclear) */
	if (mount(dev, root, "ext4", 0, NULL) < 0)
		return log_perr(-errno, "Failed to mount '%s' (%s) on '%s'", dev, image, root);
	pr_info("CT %s: '%s' on %s mounted on '%s'", ct->id, image, dev, root);
	return 0;
}
