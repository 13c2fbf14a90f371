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

/*
 * Guard regions (MADV_GUARD_INSTALL, 6.13+ kernels): pages that fault with
 * SIGSEGV without a VMA of their own; pagemap marks them. The dump keeps
 * their runs, in vzcr's own vzcr-guards-PID.img (pagemap_entry messages).
 */
struct mem_guards {
	struct mem_guard_run {
		uint64_t vaddr, nr_pages;
	} *r;
	size_t n, cap;
};

/*
 * The pages of @pid's VMAs @vmas that need saving to @x; guard regions of
 * all its VMAs to @guards (free with mem_guards_free()). 0 or -errno.
 */
int mem_dump_task(pid_t pid, const struct vma_list *vmas, struct page_xfer *x,
		  struct mem_dump_stats *stats, struct mem_guards *guards);
/* vzcr-guards-@pid.img in @dfd, if there are guards; 0 or -errno. */
int mem_guards_write(int dfd, pid_t pid, const struct mem_guards *guards);
void mem_guards_free(struct mem_guards *guards);

#endif /* VZCR_MEM_DUMP_H */
