/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where dumped pages go: a pagemap image (runs of present pages by address)
 * and a pages image (their contents, in pagemap order). Runs at adjacent
 * addresses are merged into one pagemap entry.
 */
#ifndef VZCR_PAGE_XFER_H
#define VZCR_PAGE_XFER_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

#define PE_PARENT	(1U << 0)
#define PE_LAZY		(1U << 1)
#define PE_PRESENT	(1U << 2)

struct page_xfer {
	struct img *pagemap;
	struct img *pages;
	uint64_t run_vaddr;		/* pending entry, not written yet */
	uint64_t run_pages;
	uint64_t nr_pages;		/* pages written in all */
	const char *pend;		/* contents added, not written yet */
	size_t pend_len;
	uint64_t written;		/* pages image bytes written */
	uint64_t synced;		/* of them, sent to writeback */
	uint64_t nr_entries;
};

/* pagemap-@id.img and pages-@pages_id.img in @dfd. 0 or -errno. */
int page_xfer_open(struct page_xfer *x, int dfd, unsigned int id, unsigned int pages_id);
/* The same for another pagemap-like image @type (IMG_SHMEM_PAGEMAP). */
int page_xfer_open_type(struct page_xfer *x, int dfd, enum img_type type, unsigned int id,
			unsigned int pages_id);
/*
 * Append @nr pages at @vaddr with contents @data. The contents are written
 * later, together with those that follow them in memory: @data must stay
 * unchanged until page_xfer_flush() or page_xfer_close(). 0 or -errno.
 */
int page_xfer_add(struct page_xfer *x, uint64_t vaddr, const void *data, size_t nr);
/* Write the contents added so far (before their buffer is reused). 0 or -errno. */
int page_xfer_flush(struct page_xfer *x);
/* Flush and commit both images; 0 or -errno. Always frees. */
int page_xfer_close(struct page_xfer *x);
void page_xfer_abort(struct page_xfer *x);

#endif /* VZCR_PAGE_XFER_H */
