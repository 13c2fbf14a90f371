// SPDX-License-Identifier: GPL-2.0-only
/* Dumped pages to pagemap + pages images. */
#define LOG_PREFIX "pages: "
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "log.h"
#include "page_xfer.h"
#include "pagemap.pb-c.h"

#define PAGE_SZ 4096UL
/* start writeback of the pages image every so many bytes */
#define WB_STEP (32UL << 20)

int page_xfer_open_type(struct page_xfer *x, int dfd, enum img_type type, unsigned int id,
			unsigned int pages_id)
{
	PagemapHead h = PAGEMAP_HEAD__INIT;
	int err;

	memset(x, 0, sizeof(*x));
	x->pagemap = img_open(dfd, type, O_WRONLY, id);
	if (!x->pagemap)
		return -errno;
	x->pages = img_open(dfd, IMG_PAGES, O_WRONLY, pages_id);
	if (!x->pages) {
		err = -errno;
		img_abort(x->pagemap);
		return err;
	}
	h.pages_id = pages_id;
	err = img_write(x->pagemap, &h);
	if (err)
		page_xfer_abort(x);
	return err;
}

int page_xfer_open(struct page_xfer *x, int dfd, unsigned int id, unsigned int pages_id)
{
	return page_xfer_open_type(x, dfd, IMG_PAGEMAP, id, pages_id);
}

static int flush_run(struct page_xfer *x)
{
	PagemapEntry pe = PAGEMAP_ENTRY__INIT;
	int err;

	if (!x->run_pages)
		return 0;
	pe.vaddr = x->run_vaddr;
	pe.nr_pages = x->run_pages;
	pe.has_flags = true;
	pe.flags = PE_PRESENT;
	err = img_write(x->pagemap, &pe);
	x->run_pages = 0;
	x->nr_entries++;
	return err;
}

/*
 * Have the kernel write what we wrote so far while we go on copying: the
 * fsync at the end then finds little left, instead of the whole image. A
 * hint only: failures show at that fsync.
 */
static void start_writeback(struct page_xfer *x)
{
	sync_file_range(img_fd(x->pages), x->synced, x->written - x->synced,
			SYNC_FILE_RANGE_WRITE);
	x->synced = x->written;
}

int page_xfer_flush(struct page_xfer *x)
{
	int err;

	if (!x->pend_len)
		return 0;
	err = img_write_raw(x->pages, x->pend, x->pend_len);
	x->written += x->pend_len;
	x->pend_len = 0;
	if (!err && x->written - x->synced >= WB_STEP)
		start_writeback(x);
	return err;
}

int page_xfer_add(struct page_xfer *x, uint64_t vaddr, const void *data, size_t nr)
{
	int err;

	if (x->run_pages && x->run_vaddr + x->run_pages * PAGE_SZ == vaddr &&
	    x->run_pages + nr <= UINT32_MAX) {
		x->run_pages += nr;
	} else {
		err = flush_run(x);
		if (err)
			return err;
		x->run_vaddr = vaddr;
		x->run_pages = nr;
	}
	x->nr_pages += nr;
	/* contents that follow the pending ones in memory go out in the same write */
	if (x->pend_len && x->pend + x->pend_len == (const char *)data) {
		x->pend_len += nr * PAGE_SZ;
		return 0;
	}
	err = page_xfer_flush(x);
	x->pend = data;
	x->pend_len = nr * PAGE_SZ;
	return err;
}

int page_xfer_close(struct page_xfer *x)
{
	int err = page_xfer_flush(x) ?: flush_run(x), e2;

	if (err) {
		page_xfer_abort(x);
		return err;
	}
	err = img_close(x->pagemap);
	e2 = img_close(x->pages);
	x->pagemap = x->pages = NULL;
	return err ? err : e2;
}

void page_xfer_abort(struct page_xfer *x)
{
	img_abort(x->pagemap);
	img_abort(x->pages);
	x->pagemap = x->pages = NULL;
}
