// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sender: passes over the image driven by a tracker, the stop rule, the
 * frozen last pass with its proof that nothing changes any more, and the
 * end marker. The hash of what was sent for each block is kept: it makes
 * the whole-image checksum and is what the scan tracker compares with.
 */
#define LOG_PREFIX "ploopsync: "
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "codec.h"
#include "hash.h"
#include "log.h"
#include "monotime.h"
#include "ploopsync.h"
#include "stream.h"
#include "tracker.h"
#include "xmalloc.h"

#define HOLE_MAX	(1u << 30)

struct ploopsync {
	struct ploopsync_opts o;
	struct ps_hello h;
	struct ps_tracker t;
	int sync_fd;
	uint64_t *sent;
	uint8_t *dirty;
	unsigned char *buf;
	uint64_t zero_full, zero_tail;
	struct ps_codec codec;		/* --compress: DATA payloads go through it */
	unsigned char *zbuf;
	size_t zcap;
	struct ploopsync_stats last;
	uint64_t prev_dirty;
	uint64_t total_sent;
	double send_seconds;		/* time spent reading and writing records */
	uint64_t next_report_us;	/* opts.progress: when to call it next */
	bool frozen, finished;
};

static double now(void)
{
	return now_us() / 1e6;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}

/* -ECANCELED (logged) once the caller's cancel flag is set */
static int cancelled(struct ploopsync *ps)
{
	if (!ps->o.cancel || !*ps->o.cancel)
		return 0;
	return log_err(-ECANCELED, "Copy of '%s' cancelled in pass %u, no end marker sent",
		       ps->o.image, ps->t.pass + 1);
}

static int sync_all(struct ploopsync *ps)
{
	struct stat st;

	if (fstat(ps->t.fd, &st))
		return log_perr(-errno, "Failed to stat '%s'", ps->o.image);
	if ((uint64_t)st.st_size != ps->h.image_size)
		return log_err(-EXDEV, "Image '%s' changed size during the copy (%" PRIu64 " -> %lld bytes)",
			       ps->o.image, ps->h.image_size, (long long)st.st_size);
	/* the container's filesystem first: its writeback lands in the image */
	if (ps->sync_fd >= 0 && syncfs(ps->sync_fd))
		return log_perr(-errno, "Failed to syncfs '%s'", ps->o.sync_fs);
	if (ps->t.ops->sync_image_fs && syncfs(ps->t.fd))
		return log_perr(-errno, "Failed to syncfs the filesystem of '%s'", ps->o.image);
	pr_debug("pass %u: synced %s%s%s", ps->t.pass + 1,
		 ps->sync_fd >= 0 ? ps->o.sync_fs : "",
		 ps->sync_fd >= 0 && ps->t.ops->sync_image_fs ? " and " : "",
		 ps->t.ops->sync_image_fs ? "the image's filesystem" : ps->sync_fd >= 0 ? "" : "nothing");
	return 0;
}

/* A run of contiguous zero blocks waiting to go out as one HOLE record. */
struct hole {
	uint64_t start, end;
};

static int flush_hole(struct ploopsync *ps, struct hole *hole, uint64_t *sent)
{
	struct ps_rec rec = { .type = PS_REC_HOLE };
	int ret;

	if (hole->start == hole->end)
		return 0;
	rec.offset = hole->start;
	rec.length = (uint32_t)(hole->end - hole->start);
	hole->start = hole->end = 0;
	ret = ps_write_rec_cancel(ps->o.out_fd, &rec, NULL, ps->o.cancel);
	*sent += PS_REC_SIZE;
	return ret;
}

/* Write a DATA record, compressed when that makes it shorter (checksum of the raw block). */
static int send_data(struct ploopsync *ps, struct ps_rec *rec)
{
	ssize_t n = 0;

	if (ps->codec.codec) {
		n = ps_codec_compress(&ps->codec, ps->buf, rec->length, ps->zbuf, ps->zcap);
		if (n < 0)
			return (int)n;
	}
	if (!n)
		return ps_write_rec_cancel(ps->o.out_fd, rec, ps->buf, ps->o.cancel);
	rec->flags = (uint16_t)ps->codec.codec;
	rec->length = (uint32_t)n;
	return ps_write_rec_cancel(ps->o.out_fd, rec, ps->zbuf, ps->o.cancel);
}

