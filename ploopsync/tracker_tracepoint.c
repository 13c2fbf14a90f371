// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracepoint tracker: any host filesystem, for an image attached to a
 * loop device (a container's mounted disk). A private tracefs instance
 * records block:block_rq_complete for that device only; each pass drains
 * the per-CPU ring buffers and marks the image blocks that completed
 * writes, discards and write-zeroes touched (sector + the loop offset).
 * The sender syncs the mounted filesystem first, so every write the
 * container made before the pass has completed and is in the buffers.
 *
 * A thread drains the buffers every TP_DRAIN_MS between passes too, so
 * that the buffers need only hold what arrives in that time, not what a
 * whole pass (seconds of sending) lets pile up. PLOOPSYNC_TRACE_DRAIN_MS
 * changes the interval; 0 turns the thread off (tests use it to make
 * overruns certain).
 *
 * Lost events are never a silent miss: an overrun/dropped counter that
 * moved, a page flagged as following lost events, or a record too short
 * to read makes the pass mark every block (a full pass).
 *
 * Blind spot, by design: only I/O through the loop device is seen. A
 * process writing to the image file directly (not through /dev/loopN)
 * is invisible here; use reflink or scan for such images.
 */
#define LOG_PREFIX "ploopsync: "
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loopdev.h"
#include "tracefs.h"
#include "tracker.h"
#include "xmalloc.h"

#define TP_EVENT	"events/block/block_rq_complete"
#define TP_DEFAULT_KB	4096	/* per CPU: seconds of 50k IOPS between two passes */
#define SECTOR		512ULL
#define TP_DRAIN_MS	20

struct tp {
	struct tfs_instance ti;
	struct ps_loop loop;
	uint32_t kdev;			/* the loop device as the kernel's dev_t (MAJOR << 20 | MINOR) */
	uint32_t id;			/* the event's common_type */
	struct tfs_field dev, sector, nr_sector, rwbs;
	uint32_t min_len;		/* a record shorter than this cannot be read */
	uint64_t lost;			/* the kernel's loss counters at the last pass */
	struct ps_tracker *t;
	/* the drain thread; everything below is under @lock */
	pthread_t thread;
	unsigned long drain_ms;
	bool thread_on, quit;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int thread_err;			/* the drain failed (logged there) */
	uint8_t *seen;			/* blocks written since the last pass */
	bool missed;			/* a page said events were lost before it */
	uint64_t events, short_recs;
};

static void mark_all(struct ps_tracker *t, uint8_t *dirty)
{
	memset(dirty, 1, t->nr_blocks);
}

/* Mark the image blocks under @nr sectors at @sector of the loop device. */
static void mark_range(struct tp *tp, uint64_t sector, uint32_t nr)
{
	struct ps_tracker *t = tp->t;
	uint64_t start, end, b;

	if (sector > (UINT64_MAX - tp->loop.offset) / SECTOR - nr)
		return;		/* past any image */
	start = tp->loop.offset + sector * SECTOR;
	end = start + nr * SECTOR;
	if (start >= t->size)
		return;
	if (end > t->size)
		end = t->size;
	for (b = start / t->block_size; b <= (end - 1) / t->block_size; b++)
		tp->seen[b] = 1;
}

static void on_record(void *arg, const unsigned char *rec, size_t len)
{
	struct tp *tp = arg;
	uint32_t dev, nr;
	uint64_t sector;
	const char *op;
	char rwbs[16] = "";

	if (len < tp->min_len) {
		tp->short_recs++;
		return;
	}
	memcpy(&dev, rec + tp->dev.offset, sizeof(dev));
	memcpy(&sector, rec + tp->sector.offset, sizeof(sector));
	memcpy(&nr, rec + tp->nr_sector.offset, sizeof(nr));
	memcpy(rwbs, rec + tp->rwbs.offset, tp->rwbs.size < 15 ? tp->rwbs.size : 15);
	if (dev != tp->kdev || !nr)
		return;
	/* "R..." is a read; a write may carry a preflush "F" first: count all but reads */
	for (op = rwbs; *op == 'F'; op++)
		;
	if (*op == 'R')
		return;
	tp->events++;
	mark_range(tp, sector, nr);
}

/* Drain the buffers every TP_DRAIN_MS until told to quit or a drain fails. */
static void *drain_thread(void *arg)
{
	struct tp *tp = arg;
	struct timespec until;

	pthread_mutex_lock(&tp->lock);
	while (!tp->quit && !tp->thread_err) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)tp->drain_ms * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&tp->wake, &tp->lock, &until);
		if (!tp->quit)
			tp->thread_err = tfs_drain(&tp->ti, (uint16_t)tp->id, on_record, tp, &tp->missed);
	}
	pthread_mutex_unlock(&tp->lock);
	return NULL;
}

