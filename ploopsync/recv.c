// SPDX-License-Identifier: GPL-2.0-only
/*
 * The receiver: writes the stream into a temporary file next to IMAGE,
 * checks every record before writing it, and renames over IMAGE only after
 * a verified end marker. Any failure unlinks the temporary file, so a
 * previous IMAGE stays as it was.
 */
#define LOG_PREFIX "ploopsync: "
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "codec.h"
#include "compat_ovz.h"
#include "hash.h"
#include "io.h"
#include "log.h"
#include "ploopsync.h"
#include "recv.h"
#include "stream.h"
#include "xmalloc.h"

struct recv {
	struct ps_hello h;
	int in, out;
	char *tmp;
	uint64_t *hashes;
	unsigned char *buf, *zbuf;	/* zbuf: a compressed payload */
	struct ps_codec codec;
	uint64_t zero_full, zero_tail;
	uint64_t passes, records;
};

static uint64_t zero_hash(const struct recv *r, uint64_t offset)
{
	return ps_block_len(&r->h, offset) == r->h.block_size ? r->zero_full : r->zero_tail;
}

static int recv_data(struct recv *r, const struct ps_rec *rec)
{
	/* a compressed payload (length = its compressed size) is read aside, then decoded */
	uint32_t len = ps_block_len(&r->h, rec->offset);
	ssize_t n;
	int ret;

	n = read_full(r->in, rec->flags ? r->zbuf : r->buf, rec->length);
	if (n < 0)
		return log_perr((int)n, "Failed to read the DATA payload at offset %" PRIu64, rec->offset);
	if ((size_t)n < rec->length)
		return log_err(-EPIPE, "Bad stream: interrupted inside the DATA payload at offset %" PRIu64,
			       rec->offset);
	if (rec->flags) {
		ret = ps_codec_decompress(&r->codec, rec->flags, r->zbuf, rec->length, r->buf, len,
					  rec->offset);
		if (ret)
			return ret;
	}
	if (ps_xxh64(r->buf, len, 0) != rec->csum)
		return log_err(-EBADMSG, "Bad stream: DATA checksum mismatch at offset %" PRIu64 ", nothing written",
			       rec->offset);
	n = pwrite(r->out, r->buf, len, rec->offset);
	if (n >= 0 && n < len)
		errno = ENOSPC;	/* a short write to a regular file: the disk is full */
	if (n != (ssize_t)len)
		return log_perr(-errno, "Failed to write %u bytes at offset %" PRIu64 " of '%s'",
				len, rec->offset, r->tmp);
	r->hashes[rec->offset / r->h.block_size] = rec->csum;
	return 0;
}

static int recv_hole(struct recv *r, const struct ps_rec *rec)
{
	uint64_t off;

	if (fallocate(r->out, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, rec->offset, rec->length)) {
		if (errno != EOPNOTSUPP)
			return log_perr(-errno, "Failed to punch a hole at offset %" PRIu64 " of '%s'",
					rec->offset, r->tmp);
		memset(r->buf, 0, r->h.block_size);
		for (off = rec->offset; off < rec->offset + rec->length; off += r->h.block_size)
			if (pwrite(r->out, r->buf, ps_block_len(&r->h, off), off) < 0)
				return log_perr(-errno, "Failed to write zeros at offset %" PRIu64 " of '%s'",
						off, r->tmp);
	}
	for (off = rec->offset; off < rec->offset + rec->length; off += r->h.block_size)
		r->hashes[off / r->h.block_size] = zero_hash(r, off);
	return 0;
}

static int recv_end(struct recv *r, const struct ps_rec *rec, const char *image)
{
	uint64_t got = ps_image_hash(r->hashes, ps_nr_blocks(&r->h));
	char c;

	if (got != rec->csum)
		return log_err(-EBADMSG, "Bad stream: whole-image checksum mismatch (end marker %016" PRIx64 ", received %016" PRIx64 ")",
			       rec->csum, got);
	if (read_full(r->in, &c, 1) != 0)
		return log_err(-EPROTO, "Bad stream: data after the end marker");
	return ps_tmp_commit(r->out, r->tmp, image);
}

int ps_tmp_commit(int fd, const char *tmp, const char *image)
{
	if (fsync(fd))
		return log_perr(-errno, "Failed to fsync '%s'", tmp);
	if (rename(tmp, image))
		return log_perr(-errno, "Failed to rename '%s' to '%s'", tmp, image);
	return 0;
}

/*
 * Each pass's data goes to disk when the next pass begins, as ploop copy
 * syncs before the freeze: the frozen pass then waits only for its own
 * blocks, not for the writeback of everything received before.
 */
