/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A private tracefs instance and a reader of its per-CPU binary ring
 * buffers (trace_pipe_raw). Layouts come from the kernel's own format
 * files (events/header_page, events/SYSTEM/EVENT/format); every page and
 * record read is checked against them before use.
 */
#ifndef PLOOPSYNC_TRACEFS_H
#define PLOOPSYNC_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFS_ROOT	"/sys/kernel/tracing"

/* Where a field sits in a record (or in the page header). */
struct tfs_field {
	uint32_t offset, size;
};

/* The layout of a ring-buffer page as events/header_page describes it. */
struct tfs_page_fmt {
	struct tfs_field commit;	/* bytes of data on the page, plus flag bits */
	uint32_t data;			/* offset of the first record */
	size_t page_size;		/* one sub-buffer: what one read returns */
};

struct tfs_instance {
	char *name;			/* ploopsync-PID-N */
	int dirfd;			/* instances/NAME */
	unsigned int nr_cpus;
	int *pipe;			/* per_cpu/cpuN/trace_pipe_raw, non-blocking */
	unsigned int *cpu;		/* N of each pipe */
	struct tfs_page_fmt page;
	unsigned char *buf;		/* one page */
};

/* Called for each data record of the wanted event type; @rec holds @len bytes. */
typedef void (*tfs_record_fn)(void *arg, const unsigned char *rec, size_t len);

/*
 * Mount tracefs on TFS_ROOT unless it is there, remove instances named
 * @prefix-PID-* whose PID is gone (left by a killed run), and make a new
 * instance @prefix-OURPID-N with per-CPU buffers of @buffer_kb (0: keep
 * the kernel's default). On failure nothing is left behind.
 */
int tfs_instance_create(struct tfs_instance *ti, const char *prefix, unsigned int buffer_kb);
/* Disable its events, close its buffers and remove the instance (idempotent). */
void tfs_instance_remove(struct tfs_instance *ti);
/* Write @val to the instance's file @path (relative to the instance). */
int tfs_write(struct tfs_instance *ti, const char *path, const char *val);
/* Offset and size of field @name in the format text @fmt; -ENOENT if absent. */
int tfs_find_field(const char *fmt, const char *name, struct tfs_field *ret);
/* The numeric "ID:" of an event format text; -EPROTO if absent. */
int tfs_event_id(const char *fmt, uint32_t *ret);
/* Read the instance's file @path (a format, stats) into a new string. */
int tfs_read(struct tfs_instance *ti, const char *path, char **ret);
/* Events the kernel lost in the instance so far (overrun + dropped, all CPUs). */
int tfs_lost_events(struct tfs_instance *ti, uint64_t *ret);
/*
 * Parse one page read from trace_pipe_raw: call @fn for each data record
 * whose common_type (first 2 bytes) is @type. *@ret_missed is set when
 * the page says events were lost before it. -EPROTO on a malformed page
 * (logged with the offset of the bad record).
 */
int tfs_parse_page(const struct tfs_page_fmt *pf, const unsigned char *page, size_t len,
		   uint16_t type, tfs_record_fn fn, void *arg, bool *ret_missed);
/* Read every CPU buffer until it is empty, parsing each page as above. */
int tfs_drain(struct tfs_instance *ti, uint16_t type, tfs_record_fn fn, void *arg,
	      bool *ret_missed);

#endif /* PLOOPSYNC_TRACEFS_H */