/* Send one block from @fd; zero blocks join the pending hole. */
static int send_block(struct ploopsync *ps, int fd, uint64_t b, struct hole *hole, uint64_t *sent)
{
	uint64_t off = b * ps->h.block_size;
	uint32_t len = ps_block_len(&ps->h, off);
	struct ps_rec rec = { .type = PS_REC_DATA, .offset = off, .length = len };
	ssize_t n;
	int ret;

	n = pread(fd, ps->buf, len, (off_t)off);
	if (n < 0)
		return log_perr(-errno, "Failed to read '%s' at offset %" PRIu64, ps->o.image, off);
	if ((uint32_t)n != len)
		return log_err(-EIO, "Short read of '%s' at offset %" PRIu64 " (did the image shrink?)",
			       ps->o.image, off);
	if (all_zero(ps->buf, len)) {
		ps->sent[b] = len == ps->h.block_size ? ps->zero_full : ps->zero_tail;
		if (hole->start != hole->end &&
		    (hole->end != off || off + len - hole->start > HOLE_MAX)) {
			ret = flush_hole(ps, hole, sent);
			if (ret)
				return ret;
		}
		if (hole->start == hole->end)
			hole->start = off;
		hole->end = off + len;
		return 0;
	}
	ret = flush_hole(ps, hole, sent);
	if (ret)
		return ret;
	rec.csum = ps_xxh64(ps->buf, len, 0);
	ret = send_data(ps, &rec);
	if (ret)
		return ret;
	ps->sent[b] = rec.csum;
	*sent += PS_REC_SIZE + rec.length;
	return 0;
}

/* Tell opts.progress how far this pass is, at most every 100 ms unless @force. */
static void report(struct ploopsync *ps, struct ploopsync_stats *st, uint64_t sent, double t1,
		   bool force)
{
	uint64_t t = now_us();

	if (!ps->o.progress || (!force && t < ps->next_report_us))
		return;
	ps->next_report_us = t + 100000;
	st->sent_bytes = sent;
	st->total_sent = ps->total_sent + sent;
	st->seconds = t / 1e6 - t1;
	st->rate = st->seconds > 0 ? sent / st->seconds : 0;
	ps->o.progress(ps->o.progress_arg, st);
}

/* One tracker pass and the records for its dirty blocks. */
static int do_pass(struct ploopsync *ps, struct ploopsync_stats *st, bool send)
{
	struct hole hole = { 0, 0 };
	uint64_t b, sent = 0;
	struct ps_rec mark = { .type = PS_REC_PASS };
	double t0 = now(), t1;
	int fd, ret;

	ret = cancelled(ps);
	if (!ret)
		ret = sync_all(ps);
	if (ret)
		return ret;
	memset(ps->dirty, 0, ps->t.nr_blocks);
	ps->t.full = false;
	ret = ps->t.ops->pass(&ps->t, ps->dirty, &fd);
	if (ret)
		return ret;
	ps->t.pass++;
	memset(st, 0, sizeof(*st));
	st->pass = ps->t.pass;
	st->frozen = ps->frozen;
	st->full = ps->t.full;
	for (b = 0; b < ps->t.nr_blocks; b++)
		if (ps->dirty[b])
			st->dirty_bytes += ps_block_len(&ps->h, b * ps->h.block_size);
	t1 = now();
	st->track_seconds = t1 - t0;
	if (!send)
		return 0;
	mark.offset = st->pass;
	ret = ps_write_rec_cancel(ps->o.out_fd, &mark, NULL, ps->o.cancel);
	sent += PS_REC_SIZE;
	report(ps, st, sent, t1, true);
	for (b = 0; !ret && b < ps->t.nr_blocks; b++) {
		if (!ps->dirty[b])
			continue;
		ret = cancelled(ps);
		if (!ret)
			ret = send_block(ps, fd, b, &hole, &sent);
		st->done_bytes += ps_block_len(&ps->h, b * ps->h.block_size);
		report(ps, st, sent, t1, false);
	}
	if (!ret)
		ret = flush_hole(ps, &hole, &sent);
	if (ret)
		return ret;
	st->sent_bytes = sent;
	st->seconds = now() - t0;
	ps->total_sent += sent;
	ps->send_seconds += now() - t1;
	st->total_sent = ps->total_sent;
	st->rate = ps->send_seconds > 0 ? ps->total_sent / ps->send_seconds : 0;
	return 0;
}