static int sync_pass(struct recv *r)
{
	if (fdatasync(r->out))
		return log_perr(-errno, "Failed to fdatasync '%s'", r->tmp);
	return 0;
}

static int recv_loop(struct recv *r, const char *image)
{
	struct ps_rec rec;
	int ret;

	for (;;) {
		ret = ps_read_rec(r->in, &r->h, &rec);
		if (ret)
			return ret;
		r->records++;
		switch (rec.type) {
		case PS_REC_DATA:
			ret = recv_data(r, &rec);
			break;
		case PS_REC_HOLE:
			ret = recv_hole(r, &rec);
			break;
		case PS_REC_PASS:
			r->passes++;
			pr_debug("pass %" PRIu64 " begins", rec.offset);
			ret = sync_pass(r);
			break;
		case PS_REC_END:
			return recv_end(r, &rec, image);
		}
		if (ret)
			return ret;
	}
}

int ps_tmp_create(const char *image, char **ret_tmp, int *ret_fd)
{
	_cleanup_free_ char *copy = xstrdup(image), *copy2 = xstrdup(image);
	struct stat st;

	if (!copy || !copy2)
		return -ENOMEM;
	*ret_tmp = xsprintf("%s/.%s.ploopsync-XXXXXX", dirname(copy), basename(copy2));
	if (!*ret_tmp)
		return -ENOMEM;
	*ret_fd = mkstemp(*ret_tmp);
	if (*ret_fd < 0) {
		int ret = log_perr(-errno, "Failed to create a temporary file '%s'", *ret_tmp);

		free(*ret_tmp);
		*ret_tmp = NULL;
		return ret;
	}
	/* a replaced image keeps its mode; a new one stays 0600 */
	if (!stat(image, &st) && fchmod(*ret_fd, st.st_mode & 07777))
		return log_perr(-errno, "Failed to set the mode of '%s'", *ret_tmp);
	return 0;
}

static int recv_open_tmp(struct recv *r, const char *image)
{
	int ret = ps_tmp_create(image, &r->tmp, &r->out);

	if (ret)
		return ret;
	if (ftruncate(r->out, (off_t)r->h.image_size))
		return log_perr(-errno, "Failed to size '%s' to %" PRIu64 " bytes", r->tmp, r->h.image_size);
	return 0;
}

int ploopsync_recv(const char *image, int in_fd, struct ploopsync_recv_stats *ret_stats)
{
	struct recv r = { .in = in_fd, .out = -EBADF };
	unsigned char head[PS_OVZ_DETECT];
	ssize_t n;
	int ret;

	/* the first bytes tell a ploopsync hello from an OpenVZ ploop copy packet */
	n = read_full(in_fd, head, sizeof(head));
	if (n < 0)
		return log_perr((int)n, "Failed to read the stream hello");
	ret = n == sizeof(head) ? ps_ovz_detect(head) : PS_OVZ_NONE;
	if (ret < 0)
		return ret;
	if (ret != PS_OVZ_NONE)
		return ps_ovz_recv(image, in_fd, ret, head, ret_stats);
	ret = ps_read_hello_from(in_fd, head, (size_t)n, &r.h);
	if (ret)
		return ret;
	r.hashes = xnew(uint64_t, ps_nr_blocks(&r.h) ? ps_nr_blocks(&r.h) : 1);
	r.buf = xzalloc(r.h.block_size);
	r.zbuf = xmalloc(r.h.block_size);	/* a compressed length never exceeds the block's */
	ret = -ENOMEM;
	if (!r.hashes || !r.buf || !r.zbuf)
		goto out;
	ret = ps_codec_open(&r.codec, r.h.features);
	if (ret)
		goto out;
	r.zero_full = ps_xxh64(r.buf, r.h.block_size, 0);
	r.zero_tail = ps_xxh64(r.buf, r.h.image_size % r.h.block_size, 0);
	for (uint64_t i = 0; i < ps_nr_blocks(&r.h); i++)
		r.hashes[i] = zero_hash(&r, i * r.h.block_size);
	ret = recv_open_tmp(&r, image);
	if (!ret)
		ret = recv_loop(&r, image);
	if (!ret && ret_stats) {
		ret_stats->format = "ploopsync";
		ret_stats->image_size = r.h.image_size;
		ret_stats->passes = r.passes;
		ret_stats->records = r.records;
	}
out:
	if (ret && r.tmp && unlink(r.tmp))
		pr_perror("Failed to remove the temporary file '%s', ignoring", r.tmp);
	if (r.out >= 0)
		close(r.out);
	free(r.tmp);
	free(r.hashes);
	free(r.buf);
	free(r.zbuf);
	ps_codec_close(&r.codec);
	return ret;
}
