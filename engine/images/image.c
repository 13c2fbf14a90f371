// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image files in CRIU's format: magics, then entries of a u32 length and a
 * packed protobuf message. Writers go to a hidden temporary file renamed in
 * img_close(), so an image under its real name is always complete. Readers
 * check every length against IMG_ENTRY_MAX and the file size before they
 * allocate, and name the file, entry and offset of whatever they refuse.
 */
#define LOG_PREFIX "image: "

#include <endian.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "xmalloc.h"

/* Reads of entry images go through this much buffer; writes are one write() per entry. */
#define IMG_RBUF_SIZE	(64U << 10)
/* Entries up to this size are packed on the stack. */
#define IMG_STACK_PACK	1024U

struct img {
	const struct img_desc *desc;
	int fd;
	int dfd;		/* writer: the directory, for rename/unlink */
	bool writing;
	unsigned int idx;	/* entries read or written so far */
	long long off;		/* offset of the next byte to read or write */
	long long size;		/* reader: file size, or -1 if not a regular file */
	char *name;		/* real name in the directory */
	char *tmpname;		/* writer: the hidden name until img_close() */
	char *path;		/* for messages */
	char *rbuf;		/* reader of an entry image: read-ahead buffer */
	size_t rpos, rlen;
};

static void img_free(struct img *img)
{
	if (img->fd >= 0)
		close(img->fd);
	if (img->dfd >= 0)
		close(img->dfd);
	free(img->name);
	free(img->tmpname);
	free(img->path);
	free(img->rbuf);
	free(img);
}

static struct img *img_new(const struct img_desc *desc)
{
	struct img *img = xzalloc(sizeof(*img));

	if (!img)
		return NULL;
	img->desc = desc;
	img->fd = -EBADF;
	img->dfd = -EBADF;
	img->size = -1;
	return img;
}

const struct img_desc *img_get_desc(const struct img *img)
{
	return img->desc;
}

const char *img_path(const struct img *img)
{
	return img->path;
}

int img_fd(const struct img *img)
{
	return img->fd;
}

const ProtobufCMessageDescriptor *img_next_pb(const struct img *img)
{
	if (img->idx == 0 && img->desc->head_pb)
		return img->desc->head_pb;
	return img->desc->pb;
}

void img_free_entry(void *msg)
{
	if (msg)
		protobuf_c_message_free_unpacked(msg, NULL);
}

/*
 * Read up to @len bytes through the read-ahead buffer (raw images have
 * none). Returns the bytes read, fewer only at the end of the file, or
 * -errno; does not log.
 */
static ssize_t img_in(struct img *img, void *dst, size_t len)
{
	size_t done = 0, n;
	ssize_t r;

	while (done < len) {
		if (img->rpos == img->rlen) {
			if (!img->rbuf || len - done >= IMG_RBUF_SIZE) {
				r = read_full(img->fd, (char *)dst + done, len - done);
				if (r < 0)
					return r;
				done += r;
				break;
			}
			r = read_full(img->fd, img->rbuf, IMG_RBUF_SIZE);
			if (r <= 0) {
				if (r < 0)
					return r;
				break;
			}
			img->rpos = 0;
			img->rlen = r;
		}
		n = img->rlen - img->rpos;
		if (n > len - done)
			n = len - done;
		memcpy((char *)dst + done, img->rbuf + img->rpos, n);
		img->rpos += n;
		done += n;
	}
	img->off += done;
	return done;
}

/* Read one u32 of the file's head; @what names it in the error. */
static int img_read_magic(struct img *img, uint32_t *ret, const char *what)
{
	long long at = img->off;
	uint32_t v;
	ssize_t n;

	n = img_in(img, &v, sizeof(v));
	if (n < 0)
		return log_perr(n, "Failed to read '%s': %s at offset %lld", img->path, what, at);
	if (n < (ssize_t)sizeof(v))
		return log_err(-EIO, "Failed to read '%s': truncated %s at offset %lld (%zd of 4 bytes)",
			       img->path, what, at, n);
	*ret = le32toh(v);
	return 0;
}

