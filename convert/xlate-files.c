// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files (note section 6): each FILE object that an fd, a mapping or a
 * root/cwd uses becomes one file_entry in files.img (so descriptions
 * shared between fds and processes stay shared): regular files, directories
 * and devices by path, anonymous pipes by inode with their buffered bytes in
 * pipes-data.img. FILES_STRUCT gives fdinfo-PID.img, FS gives fs-PID.img.
 * Named FIFOs by path with their data in fifo-data.img; deleted files come
 * back from their contents (xlate-ghost.c), unix sockets from their SOCKET
 * records (xlate-sock.c). Other sockets, ttys and anon-inode files (epoll,
 * inotify, signalfd, timerfd, eventfd) are refused by name, or with --force
 * left out (their fds are not restored) and listed.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fdinfo.pb-c.h"
#include "fifo.pb-c.h"
#include "fs.pb-c.h"
#include "log.h"
#include "pipe-data.pb-c.h"
#include "xlate-sock.h"
#include "xlate.h"

#define FILE_REC_LEN	96
#define NAME_MAX_LEN	4096
#define MAX_PIPE_DATA	(16U << 20)	/* far above any pipe buffer of those kernels */

#define DENTRY_DELETED	0x1
#define DENTRY_ANON	(0x10 | 0x40 | 0x800 | 0x1000 | 0x2000 | 0x4000)
#define DENTRY_TUNTAP	0x100

int xl_files_begin(struct xlate *x)
{
	x->files_img = img_open(x->dfd, IMG_FILES, O_WRONLY, 0);
	if (x->files_img)
		x->pipes_img = img_open(x->dfd, IMG_PIPES_DATA, O_WRONLY, 0);
	return x->pipes_img ? 0 : -errno;
}

int xl_files_end(struct xlate *x)
{
	int r = xl_sock_queues(x);	/* may add passed files: before files.img closes */

	r = img_close(x->files_img) ?: r;
	r = img_close(x->pipes_img) ?: r;
	r = img_close(x->remap_img) ?: r;
	r = img_close(x->fifo_img) ?: r;
	r = xl_tty_end(x) ?: r;
	x->files_img = x->pipes_img = x->remap_img = x->fifo_img = NULL;
	free(x->pipes_done);
	x->pipes_done = NULL;
	return r;
}

/* The path with OpenVZ's " (deleted)" marks taken off (prefix or suffix). */
static void strip_deleted(char *name)
{
	static const char mark[] = " (deleted)";
	size_t n = strlen(name), m = sizeof(mark) - 1;

	if (!strncmp(name, mark, m))
		memmove(name, name + m, n - m + 1);
	n = strlen(name);
	if (n >= m && !strcmp(name + n - m, mark))
		name[n - m] = '\0';
}

static const char deleted_file[] = "a deleted file";

/* What the engine cannot open, by name; NULL if it can. */
static const char *refusal(const uint8_t *rec, const char *name)
{
	uint32_t mode = get32(rec, 40), lfl = get32(rec, 44);

	if (lfl & DENTRY_ANON)
		return lfl & 0x10 ? "an epoll file" : lfl & 0x40 ? "an inotify file" :
		       lfl & 0x800 ? "a signalfd" : lfl & 0x1000 ? "a timerfd" :
		       lfl & 0x2000 ? "an eventfd" : "an anonymous-inode file";
	if (lfl & DENTRY_TUNTAP)
		return "a tun/tap device";
	if (S_ISSOCK(mode) || xl_is_tty(rec, name))
		return NULL;	/* xl_sock_refusal(), xl_tty_check() */
	if (lfl & DENTRY_DELETED)
		return deleted_file;	/* unless its INODE rebuilds it (xlate-ghost.c) */
	if (!S_ISFIFO(mode) && name[0] != '/')
		return "a file without a path";
	return NULL;
}

int xl_file_is_shmem(struct xlate *x, uint64_t pos, uint64_t *ret_ino)
{
	uint8_t rec[FILE_REC_LEN];
	struct cpt_obj_hdr h;
	char name[NAME_MAX_LEN] = "";
	int r;

	r = cpt_read_obj(x->f, pos, x->f->size, CPT_OBJ_FILE, "FILE", rec, sizeof(rec), &h);
	if (!r && h.next > h.hdrlen)
		r = xl_read_name(x, pos + h.hdrlen, pos + h.next, name, sizeof(name));
	if (r < 0)
		return r;
	strip_deleted(name);
	if (strcmp(name, "/dev/zero") || S_ISCHR(get32(rec, 40)))
		return 0;	/* the device itself: MAP_SHARED of it is not anonymous */
	*ret_ino = get64(rec, 48);
	return 1;
}

