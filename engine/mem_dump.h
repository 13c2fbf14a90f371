/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dump the private memory of a stopped task: the pages of its VMAs that a
 * restore cannot get elsewhere. Pages never touched are not present and not
 * dumped; pages of anonymous memory that hold only zeroes are skipped too
 * (a restore gets fresh zero pages there for free); pages of private file
 * mappings are dumped only once written (CoW'd away from the file).
 */
#ifndef VZCR_MEM_DUMP_H
#define VZCR_MEM_DUMP_H

#include <stdbool.h>
#include <sys/types.h>

#include "page_xfer.h"
#include "proc_parse.h"

struct mem_dump_stats {
	uint64_t pages_scanned;		/* in VMAs whose pages we look at */
	uint64_t pages_present;
	uint64_t pages_zero;		/* present but all zero: skipped */
	uint64_t pages_written;
};

/* Does the page at @p hold only zero bytes? */
bool mem_page_is_zero(const void *p);

/* Does a VMA with this status carry pages the dump must save? */
bool vma_needs_pages(const struct vma_area *v);

int mem_dump_task(pid_t pid, const struct vma_list *vmas, struct page_xfer *x,
		  struct mem_dump_stats *stats);

#endif /* VZCR_MEM_DUMP_H */