static const char *magic_owner(uint32_t magic)
{
	const struct img_desc *d = img_desc_by_magic(magic);

	if (magic == IMG_COMMON_MAGIC)
		return "IMG_COMMON";
	if (magic == IMG_SERVICE_MAGIC)
		return "IMG_SERVICE";
	return d ? d->name : "unknown";
}

static int img_expect(struct img *img, uint32_t want, const char *what)
{
	long long at = img->off;
	uint32_t got = 0;
	int ret;

	ret = img_read_magic(img, &got, what);
	if (ret < 0)
		return ret;
	if (got != want)
		return log_err(-EPROTO, "Failed to open '%s': %s 0x%08x (%s) at offset %lld, expected 0x%08x (%s)",
			       img->path, what, got, magic_owner(got), at, want, magic_owner(want));
	return 0;
}

/* Check the magics of an image opened as a known type. */
static int img_check_head(struct img *img)
{
	const struct img_desc *d = img->desc;
	int ret;

	switch (d->kind) {
	case IMG_KIND_RAW:
		return 0;
	case IMG_KIND_COMMON:
		ret = img_expect(img, IMG_COMMON_MAGIC, "magic");
		break;
	case IMG_KIND_SERVICE:
		ret = img_expect(img, IMG_SERVICE_MAGIC, "magic");
		break;
	default:
		ret = 0;
		break;
	}
	if (ret < 0)
		return ret;
	return img_expect(img, d->magic, d->kind == IMG_KIND_BARE ? "magic" : "type magic");
}

/* Write the magics of a new image; 0 or -errno. */
static int img_write_head(struct img *img)
{
	const struct img_desc *d = img->desc;
	uint32_t head[2];
	size_t n = 0;
	int ret;

	if (d->kind == IMG_KIND_RAW)
		return 0;
	if (d->kind != IMG_KIND_BARE)
		head[n++] = htole32(d->kind == IMG_KIND_SERVICE ? IMG_SERVICE_MAGIC : IMG_COMMON_MAGIC);
	head[n++] = htole32(d->magic);
	ret = write_full(img->fd, head, n * sizeof(head[0]));
	if (ret < 0)
		return log_perr(ret, "Failed to write '%s': magic", img->path);
	img->off = n * sizeof(head[0]);
	return 0;
}

/* "DIR/NAME" for messages, DIR as /proc resolves @dfd; NAME if it can't. */
static char *img_make_path(int dfd, const char *name)
{
	char link[64], dir[PATH_MAX];
	ssize_t n;

	if (dfd == AT_FDCWD)
		return xstrdup(name);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dfd);
	n = readlink(link, dir, sizeof(dir) - 1);
	if (n <= 0)
		return xstrdup(name);
	dir[n] = '\0';
	return xsprintf("%s/%s", dir, name);
}

/* File name of @d for @id; the "%u" patterns are in desc.c only. */
static char *img_make_name(const struct img_desc *d, unsigned int id)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return xsprintf(d->fname, id);
#pragma GCC diagnostic pop
}

/*
 * Create the hidden temporary file: ".NAME.PID-N.tmp". O_EXCL, and a
 * counter against leftovers of an earlier process with our pid.
 */
