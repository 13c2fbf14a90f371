// SPDX-License-Identifier: GPL-2.0-only
/*
 * inotify: every watch with its wd, mask and the watched inode. fdinfo
 * names the inode by a file handle; the dump opens it (open_by_handle_at
 * on a mount of its filesystem) to find a path, which the restore watches
 * again (CRIU's images have no path: their handle is opened again). wds
 * must be what the task knows: the kernel hands them out in turn
 * (idr_alloc_cyclic), so the tool watches a throw-away inode and drops
 * it until the next wd is the one wanted, then drains the IN_IGNORED events
 * that made. Events queued at the dump cannot be put back: such an
 * instance is refused, naming the task, the fd and the bytes queued.
 */
#define LOG_PREFIX "inotify: "
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdkinds.h"
#include "log.h"
#include "restore.h"
#include "xmalloc.h"

#define FH_WORDS	16	/* CRIU's fh_entry carries 16 words, MAX_HANDLE_SZ bytes */
#define MAX_WD_SKIP	(1 << 20)

/* A directory on the filesystem of kernel device @sdev, opened; -errno if none. */
static int open_mount_of(unsigned int sdev)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[PATH_MAX];
	unsigned int maj, min;

	if (!f)
		return log_perr(-errno, "Failed to open '/proc/self/mountinfo'");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d %*d %u:%u %*s %4095s", &maj, &min, mnt) != 3)
			continue;
		/* the kernel's dev_t: 12 bits of major above 20 bits of minor */
		if (maj != sdev >> 20 || min != (sdev & 0xfffff) || strchr(mnt, '\\'))
			continue;
		/* not O_PATH: open_by_handle_at() refuses such a mount fd (EBADF) */
		return open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return -ENOENT;
}

/* The inode of watch @w by its file handle @fh, opened O_PATH; -errno if it is gone. */
static int open_handle(const InotifyWdEntry *w, const unsigned char *fh)
{
	_cleanup_close_ int mfd = open_mount_of(w->s_dev);
	_cleanup_free_ struct file_handle *h = xmalloc(sizeof(*h) + w->f_handle->bytes);
	int fd;

	if (!h)
		return -ENOMEM;
	if (mfd < 0)
		return mfd;
	h->handle_bytes = w->f_handle->bytes;
	h->handle_type = w->f_handle->type;
	memcpy(h->f_handle, fh, h->handle_bytes);
	fd = open_by_handle_at(mfd, h, O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The path of the inode behind a file handle; 0 or -errno (logged). */
static int handle_path(const struct fd_src *s, InotifyWdEntry *w, const unsigned char *fh,
		       char *path)
{
	_cleanup_close_ int fd = open_handle(w, fh);
	char proc[64];
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return log_perr(fd, "Failed to dump task %d fd %d: inotify watch %u: no inode %llu on device %u:%u",
				s->pid, s->fd, w->wd, (unsigned long long)w->i_ino, w->s_dev >> 20,
				w->s_dev & 0xfffff);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, path, PATH_MAX - 1);
	if (n < 0)
		return log_perr(-errno, "Failed to read link '%s'", proc);
	path[n] = '\0';
	if (stat(path, &st) < 0 || st.st_ino != w->i_ino)
		return log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: inotify watch %u: inode %llu has no path ('%s'): not supported",
			       s->pid, s->fd, w->wd, (unsigned long long)w->i_ino, path);
	return 0;
}

static int parse_handle(const char *hex, InotifyWdEntry *w, unsigned char *fh)
{
	unsigned int i, b;

	if (w->f_handle->bytes > FH_WORDS * 8)
		return -EPROTO;
	for (i = 0; i < w->f_handle->bytes; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EPROTO;
		fh[i] = b;
	}
	w->f_handle->n_handle = FH_WORDS;
	w->f_handle->handle = xzalloc(FH_WORDS * sizeof(uint64_t));
	if (!w->f_handle->handle)
		return -ENOMEM;
	memcpy(w->f_handle->handle, fh, w->f_handle->bytes);
	return 0;
}

/* One "inotify wd:..." line into a new watch of @e. */
static int add_wd(InotifyFileEntry *e, const char *line, const struct fd_src *s)
{
	unsigned char fh[FH_WORDS * 8];
	unsigned long long ino;
	char hex[FH_WORDS * 16 + 1], path[PATH_MAX];
	InotifyWdEntry *w = xzalloc(sizeof(*w)), **nv;
	int err, n;

	nv = xrealloc(e->wd, (e->n_wd + 1) * sizeof(*nv));
	if (nv)
		e->wd = nv;
	if (!w || !nv) {
		free(w);
		return -ENOMEM;
	}
	inotify_wd_entry__init(w);
	w->f_handle = xmalloc(sizeof(*w->f_handle));
	if (!w->f_handle) {
		free(w);
		return -ENOMEM;
	}
	fh_entry__init(w->f_handle);
	e->wd[e->n_wd++] = w;
	w->id = e->id;
	n = sscanf(line, "inotify wd:%x ino:%llx sdev:%x mask:%x ignored_mask:%x fhandle-bytes:%x fhandle-type:%x f_handle:%256s",
		   &w->wd, &ino, &w->s_dev, &w->mask, &w->ignored_mask, &w->f_handle->bytes,
		   &w->f_handle->type, hex);
	/* no handle: the filesystem cannot make one, and the inode could not be found again */
	if (n == 5)
		return log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: inotify watch %u is on a filesystem without file handles (device %u:%u): not supported",
			       s->pid, s->fd, w->wd, w->s_dev >> 20, w->s_dev & 0xfffff);
	if (n != 8 || parse_handle(hex, w, fh))
		return log_err(-EPROTO, "Failed to parse '%.80s' in the fdinfo of task %d fd %d",
			       line, s->pid, s->fd);
	w->i_ino = ino;
	err = handle_path(s, w, fh, path);
	if (err)
		return err;
	w->f_handle->path = xstrdup(path);
	return w->f_handle->path ? 0 : -ENOMEM;
}

