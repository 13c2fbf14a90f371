/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ploopsync: iterative copy of a live block image with a write tracker.
 * The sender API lets a caller (the CLI, `vzcr migrate`) run the passes
 * itself and decide when to freeze:
 *
 *	ploopsync_start(&opts, &ps);
 *	do ploopsync_next_pass(ps, &st); while (!ploopsync_should_freeze(ps));
 *	... freeze the container ...
 *	ploopsync_final_pass(ps, &st);	// sync, last pass, proof of no change
 *	ploopsync_finish(ps);		// end marker with the image checksum
 *	ploopsync_free(ps);
 *
 * All functions return 0 or -errno and log their failure where it happens.
 * The caller ignores SIGPIPE, so that a receiver going away is an error
 * (-EPIPE) and not the end of the process. The image must keep its size.
 */
#ifndef PLOOPSYNC_H
#define PLOOPSYNC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct ploopsync;
struct ploopsync_stats;

struct ploopsync_opts {
	const char *image;		/* the image to copy */
	int out_fd;			/* the stream goes here */
	const char *tracker;		/* "auto" (NULL), "reflink", "tracepoint", "scan", "ploop" */
	const char *compress;		/* DATA payloads: "none" (NULL), "zstd", "lz4" */
	const char *sync_fs;		/* also syncfs() this path before each pass (a mounted image) */
	uint32_t block_size;		/* 0: 64 KiB */
	unsigned int max_passes;	/* live passes before the freeze, 0: 10 */
	unsigned int target_freeze_ms;	/* 0: 100 */
	/* if set: called at the start of each pass and about every 100 ms in it */
	void (*progress)(void *arg, const struct ploopsync_stats *st);
	void *progress_arg;
	const char *loop_dev;		/* tracepoint: the image's loop device, NULL: find it */
	unsigned int trace_buffer_kb;	/* tracepoint: per-CPU trace buffer, 0: 4096 */
	/*
	 * If set: once *cancel is nonzero the pass in progress fails with
	 * -ECANCELED, also out of a blocked write to the stream when a signal
	 * handler without SA_RESTART set it; nothing more is written (the
	 * receiver sees no end marker). The caller then frees as usual.
	 */
	const volatile sig_atomic_t *cancel;
};

struct ploopsync_stats {
	unsigned int pass;		/* 1 = the full copy */
	bool frozen;			/* a pass after the freeze */
	uint64_t dirty_bytes;		/* bytes the tracker reported for this pass */
	uint64_t done_bytes;		/* of which handled so far (progress callback) */
	uint64_t sent_bytes;		/* stream bytes this pass (headers included) */
	uint64_t total_sent;
	double seconds;			/* this pass */
	double track_seconds;		/* of which sync + tracker */
	double rate;			/* measured send throughput (read + stream), bytes/s */
	/* in a progress callback: seconds and rate are of this pass's sending so far */
	bool full;			/* the tracker lost track (e.g. trace overrun): every block was sent */
};

struct ploopsync_recv_stats {
	const char *format;		/* "ploopsync", "ploop copy 1.x", "ploop copy 7.x" */
	uint64_t image_size;
	uint64_t passes;
	uint64_t records;
};

int ploopsync_start(const struct ploopsync_opts *opts, struct ploopsync **ret);
const char *ploopsync_tracker(const struct ploopsync *ps);
int ploopsync_next_pass(struct ploopsync *ps, struct ploopsync_stats *ret_stats);
/*
 * The stop rule: freeze now when the pass limit is reached, when the dirty
 * set stopped shrinking, or when a pass like the last one (tracker time plus
 * its dirty bytes at the measured rate) fits the target freeze time.
 */
bool ploopsync_should_freeze(const struct ploopsync *ps);
int ploopsync_final_pass(struct ploopsync *ps, struct ploopsync_stats *ret_stats);
int ploopsync_finish(struct ploopsync *ps);
void ploopsync_free(struct ploopsync *ps);

/* Receive a stream from @in_fd into @image (see PROTOCOL.md). */
int ploopsync_recv(const char *image, int in_fd, struct ploopsync_recv_stats *ret_stats);

#endif /* PLOOPSYNC_H */