/* Under tp->lock: the last records, the loss check, and @dirty from what was seen. */
static int collect(struct ps_tracker *t, struct tp *tp, uint8_t *dirty)
{
	uint64_t lost, b;
	int ret;

	if (tp->thread_err)
		return tp->thread_err;
	ret = tfs_drain(&tp->ti, (uint16_t)tp->id, on_record, tp, &tp->missed);
	if (ret)
		return ret;
	/* read after the drain: a loss before any record we read is counted by now */
	ret = tfs_lost_events(&tp->ti, &lost);
	if (ret)
		return ret;
	if (!t->pass) {
		mark_all(t, dirty);	/* the full copy */
	} else if (tp->missed || lost != tp->lost || tp->short_recs) {
		pr_warn("tracepoint: %" PRIu64 " trace events lost since the last pass (ring buffer overrun%s%s): this pass copies every block",
			lost - tp->lost, tp->missed ? ", flagged page" : "",
			tp->short_recs ? ", short records" : "");
		mark_all(t, dirty);
		t->full = true;
	} else {
		for (b = 0; b < t->nr_blocks; b++)
			dirty[b] |= tp->seen[b];
	}
	pr_debug("tracepoint: pass %u: %" PRIu64 " write completions on %s", t->pass + 1, tp->events,
		 tp->loop.path);
	memset(tp->seen, 0, t->nr_blocks);
	tp->missed = false;
	tp->events = tp->short_recs = 0;
	tp->lost = lost;
	return 0;
}

static int tp_pass(struct ps_tracker *t, uint8_t *dirty, int *ret_data_fd)
{
	struct tp *tp = t->priv;
	int ret;

	*ret_data_fd = t->fd;
	pthread_mutex_lock(&tp->lock);
	ret = collect(t, tp, dirty);
	pthread_mutex_unlock(&tp->lock);
	return ret;
}

/* Field @name of the event, at least @size bytes (exactly, if @exact). */
static int event_field(struct tp *tp, const char *fmt, const char *name, uint32_t size, bool exact,
		       struct tfs_field *ret)
{
	if (tfs_find_field(fmt, name, ret) || ret->size < size || (exact && ret->size != size))
		return log_err(-EPROTO, "Field '%s' of %s is missing or not %u bytes in instance '%s'",
			       name, TP_EVENT, size, tp->ti.name);
	if (ret->offset + ret->size > tp->min_len)
		tp->min_len = ret->offset + ret->size;
	return 0;
}

static int event_format(struct tp *tp)
{
	struct tfs_field type;
	char *fmt = NULL;
	int ret;

	ret = tfs_read(&tp->ti, TP_EVENT "/format", &fmt);
	if (ret)
		return ret;
	if (tfs_event_id(fmt, &tp->id))
		ret = log_err(-EPROTO, "No event ID in '%s/format' of instance '%s'", TP_EVENT, tp->ti.name);
	if (!ret)
		ret = event_field(tp, fmt, "common_type", 2, true, &type);
	if (!ret && type.offset)
		ret = log_err(-EPROTO, "Field common_type of %s is not first", TP_EVENT);
	if (!ret)
		ret = event_field(tp, fmt, "dev", 4, true, &tp->dev);
	if (!ret)
		ret = event_field(tp, fmt, "sector", 8, true, &tp->sector);
	if (!ret)
		ret = event_field(tp, fmt, "nr_sector", 4, true, &tp->nr_sector);
	if (!ret)
		ret = event_field(tp, fmt, "rwbs", 1, false, &tp->rwbs);
	free(fmt);
	return ret;
}

/* Only this device, and no reads: fewer records to store and to read. */
static int set_filter(struct tp *tp)
{
	char filter[96];

	snprintf(filter, sizeof(filter), "dev == %u && !(rwbs ~ \"R*\")", tp->kdev);
	if (!tfs_write(&tp->ti, TP_EVENT "/filter", filter))
		return 0;
	snprintf(filter, sizeof(filter), "dev == %u", tp->kdev);
	pr_info("tracepoint: filtering on the device only");
	return tfs_write(&tp->ti, TP_EVENT "/filter", filter);
}