static int inotify_make(struct file_desc *d, void *arg)
{
	struct fd_src *s = arg;
	_cleanup_free_ char *buf = NULL;
	InotifyFileEntry *e = xmalloc(sizeof(*e));
	char *line, *save = NULL;
	int err, queued = 0;

	d->fe = file_entry_new(FD_TYPES__INOTIFY, d->id);
	if (!e || !d->fe) {
		free(e);
		return -ENOMEM;
	}
	inotify_file_entry__init(e);
	d->fe->ify = e;
	e->id = d->id;
	e->flags = s->flags & ~O_CLOEXEC;
	e->fown = fown_new();
	if (!e->fown)
		return -ENOMEM;
	if (ioctl(d->local_fd, FIONREAD, &queued) < 0)
		return log_perr(-errno, "Failed to count the events of task %d fd %d", s->pid, s->fd);
	if (queued)
		return log_err(-EOPNOTSUPP, "Failed to dump task %d fd %d: inotify has %d bytes of events queued: not supported",
			       s->pid, s->fd, queued);
	err = fdinfo_read(d->local_fd, &buf);
	for (line = strtok_r(buf, "\n", &save); !err && line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "inotify wd:", 11))
			err = add_wd(e, line, s);
	return err;
}

static bool inotify_has(const FileEntry *fe)
{
	size_t i;

	for (i = 0; fe->ify && i < fe->ify->n_wd; i++)
		if (!fe->ify->wd[i]->f_handle)
			return false;
	return fe->ify;
}

/* Make the next wd of @fd be @want by taking and dropping wds on @spare. */
static int skip_to(int fd, int spare, int want, uint32_t id)
{
	char path[64];
	int i, wd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", spare);
	for (i = 0; i < MAX_WD_SKIP; i++) {
		wd = inotify_add_watch(fd, path, IN_ATTRIB);
		if (wd < 0)
			return log_perr(-errno, "Failed to skip wds of inotify %u", id);
		inotify_rm_watch(fd, wd);
		if (wd >= want - 1)
			return wd == want - 1 ? 0 :
			       log_err(-EEXIST, "Failed to give inotify %u wd %d: wd %d came first", id,
				       want, wd);
	}
	return log_err(-ERANGE, "Failed to give inotify %u wd %d: too far", id, want);
}

static int cmp_wd(const void *a, const void *b)
{
	return (int)(*(InotifyWdEntry *const *)a)->wd - (int)(*(InotifyWdEntry *const *)b)->wd;
}

/*
 * Watch @w's inode in @fd as wd @w->wd, after *next: by the path the dump
 * found, or (a CRIU image) by its file handle, on this host's mount.
 */
static int add_watch(int fd, int spare, const InotifyWdEntry *w, uint32_t id, int *next)
{
	_cleanup_close_ int hfd = -EBADF;
	char proc[64];
	const char *path = w->f_handle->path;
	int wd, err;

	if ((int)w->wd < *next)
		return log_err(-EINVAL, "files.img: inotify %u: bad or repeated wd %u", id, w->wd);
	if (!path) {
		if (w->f_handle->bytes > w->f_handle->n_handle * sizeof(uint64_t))
			return log_err(-EINVAL, "files.img: inotify %u wd %u: handle of %u bytes in %zu words",
				       id, w->wd, w->f_handle->bytes, w->f_handle->n_handle);
		hfd = open_handle(w, (const unsigned char *)w->f_handle->handle);
		if (hfd < 0)
			return log_perr(hfd, "Failed to find inode %llu of inotify %u wd %u",
					(unsigned long long)w->i_ino, id, w->wd);
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", hfd);
		path = proc;
	}
	err = (int)w->wd > *next ? skip_to(fd, spare, w->wd, id) : 0;
	if (err)
		return err;
	wd = inotify_add_watch(fd, path, w->mask);
	if (wd < 0)
		return log_perr(-errno, "Failed to watch '%s' in inotify %u", path, id);
	if (wd != (int)w->wd)
		return log_err(-EEXIST, "Failed to watch '%s' in inotify %u as wd %u: got %d", path, id,
			       w->wd, wd);
	*next = wd + 1;
	return 0;
}

static int add_watches(int fd, const InotifyFileEntry *e)
{
	_cleanup_close_ int spare = memfd_create("vzcr-inotify-spare", MFD_CLOEXEC);
	char buf[4096];
	size_t i;
	int err, next = 1;

	if (spare < 0)
		return log_perr(-errno, "Failed to create a memfd");
	qsort(e->wd, e->n_wd, sizeof(*e->wd), cmp_wd);
	for (i = 0; i < e->n_wd; i++) {
		err = add_watch(fd, spare, e->wd[i], e->id, &next);
		if (err)
			return err;
	}
	/* the IN_IGNORED events of the spare watches */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return 0;
}

static int inotify_open(struct rst_ctx *c, struct rst_file *f)
{
	const InotifyFileEntry *e = f->fe->ify;
	_cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	int err;

	(void)c;
	if (fd < 0)
		return log_perr(-errno, "Failed to create inotify %u", e->id);
	err = add_watches(fd, e) ?: fd_set_status(fd, e->flags, "inotify", e->id);
	return err ? err : TAKE_FD(fd);
}

const struct fd_kind fd_kind_inotify = {
	.type = FD_TYPES__INOTIFY,
	.name = "inotify",
	.make = inotify_make,
	.has_payload = inotify_has,
	.open = inotify_open,
};