struct data_arg {
	uint32_t pipe_id;
	struct img *img;	/* pipes-data.img or fifo-data.img */
};

static int pipe_data(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	const struct data_arg *a = arg;
	PipeDataEntry pd = PIPE_DATA_ENTRY__INIT;
	uint8_t rec[24], *buf;
	uint32_t size;
	int r;

	if (h->type != CPT_OBJ_BITS)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_BITS, "pipe data BITS", rec, sizeof(rec),
			 NULL);
	if (r < 0)
		return r;
	size = get32(rec, 16);
	if (size > h->next - h->hdrlen || size > MAX_PIPE_DATA)
		return log_err(-EPROTO, "pipe data BITS at offset %#" PRIx64 ": field cpt_size %u is past the record or over %u",
			       pos, size, MAX_PIPE_DATA);
	buf = malloc(size ?: 1);
	if (!buf)
		return -ENOMEM;
	r = cpt_pread(x->f, pos + h->hdrlen, buf, size, "pipe data");
	pd.pipe_id = a->pipe_id;
	pd.bytes = size;
	if (!r)
		r = img_write(a->img, &pd) ?: img_write_raw(a->img, buf, size);
	free(buf);
	return r;
}

/*
 * Pipe or FIFO id: the inode number; its buffered data once, from the INODE
 * object, to @img (pipes-data.img or fifo-data.img).
 */
static int pipe_id(struct xlate *x, const uint8_t *rec, uint64_t pos, const char *name,
		   struct img *img, uint32_t *ret)
{
	uint64_t ino = get64(rec, 48);
	struct data_arg a = { 0, img };
	uint8_t irec[32];
	struct cpt_obj_hdr h;
	uint32_t *n;
	int r;