int ploopsync_next_pass(struct ploopsync *ps, struct ploopsync_stats *ret_stats)
{
	struct ploopsync_stats st;
	int ret;

	if (ps->frozen)
		return log_err(-EINVAL, "Live pass asked for after the freeze");
	ps->prev_dirty = ps->t.pass ? ps->last.dirty_bytes : UINT64_MAX;
	ret = do_pass(ps, &st, true);
	if (ret)
		return ret;
	ps->last = st;
	if (ret_stats)
		*ret_stats = st;
	return 0;
}

bool ploopsync_should_freeze(const struct ploopsync *ps)
{
	const struct ploopsync_stats *st = &ps->last;
	double frozen_s;

	if (st->pass >= ps->o.max_passes)
		return true;
	if (st->pass < 2)
		return false;	/* the full copy says nothing about the write rate */
	if (st->dirty_bytes >= ps->prev_dirty)
		return true;	/* not shrinking any more */
	/* a frozen pass like this one: the tracker's own time plus the data at the measured rate */
	frozen_s = st->track_seconds + (st->rate > 0 ? st->dirty_bytes / st->rate : 0);
	return frozen_s * 1000.0 <= ps->o.target_freeze_ms;
}

int ploopsync_final_pass(struct ploopsync *ps, struct ploopsync_stats *ret_stats)
{
	struct ploopsync_stats st, check;
	int ret;

	ps->frozen = true;
	ret = do_pass(ps, &st, true);
	if (ret)
		return ret;
	/* the proof: one more pass over the frozen image must find nothing */
	ret = do_pass(ps, &check, false);
	if (ret)
		return ret;
	if (check.full)
		return log_err(-EIO, "Image '%s': the %s tracker lost track (events lost) during the check pass after the freeze, so nothing proves the copy complete; no end marker sent (a larger --trace-buffer-kb helps)",
			       ps->o.image, ps->t.ops->name);
	if (check.dirty_bytes)
		return log_err(-EBUSY, "Image '%s' still changes after the freeze: %" PRIu64 " bytes changed during the check pass (is the freeze command stopping every writer?)",
			       ps->o.image, check.dirty_bytes);
	ps->last = st;
	if (ret_stats)
		*ret_stats = st;
	return 0;
}

int ploopsync_finish(struct ploopsync *ps)
{
	struct ps_rec end = { .type = PS_REC_END, .offset = ps->h.image_size };
	int ret;

	if (!ps->frozen)
		return log_err(-EINVAL, "End marker asked for before the final pass");
	ret = cancelled(ps);
	if (ret)
		return ret;
	end.csum = ps_image_hash(ps->sent, ps->t.nr_blocks);
	ret = ps_write_rec_cancel(ps->o.out_fd, &end, NULL, ps->o.cancel);
	if (!ret)
		ps->finished = true;
	return ret;
}

const char *ploopsync_tracker(const struct ploopsync *ps)
{
	return ps->t.ops ? ps->t.ops->name : "none";
}