static int img_create_tmp(struct img *img)
{
	static unsigned int seq;
	unsigned int n;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		n = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
		free(img->tmpname);
		img->tmpname = xsprintf(".%s.%d-%u.tmp", img->name, (int)getpid(), n);
		if (!img->tmpname)
			return -ENOMEM;
		img->fd = openat(img->dfd, img->tmpname,
				 O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (img->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	return log_perr(-errno, "Failed to create '%s' (as %s)", img->path, img->tmpname);
}

static int img_open_write(struct img *img, int dfd)
{
	int ret;

	img->writing = true;
	img->dfd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	if (img->dfd < 0)
		return log_perr(-errno, "Failed to open '%s': dup of directory fd %d", img->path, dfd);
	ret = img_create_tmp(img);
	if (ret < 0)
		return ret;
	ret = img_write_head(img);
	if (ret < 0) {
		unlinkat(img->dfd, img->tmpname, 0);
		return ret;
	}
	return 0;
}

/* Set up a reader on img->fd (already open): size, buffer. */
static int img_start_read(struct img *img)
{
	struct stat st;

	if (fstat(img->fd, &st) < 0)
		return log_perr(-errno, "Failed to stat '%s'", img->path);
	if (S_ISREG(st.st_mode))
		img->size = st.st_size;
	if (img->desc && img->desc->kind == IMG_KIND_RAW)
		return 0;
	img->rbuf = xmalloc(IMG_RBUF_SIZE);
	return img->rbuf ? 0 : -ENOMEM;
}

static int img_open_read(struct img *img, int dfd)
{
	int ret;

	img->fd = openat(dfd, img->name, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0)
		return log_perr(-errno, "Failed to open '%s'", img->path);
	ret = img_start_read(img);
	if (ret < 0)
		return ret;
	return img_check_head(img);
}

struct img *img_open(int dfd, enum img_type type, int flags, unsigned int id)
{
	const struct img_desc *d = img_desc_get(type);
	int mode = flags & O_ACCMODE, ret;
	struct img *img;

	if (!d || (mode != O_RDONLY && mode != O_WRONLY)) {
		pr_err("Failed to open image type %d with flags 0x%x: invalid arguments", type, flags);
		errno = EINVAL;
		return NULL;
	}
	img = img_new(d);
	if (!img)
		goto err;
	img->name = img_make_name(d, id);
	if (!img->name)
		goto err;
	img->path = img_make_path(dfd, img->name);
	if (!img->path)
		goto err;
	ret = mode == O_WRONLY ? img_open_write(img, dfd) : img_open_read(img, dfd);
	if (ret < 0) {
		img_free(img);
		errno = -ret;
		return NULL;
	}
	return img;
err:
	if (img)
		img_free(img);
	errno = ENOMEM;
	return NULL;
}

/* Find the type of a file from its magics; 0 or -errno (logged). */
static int img_identify(struct img *img)
{
	const struct img_desc *d;
	uint32_t m, first = 0;
	int ret;

	ret = img_read_magic(img, &first, "magic");
	if (ret < 0)
		return ret;
	m = first;
	if (first == IMG_COMMON_MAGIC || first == IMG_SERVICE_MAGIC) {
		ret = img_read_magic(img, &m, "type magic");
		if (ret < 0)
			return ret;
	}
	d = img_desc_by_magic(m);
	if (!d)
		return log_err(-EPROTO, "Failed to open '%s': unknown image magic 0x%08x at offset %lld",
			       img->path, m, img->off - 4);
	if ((d->kind == IMG_KIND_COMMON && first != IMG_COMMON_MAGIC) ||
	    (d->kind == IMG_KIND_SERVICE && first != IMG_SERVICE_MAGIC) ||
	    (d->kind == IMG_KIND_BARE && first != d->magic))
		return log_err(-EPROTO, "Failed to open '%s': magic 0x%08x at offset 0 does not go with type magic %s",
			       img->path, first, d->name);
	img->desc = d;
	return 0;
}

struct img *img_open_path(const char *path)
{
	struct img *img = img_new(NULL);
	int ret = -ENOMEM;

	if (!img)
		goto err;
	img->path = xstrdup(path);
	if (!img->path)
		goto err;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0) {
		ret = log_perr(-errno, "Failed to open '%s'", path);
		goto err;
	}
	ret = img_start_read(img);
	if (ret >= 0)
		ret = img_identify(img);
	if (ret >= 0)
		return img;
err:
	if (img)
		img_free(img);
	errno = -ret;
	return NULL;
}

/* Checks common to img_read() and img_write(); 0 or -EINVAL (logged). */
static int img_check_use(const struct img *img, bool writing, const char *verb)
{
	if (img->writing != writing)
		return log_err(-EINVAL, "Failed to %s '%s': opened for %s", verb, img->path,
			       img->writing ? "writing" : "reading");
	if (!img->desc->pb)
		return log_err(-EINVAL, "Failed to %s '%s': a raw image has no entries", verb,
			       img->path);
	return 0;
}

static int img_read_body(struct img *img, uint32_t len, long long at, void **ret_msg)
{
	const ProtobufCMessageDescriptor *pb = img_next_pb(img);
	_cleanup_free_ uint8_t *body = xmalloc(len ? len : 1);
	ProtobufCMessage *msg;
	ssize_t n;

	if (!body)
		return -ENOMEM;
	n = img_in(img, body, len);
	if (n < 0)
		return log_perr(n, "Failed to read '%s': entry %u at offset %lld", img->path,
				img->idx, at);
	if ((size_t)n < len)
		return log_err(-EIO, "Failed to read '%s': entry %u at offset %lld: truncated body (%zd of %u bytes)",
			       img->path, img->idx, at, n, len);
	msg = protobuf_c_message_unpack(pb, NULL, len, body);
	if (!msg)
		return log_err(-EBADMSG, "Failed to read '%s': entry %u at offset %lld: %u bytes do not decode as %s",
			       img->path, img->idx, at, len, pb->name);
	img->idx++;
	*ret_msg = msg;
	return 1;
}

int img_read(struct img *img, void **ret_msg)
{
	long long at = img->off;
	uint32_t len;
	ssize_t n;
	int ret;

	ret = img_check_use(img, false, "read");
	if (ret < 0)
		return ret;
	n = img_in(img, &len, sizeof(len));
	if (n < 0)
		return log_perr(n, "Failed to read '%s': entry %u at offset %lld", img->path,
				img->idx, at);
	if (n == 0)
		return 0;
	if (n < (ssize_t)sizeof(len))
		return log_err(-EIO, "Failed to read '%s': entry %u at offset %lld: truncated length (%zd of 4 bytes)",
			       img->path, img->idx, at, n);
	len = le32toh(len);
	if (len > IMG_ENTRY_MAX)
		return log_err(-EFBIG, "Failed to read '%s': entry %u at offset %lld: length %u is over the limit of %u",
			       img->path, img->idx, at, len, IMG_ENTRY_MAX);
	if (img->size >= 0 && img->off + len > img->size)
		return log_err(-EIO, "Failed to read '%s': entry %u at offset %lld: length %u runs past the end of the file (%lld bytes)",
			       img->path, img->idx, at, len, img->size);
	return img_read_body(img, len, at, ret_msg);
}

int img_write(struct img *img, const void *msg)
{
	const ProtobufCMessage *m = msg;
	const ProtobufCMessageDescriptor *want;
	_cleanup_free_ uint8_t *heap = NULL;
	uint8_t stack[IMG_STACK_PACK + 4], *buf = stack;
	uint32_t len;
	int ret;

	ret = img_check_use(img, true, "write");
	if (ret < 0)
		return ret;
	want = img_next_pb(img);
	if (!m || m->descriptor != want)
		return log_err(-EINVAL, "Failed to write '%s': entry %u is a %s, expected a %s",
			       img->path, img->idx, m ? m->descriptor->name : "NULL", want->name);
	if (!protobuf_c_message_check(m))
		return log_err(-EINVAL, "Failed to write '%s': entry %u: a required field of %s is not set",
			       img->path, img->idx, want->name);
	len = protobuf_c_message_get_packed_size(m);
	if (len > IMG_ENTRY_MAX)
		return log_err(-EFBIG, "Failed to write '%s': entry %u of %u bytes is over the limit of %u",
			       img->path, img->idx, len, IMG_ENTRY_MAX);
	if (len > IMG_STACK_PACK) {
		buf = heap = xmalloc(len + 4);
		if (!buf)
			return -ENOMEM;
	}
	*(uint32_t *)buf = htole32(len);
	protobuf_c_message_pack(m, buf + 4);
	ret = write_full(img->fd, buf, len + 4);
	if (ret < 0)
		return log_perr(ret, "Failed to write '%s': entry %u at offset %lld", img->path,
				img->idx, img->off);
	img->off += len + 4;
	img->idx++;
	return 0;
}

int img_write_raw(struct img *img, const void *buf, size_t len)
{
	int ret;

	if (!img->writing)
		return log_err(-EINVAL, "Failed to write '%s': opened for reading", img->path);
	ret = write_full(img->fd, buf, len);
	if (ret < 0)
		return log_perr(ret, "Failed to write '%s': %zu raw bytes at offset %lld", img->path,
				len, img->off);
	img->off += len;
	return 0;
}

int img_read_raw(struct img *img, void *buf, size_t len)
{
	long long at = img->off;
	ssize_t n;

	if (img->writing)
		return log_err(-EINVAL, "Failed to read '%s': opened for writing", img->path);
	n = img_in(img, buf, len);
	if (n < 0)
		return log_perr(n, "Failed to read '%s': %zu raw bytes at offset %lld", img->path,
				len, at);
	if ((size_t)n < len)
		return log_err(-EIO, "Failed to read '%s': %zu raw bytes at offset %lld: truncated (%zd read)",
			       img->path, len, at, n);
	return 0;
}

/*
 * Step over @len bytes of a regular file without reading them (a SysV
 * segment's contents, say): what the read-ahead buffer holds, then lseek.
 * 1 if done, 0 if the file cannot seek (the caller reads), or -errno.
 */
static int img_seek_over(struct img *img, size_t len)
{
	size_t inbuf = img->rlen - img->rpos;

	if (img->size < 0)
		return 0;
	if ((long long)len > img->size - img->off)
		return log_err(-EIO, "Failed to read '%s': %zu raw bytes at offset %lld: truncated",
			       img->path, len, img->off);
	if (len <= inbuf) {
		img->rpos += len;
	} else {
		if (lseek(img->fd, (off_t)(len - inbuf), SEEK_CUR) < 0)
			return log_perr(-errno, "Failed to seek in '%s'", img->path);
		img->rpos = img->rlen;
	}
	img->off += len;
	return 1;
}

int img_skip_payload(struct img *img, const void *msg, size_t *ret_len)
{
	size_t len = img->desc->payload ? img->desc->payload(msg) : 0, done;
	char buf[4096];
	int ret;

	if (img->desc->skip)
		return img->desc->skip(img, msg, ret_len);
	ret = img_seek_over(img, len);
	if (ret) {
		*ret_len = len;
		return ret < 0 ? ret : 0;
	}
	for (done = 0; done < len; done += sizeof(buf)) {
		ret = img_read_raw(img, buf, len - done < sizeof(buf) ? len - done : sizeof(buf));
		if (ret)
			return ret;
	}
	*ret_len = len;
	return 0;
}

/*
 * Close and rename a written image into place; 0 or -errno. No fsync here:
 * one img_dir_sync() for the whole set costs far less than one per file.
 */
static int img_commit(struct img *img)
{
	int fd = TAKE_FD(img->fd);

	/* close() reports late write errors of some filesystems (NFS) */
	if (close(fd) < 0)
		return log_perr(-errno, "Failed to close '%s'", img->path);
	if (renameat(img->dfd, img->tmpname, img->dfd, img->name) < 0)
		return log_perr(-errno, "Failed to rename '%s' to '%s'", img->tmpname, img->path);
	return 0;
}

int img_dir_sync(int dfd)
{
	if (syncfs(dfd) < 0 || fsync(dfd) < 0)
		return log_perr(-errno, "Failed to sync an image directory");
	return 0;
}

int img_close(struct img *img)
{
	int ret = 0;

	if (!img)
		return 0;
	if (img->writing) {
		ret = img_commit(img);
		if (ret < 0)
			unlinkat(img->dfd, img->tmpname, 0);
	}
	img_free(img);
	return ret;
}

void img_abort(struct img *img)
{
	if (!img)
		return;
	if (img->writing && img->tmpname)
		unlinkat(img->dfd, img->tmpname, 0);
	img_free(img);
}

/* mkdir -p @path (mode 0700 for what it creates); 0 or -errno. */
static int mkdir_p(const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *s, c;

	if (!p)
		return -ENOMEM;
	if (!*p)
		return log_err(-EINVAL, "Failed to create directory '': empty path");
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return log_perr(-errno, "Failed to create directory '%s'", p);
		*s = c;
		if (!c)
			return 0;
	}
}

int img_dir_open(const char *path, bool create)
{
	int fd, ret;

	if (create) {
		ret = mkdir_p(path);
		if (ret < 0)
			return ret;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open image directory '%s'", path);
	return fd;
}
