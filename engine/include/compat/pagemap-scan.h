/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PAGEMAP_SCAN, the ioctl on /proc/PID/pagemap (Linux 6.7,
 * include/uapi/linux/fs.h). Debian 12's linux 6.1 headers lack it; these are
 * the kernel's uapi values. Whether the running kernel has it is for kerndat
 * to find out: an older kernel answers ENOTTY.
 */
#ifndef VZCR_COMPAT_PAGEMAP_SCAN_H
#define VZCR_COMPAT_PAGEMAP_SCAN_H

#include <linux/fs.h>
#include <linux/types.h>
#include <sys/ioctl.h>

#ifndef PAGEMAP_SCAN

/* Page categories: masks in pm_scan_arg, reported in page_region.categories */
#define PAGE_IS_WPALLOWED	(1 << 0)	/* uffd async write-protect armed */
#define PAGE_IS_WRITTEN		(1 << 1)	/* written since last armed */
#define PAGE_IS_FILE		(1 << 2)
#define PAGE_IS_PRESENT		(1 << 3)
#define PAGE_IS_SWAPPED		(1 << 4)
#define PAGE_IS_PFNZERO		(1 << 5)
#define PAGE_IS_HUGE		(1 << 6)
#define PAGE_IS_SOFT_DIRTY	(1 << 7)

/* One run of pages with the same categories; @end is exclusive. */
struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

/* pm_scan_arg.flags */
#define PM_SCAN_WP_MATCHING	(1 << 0)	/* write-protect the matched pages */
#define PM_SCAN_CHECK_WPASYNC	(1 << 1)	/* fail on a page without async WP */

/*
 * @size: sizeof(struct pm_scan_arg); @start/@end: the range; @walk_end: set
 * by the kernel where the walk stopped; @vec/@vec_len: output page_region
 * array; @max_pages: 0 = no limit; the category masks select pages (a page
 * matches when (categories ^ inverted) & mask == mask and, if anyof_mask is
 * set, (categories ^ inverted) & anyof_mask != 0); @return_mask: which
 * categories are reported.
 */
struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define PAGEMAP_IOCTL_MAGIC	'f'
#define PAGEMAP_SCAN		_IOWR(PAGEMAP_IOCTL_MAGIC, 16, struct pm_scan_arg)

#endif /* PAGEMAP_SCAN */

#endif /* VZCR_COMPAT_PAGEMAP_SCAN_H */