	r = cpt_resolve(x->f, ino, CPT_OBJ_INODE, pos, "cpt_inode of a pipe");
	if (r == 0 && strncmp(name, "pipe:[", 6))
		return log_err(-EPROTO, "FILE at offset %#" PRIx64 ": a FIFO without an INODE",
			       pos);
	if (r <= 0) {	/* no INODE: the number in "pipe:[N]" */
		*ret = (uint32_t)strtoul(name + 6, NULL, 10);
		return r;
	}
	r = cpt_read_obj(x->f, ino, x->f->size, CPT_OBJ_INODE, "INODE", irec, sizeof(irec), &h);
	if (r < 0)
		return r;
	*ret = (uint32_t)get64(irec, 24);
	for (size_t i = 0; i < x->npipes_done; i++)
		if (x->pipes_done[i] == *ret)
			return 0;
	n = realloc(x->pipes_done, (x->npipes_done + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->pipes_done = n;
	n[x->npipes_done++] = *ret;
	a.pipe_id = *ret;
	return xl_children(x, ino, &h, pipe_data, &a);
}

/* A named FIFO: a FIFO entry, its path in a REG entry of its own, data apart. */
static int write_fifo(struct xlate *x, uint64_t pos, const uint8_t *rec, char *name,
		      struct xl_file *xf, FownEntry *fown)
{
	FileEntry fe = FILE_ENTRY__INIT, pe = FILE_ENTRY__INIT;
	RegFileEntry reg = REG_FILE_ENTRY__INIT;
	FifoEntry fifo = FIFO_ENTRY__INIT;
	int r;

	if (!x->fifo_img) {
		x->fifo_img = img_open(x->dfd, IMG_FIFO_DATA, O_WRONLY, 0);
		if (!x->fifo_img)
			return -errno;
	}
	pe.type = FD_TYPES__REG;
	pe.id = reg.id = x->next_id++;
	pe.reg = &reg;
	reg.flags = get32(rec, 16);
	reg.fown = fown;
	reg.name = name;
	reg.has_mode = true;
	reg.mode = get32(rec, 40);
	fe.type = xf->type = FD_TYPES__FIFO;
	fe.id = fifo.id = xf->id;
	fe.fifo = &fifo;
	fifo.has_regf_id = true;
	fifo.regf_id = reg.id;
	r = pipe_id(x, rec, pos, name, x->fifo_img, &fifo.pipe_id);
	return r < 0 ? r : img_write(x->files_img, &pe) ?: img_write(x->files_img, &fe);
}

static int write_entry(struct xlate *x, uint64_t pos, const uint8_t *rec, char *name,
		       struct xl_file *xf)
{
	FileEntry fe = FILE_ENTRY__INIT;
	RegFileEntry reg = REG_FILE_ENTRY__INIT;
	PipeEntry pipe = PIPE_ENTRY__INIT;
	FownEntry fown = FOWN_ENTRY__INIT;
	uint32_t mode = get32(rec, 40);
	int r;

	fown.uid = get32(rec, 72);
	fown.euid = get32(rec, 76);
	fown.signum = get32(rec, 80);
	fe.id = xf->id;
	if (S_ISSOCK(mode))
		return xl_sock_write(x, pos, rec, xf);
	if (xl_is_tty(rec, name))
		return xl_tty_write(x, pos, rec, name, xf, &fown);
	if (S_ISFIFO(mode) && strncmp(name, "pipe:", 5))
		return write_fifo(x, pos, rec, name, xf, &fown);
	if (S_ISFIFO(mode)) {
		fe.type = FD_TYPES__PIPE;
		fe.pipe = &pipe;
		pipe.id = xf->id;
		pipe.flags = get32(rec, 16);
		pipe.fown = &fown;
		r = pipe_id(x, rec, pos, name, x->pipes_img, &pipe.pipe_id);
		if (r < 0)
			return r;
	} else {
		fe.type = FD_TYPES__REG;
		fe.reg = &reg;
		reg.id = xf->id;
		reg.flags = get32(rec, 16) | (S_ISDIR(mode) ? O_DIRECTORY : 0);
		reg.pos = get64(rec, 24);
		reg.fown = &fown;
		reg.name = name;
		reg.has_mode = true;
		reg.mode = mode;
	}
	xf->type = fe.type;
	return img_write(x->files_img, &fe);
}

/*
 * A deleted file: its contents as a ghost (@why cleared), or the path of a
 * link that survives (in @name, @why cleared), or still refused.
 */
static int deleted(struct xlate *x, uint64_t pos, const uint8_t *rec, char *name,
		   const char **why, uint32_t id)
{
	char *alt = malloc(NAME_MAX_LEN);
	int r;

	if (!alt)
		return -ENOMEM;
	r = xl_ghost(x, pos, get64(rec, 48), id, alt, NAME_MAX_LEN);
	if (r == 2)
		memcpy(name, alt, strlen(alt) + 1);
	if (r > 0)
		*why = NULL;
	free(alt);
	return r < 0 ? r : 0;
}

static int new_file(struct xlate *x, uint64_t pos, struct xl_file *xf)
{
	uint8_t rec[FILE_REC_LEN];
	struct cpt_obj_hdr h;
	const char *why;
	char *name;
	int r;

	r = cpt_read_obj(x->f, pos, x->f->size, CPT_OBJ_FILE, "FILE", rec, sizeof(rec), &h);
	if (r < 0)
		return r;
	name = calloc(1, NAME_MAX_LEN);
	if (!name)
		return -ENOMEM;
	if (h.next > h.hdrlen)	/* the first child is its path */
		r = xl_read_name(x, pos + h.hdrlen, pos + h.next, name, NAME_MAX_LEN);
	why = r ? NULL : refusal(rec, name);
	if (!r && !why && S_ISSOCK(get32(rec, 40))) {
		r = xl_sock_refusal(x, pos, rec, name, NAME_MAX_LEN);
		why = r || !name[0] ? NULL : "";	/* the socket's name says it all */
	}
	if (!r && !why && xl_is_tty(rec, name))
		r = xl_tty_check(x, pos, rec, name, &why);
	strip_deleted(name);
	if (!r && why == deleted_file && S_ISREG(get32(rec, 40)))
		r = deleted(x, pos, rec, name, &why, x->next_id);
	if (!r && why)
		r = *why ? xl_unsupported(x, "%s '%s' (FILE at offset %#" PRIx64 ")", why, name, pos) :
		    xl_unsupported(x, "%s (FILE at offset %#" PRIx64 ")", name, pos);
	else if (!r) {
		xf->id = x->next_id++;
		r = write_entry(x, pos, rec, name, xf);
	}
	free(name);
	return r;
}

static struct xl_file *find_file(struct xlate *x, uint64_t pos)
{
	for (size_t i = 0; i < x->nfiles; i++)
		if (x->files[i].pos == pos)
			return &x->files[i];
	return NULL;
}

int xl_file_id(struct xlate *x, uint64_t pos, uint32_t *ret_id, int *ret_type)
{
	struct xl_file *xf = find_file(x, pos);
	int r;

	if (!xf) {
		r = cpt_resolve(x->f, pos, CPT_OBJ_FILE, pos, "file reference");
		if (r <= 0)
			return r ?: log_err(-EPROTO, "a file reference is CPT_NULL");
		xf = realloc(x->files, (x->nfiles + 1) * sizeof(*xf));
		if (!xf)
			return -ENOMEM;
		x->files = xf;
		xf += x->nfiles;
		*xf = (struct xl_file){ .pos = pos };
		r = new_file(x, pos, xf);
		if (r < 0)
			return r;
		x->nfiles++;
	}
	*ret_id = xf->id;
	if (ret_type)
		*ret_type = xf->type;
	return 0;
}

struct fd_arg {
	struct img *img;
	uint32_t pid;
};

static int filedesc(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct fd_arg *a = arg;
	FdinfoEntry fd = FDINFO_ENTRY__INIT;
	uint8_t rec[32];
	int type = 0, r;

	if (h->type != CPT_OBJ_FILEDESC)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_FILEDESC, "FILEDESC", rec, sizeof(rec),
			 NULL);
	if (r < 0)
		return r;
	fd.fd = get32(rec, 16);
	fd.flags = get32(rec, 20) & 1 ? FD_CLOEXEC : 0;
	if (fd.fd > (1U << 20))
		return log_err(-EPROTO, "FILEDESC at offset %#" PRIx64 ": field cpt_fd %u is out of range",
			       pos, fd.fd);
	r = xl_file_id(x, get64(rec, 24), &fd.id, &type);
	if (r < 0)
		return r;
	if (!fd.id) {
		pr_warn("Process %u: fd %u left out, ignoring", a->pid, fd.fd);
		return 0;
	}
	fd.type = type;
	return img_write(a->img, &fd);
}

static int write_fdinfo(struct xlate *x, const struct xl_task *t)
{
	uint64_t ref = get64(t->rec, 104);
	struct fd_arg a = { img_open(x->dfd, IMG_FDINFO, O_WRONLY, t->pid), t->pid };
	struct cpt_obj_hdr h;
	int r;

	if (!a.img)
		return -errno;
	r = cpt_resolve(x->f, ref, CPT_OBJ_FILES, t->pos, "cpt_files");
	if (r > 0)
		r = cpt_read_obj(x->f, ref, x->f->size, CPT_OBJ_FILES, "FILES", NULL, 0, &h) ?:
		    xl_children(x, ref, &h, filedesc, &a);
	if (r < 0) {
		img_abort(a.img);
		return r;
	}
	return img_close(a.img);
}

struct fs_arg {
	uint32_t ids[2];
	int n;
};

static int fs_file(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct fs_arg *a = arg;
	int r;

	if (h->type != CPT_OBJ_FILE || a->n == 2)
		return 0;
	r = xl_file_id(x, pos, &a->ids[a->n], NULL);
	if (!r && !a->ids[a->n])
		r = log_err(-EOPNOTSUPP, "FS: the %s directory (FILE at offset %#" PRIx64 ") cannot be translated",
			    a->n ? "cwd" : "root", pos);
	a->n++;
	return r;
}

static int write_fs(struct xlate *x, const struct xl_task *t)
{
	uint64_t ref = get64(t->rec, 112);
	FsEntry fe = FS_ENTRY__INIT;
	struct fs_arg a = {};
	struct cpt_obj_hdr h;
	uint8_t rec[24];
	int r;

	r = cpt_resolve(x->f, ref, CPT_OBJ_FS, t->pos, "cpt_fs");
	if (r == 0)
		return log_err(-EPROTO, "TASK %u at offset %#" PRIx64 ": a live process with no FS (cpt_fs is CPT_NULL)",
			       t->pid, t->pos);
	if (r > 0)
		r = cpt_read_obj(x->f, ref, x->f->size, CPT_OBJ_FS, "FS", rec, sizeof(rec), &h) ?:
		    xl_children(x, ref, &h, fs_file, &a);
	if (r < 0)
		return r;
	if (a.n != 2)
		return log_err(-EPROTO, "FS at offset %#" PRIx64 ": %d FILE records, want root and cwd",
			       ref, a.n);
	fe.root_id = a.ids[0];
	fe.cwd_id = a.ids[1];
	fe.has_umask = true;
	fe.umask = get32(rec, 16);
	return img_write_single(x->dfd, IMG_FS, t->pid, &fe);
}

int xl_write_files(struct xlate *x, const struct xl_task *t)
{
	if (get64(t->rec, 16) & 16)	/* a zombie: no files */
		return 0;
	return write_fdinfo(x, t) ?: write_fs(x, t);
}