static int open_image(struct ploopsync *ps)
{
	struct stat st;

	ps->t.fd = open(ps->o.image, O_RDONLY | O_CLOEXEC);
	if (ps->t.fd < 0)
		return log_perr(-errno, "Failed to open '%s'", ps->o.image);
	if (fstat(ps->t.fd, &st))
		return log_perr(-errno, "Failed to stat '%s'", ps->o.image);
	if (!S_ISREG(st.st_mode))
		return log_err(-EINVAL, "Image '%s' is not a regular file", ps->o.image);
	if (ps->o.sync_fs) {
		ps->sync_fd = open(ps->o.sync_fs, O_RDONLY | O_CLOEXEC);
		if (ps->sync_fd < 0)
			return log_perr(-errno, "Failed to open '%s'", ps->o.sync_fs);
	}
	ps->h = (struct ps_hello){ .version = PS_VERSION, .block_size = ps->o.block_size,
				   .image_size = (uint64_t)st.st_size, .features = ps->codec.codec };
	ps->t.path = ps->o.image;
	ps->t.size = ps->h.image_size;
	ps->t.block_size = ps->h.block_size;
	ps->t.nr_blocks = ps_nr_blocks(&ps->h);
	ps->t.loop_dev = ps->o.loop_dev;
	ps->t.trace_kb = ps->o.trace_buffer_kb;
	return 0;
}

static int open_codec(struct ploopsync *ps)
{
	unsigned int codec = PS_CODEC_NONE;

	if (ps->o.compress && ps_codec_parse(ps->o.compress, &codec))
		return log_err(-EINVAL, "Unknown compression '%s' (zstd, lz4 or none)", ps->o.compress);
	return ps_codec_open(&ps->codec, codec);
}

static int alloc_tables(struct ploopsync *ps)
{
	size_t n = ps->t.nr_blocks ? ps->t.nr_blocks : 1;

	ps->sent = xnew(uint64_t, n);
	ps->dirty = xzalloc(n);
	ps->buf = xzalloc(ps->h.block_size);
	ps->zcap = ps_codec_bound(&ps->codec, ps->h.block_size);
	ps->zbuf = ps->codec.codec ? xmalloc(ps->zcap) : NULL;
	if (!ps->sent || !ps->dirty || !ps->buf || (ps->codec.codec && !ps->zbuf))
		return -ENOMEM;
	ps->zero_full = ps_xxh64(ps->buf, ps->h.block_size, 0);
	ps->zero_tail = ps_xxh64(ps->buf, ps->h.image_size % ps->h.block_size, 0);
	/* nothing matches before the first pass: it sends every block anyway */
	memset(ps->sent, 0, n * sizeof(*ps->sent));
	ps->t.sent = ps->sent;
	return 0;
}

int ploopsync_start(const struct ploopsync_opts *opts, struct ploopsync **ret)
{
	struct ploopsync *ps = xzalloc(sizeof(*ps));
	int err;

	if (!ps)
		return -ENOMEM;
	ps->o = *opts;
	ps->t.fd = ps->sync_fd = -EBADF;
	if (!ps->o.block_size)
		ps->o.block_size = PS_BLOCK_DEFAULT;
	if (!ps->o.max_passes)
		ps->o.max_passes = 10;
	if (!ps->o.target_freeze_ms)
		ps->o.target_freeze_ms = 100;
	if (ps->o.block_size < PS_BLOCK_MIN || ps->o.block_size > PS_BLOCK_MAX ||
	    (ps->o.block_size & (ps->o.block_size - 1))) {
		err = log_err(-EINVAL, "Block size %u is not a power of two in [%u, %u]",
			      ps->o.block_size, PS_BLOCK_MIN, PS_BLOCK_MAX);
		goto err_free;
	}
	err = open_codec(ps);
	if (!err)
		err = open_image(ps);
	if (!err)
		err = alloc_tables(ps);
	if (!err)
		err = ps_tracker_open(&ps->t, ps->o.tracker ? ps->o.tracker : "auto");
	if (!err)
		err = ps_write_hello(ps->o.out_fd, &ps->h);
	if (err)
		goto err_free;
	*ret = ps;
	return 0;
err_free:
	ploopsync_free(ps);
	return err;
}

void ploopsync_free(struct ploopsync *ps)
{
	if (!ps)
		return;
	ps_tracker_close(&ps->t);
	if (ps->t.fd >= 0)
		close(ps->t.fd);
	if (ps->sync_fd >= 0)
		close(ps->sync_fd);
	free(ps->sent);
	free(ps->dirty);
	free(ps->buf);
	free(ps->zbuf);
	ps_codec_close(&ps->codec);
	free(ps);
}