static int start_thread(struct tp *tp)
{
	const char *env = getenv("PLOOPSYNC_TRACE_DRAIN_MS");
	sigset_t all, old;
	char *end;
	int ret;

	tp->drain_ms = TP_DRAIN_MS;
	if (env) {
		tp->drain_ms = strtoul(env, &end, 10);
		if (*end || end == env || tp->drain_ms > 10000)
			return log_err(-EINVAL, "PLOOPSYNC_TRACE_DRAIN_MS='%s' is not a number of ms up to 10000", env);
		if (!tp->drain_ms)
			return 0;
	}
	/* signals go to the sender's thread, where they interrupt a blocked write */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = -pthread_create(&tp->thread, NULL, drain_thread, tp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return log_perr(ret, "Failed to start the trace drain thread");
	tp->thread_on = true;
	return 0;
}

static int tp_setup(struct ps_tracker *t, struct tp *tp)
{
	int ret;

	ret = ps_loop_find(t->path, t->fd, t->loop_dev, true, &tp->loop);
	if (ret)
		return ret;
	tp->kdev = (major(tp->loop.rdev) << 20) | minor(tp->loop.rdev);
	ret = tfs_instance_create(&tp->ti, "ploopsync", t->trace_kb ? t->trace_kb : TP_DEFAULT_KB);
	if (ret)
		return ret;
	ret = event_format(tp);
	if (!ret)
		ret = set_filter(tp);
	if (!ret)
		ret = tfs_write(&tp->ti, TP_EVENT "/enable", "1");
	if (!ret)
		ret = tfs_lost_events(&tp->ti, &tp->lost);
	if (ret)
		return ret;
	ret = start_thread(tp);
	if (ret)
		return ret;
	pr_info("tracepoint: tracing writes to %s (%u:%u, image offset %" PRIu64 ") in tracefs instance %s",
		tp->loop.path, major(tp->loop.rdev), minor(tp->loop.rdev), tp->loop.offset, tp->ti.name);
	return 0;
}

static void tp_stop(struct ps_tracker *t)
{
	struct tp *tp = t->priv;

	if (!tp)
		return;
	if (tp->thread_on) {
		pthread_mutex_lock(&tp->lock);
		tp->quit = true;
		pthread_cond_signal(&tp->wake);
		pthread_mutex_unlock(&tp->lock);
		pthread_join(tp->thread, NULL);
	}
	pthread_cond_destroy(&tp->wake);
	pthread_mutex_destroy(&tp->lock);
	tfs_instance_remove(&tp->ti);
	free(tp->seen);
	free(tp);
	t->priv = NULL;
}

static int tp_start(struct ps_tracker *t)
{
	struct tp *tp = xzalloc(sizeof(*tp));
	pthread_condattr_t ca;
	int ret;

	if (!tp)
		return -ENOMEM;
	tp->ti.dirfd = -EBADF;
	tp->t = t;
	t->priv = tp;
	pthread_mutex_init(&tp->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tp->wake, &ca);
	pthread_condattr_destroy(&ca);
	tp->seen = xzalloc(t->nr_blocks ? t->nr_blocks : 1);
	if (!tp->seen) {
		tp_stop(t);
		return -ENOMEM;
	}
	ret = tp_setup(t, tp);
	if (ret)
		tp_stop(t);
	return ret;
}

static int tp_probe(struct ps_tracker *t, bool verbose)
{
	struct ps_loop loop;
	int ret;

	ret = ps_loop_find(t->path, t->fd, t->loop_dev, verbose, &loop);
	if (ret)
		return ret;
	/* tracefs not mounted yet: start mounts it and says so if it cannot */
	if (!access(TFS_ROOT "/" TP_EVENT "/format", R_OK) || access(TFS_ROOT "/instances", F_OK))
		return 0;
	return verbose ? log_err(-ENOENT, "This kernel has no tracepoint block:block_rq_complete ('%s/%s')",
				 TFS_ROOT, TP_EVENT) : -ENOENT;
}

const struct ps_tracker_ops ps_tracker_tracepoint = {
	.name = "tracepoint",
	.probe = tp_probe,
	.start = tp_start,
	.pass = tp_pass,
	.stop = tp_stop,
};
