// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat userfaultfd probes, run on memory of the prober itself (the
 * registrations end when the uffd is closed):
 *  - PAGEMAP_SCAN with async write-protect: arm four pages, write one, and
 *    the scan must report exactly that one;
 *  - missing mode: a thread faults on a registered page and UFFDIO_COPY
 *    from this thread resolves it with known contents.
 */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "compat/pagemap-scan.h"
#include "compat/userfaultfd.h"
#include "kerndat-probe.h"
#include "log.h"

#define WP_PAGES	4
#define WP_WRITTEN	2	/* the page the probe writes */

/* A uffd with the API handshake done; -errno with @what set on failure. */
static int uffd_open(int flags, uint64_t features, uint64_t *ret_features, const char **what)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd, err;

	*what = "userfaultfd";
	fd = syscall(SYS_userfaultfd, flags | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = -errno;
		close(fd);
		*what = features ? "UFFDIO_API with WP_ASYNC" : "UFFDIO_API";
		return err;
	}
	*ret_features = api.features;
	return fd;
}

static long pm_scan(int pagemap, void *mem, size_t len, uint64_t flags, struct page_region *vec,
		    size_t nr)
{
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = flags,
		.start = (uintptr_t)mem,
		.end = (uintptr_t)mem + len,
		.vec = (uintptr_t)vec,
		.vec_len = nr,
		.category_mask = PAGE_IS_WRITTEN,
		.return_mask = PAGE_IS_WRITTEN,
	};

	return ioctl(pagemap, PAGEMAP_SCAN, &arg);
}

/* Arm, write one page, scan. 0, or -errno with @what set. */
static int wp_scan(int uffd, char *mem, long page, struct page_region *vec, long *ret_n,
		   const char **what)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)mem, .len = WP_PAGES * page },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	_cleanup_close_ int pm = -EBADF;

	*what = "UFFDIO_REGISTER (WP)";
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	*what = "open /proc/self/pagemap";
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0)
		return -errno;
	*what = "PAGEMAP_SCAN (arm)";
	if (pm_scan(pm, mem, WP_PAGES * page, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		    vec, WP_PAGES) < 0)
		return -errno;
	mem[WP_WRITTEN * page] = 2;
	*what = "PAGEMAP_SCAN";
	*ret_n = pm_scan(pm, mem, WP_PAGES * page, PM_SCAN_CHECK_WPASYNC, vec, WP_PAGES);
	return *ret_n < 0 ? -errno : 0;
}

static void probe_pagemap_scan(struct kerndat *kd)
{
	long page = sysconf(_SC_PAGESIZE), n = 0;
	struct page_region vec[WP_PAGES];
	_cleanup_close_ int uffd = -EBADF;
	uintptr_t want;
	const char *what;
	char *mem;
	int r;

	uffd = uffd_open(UFFD_USER_MODE_ONLY, UFFD_FEATURE_WP_ASYNC, &kd->uffd_features, &what);
	if (uffd < 0) {
		kd_no(kd, KD_PAGEMAP_SCAN, uffd, what);
		return;
	}
	mem = mmap(NULL, WP_PAGES * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (mem == MAP_FAILED) {
		kd_no(kd, KD_PAGEMAP_SCAN, -errno, "mmap");
		return;
	}
	memset(mem, 1, WP_PAGES * page);
	r = wp_scan(uffd, mem, page, vec, &n, &what);
	munmap(mem, WP_PAGES * page);
	want = (uintptr_t)mem + WP_WRITTEN * page;
	if (r)
		kd_no(kd, KD_PAGEMAP_SCAN, r, what);
	else if (n != 1 || vec[0].start != want || vec[0].end != want + page)
		kd_set(kd, KD_PAGEMAP_SCAN, false,
		       "wrote 1 of %d pages, scan reported %ld regions, first %lld pages", WP_PAGES,
		       n, n > 0 ? (long long)(vec[0].end - vec[0].start) / page : 0LL);
	else
		kd_set(kd, KD_PAGEMAP_SCAN, true,
		       "wrote 1 of %d armed pages, scan reported exactly it; uffd features %#llx",
		       WP_PAGES, (unsigned long long)kd->uffd_features);
}

static void *fault_thread(void *mem)
{
	return (void *)(uintptr_t)*(volatile unsigned char *)mem;
}

/* Answer the thread's fault on @mem with a page of 0x5a. 0 or -errno. */
static int resolve_fault(int uffd, char *mem, long page, const char **what)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	_cleanup_free_ char *src = malloc(page);
	struct uffdio_copy copy = {
		.dst = (uintptr_t)mem, .src = (uintptr_t)src, .len = page,
	};
	struct uffd_msg msg;

	*what = "waiting for the fault";
	if (!src)
		return -ENOMEM;
	memset(src, 0x5a, page);
	if (poll(&pfd, 1, KD_TIMEOUT_MS) <= 0)
		return -ETIMEDOUT;
	*what = "read uffd_msg";
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -errno;
	if (msg.event != UFFD_EVENT_PAGEFAULT ||
	    msg.arg.pagefault.address / page != (uintptr_t)mem / page)
		return -EPROTO;
	*what = "UFFDIO_COPY";
	return ioctl(uffd, UFFDIO_COPY, &copy) ? -errno : 0;
}

/*
 * Register @mem for missing faults and serve a thread's fault. On failure
 * *@uffd is closed: that wakes a fault left unresolved, so the join cannot hang.
 */
static int serve_fault(int *uffd, char *mem, long page, const char **what)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)mem, .len = page },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	void *seen = NULL;
	pthread_t thr;
	int r;

	*what = "UFFDIO_REGISTER (MISSING)";
	if (ioctl(*uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	*what = "pthread_create";
	r = -pthread_create(&thr, NULL, fault_thread, mem);
	if (r)
		return r;
	r = resolve_fault(*uffd, mem, page, what);
	if (r) {
		close(*uffd);
		*uffd = -EBADF;
	}
	pthread_join(thr, &seen);
	if (!r && (uintptr_t)seen != 0x5a) {
		*what = "contents after UFFDIO_COPY";
		r = -EPROTO;
	}
	return r;
}

static void probe_uffd_missing(struct kerndat *kd)
{
	long page = sysconf(_SC_PAGESIZE);
	_cleanup_close_ int uffd = -EBADF;
	uint64_t features;
	const char *what;
	char *mem;
	int r;

	/* kernel-mode faults (a read() into the area) need the full mode */
	uffd = uffd_open(0, 0, &features, &what);
	if (uffd == -EPERM) {
		uffd = uffd_open(UFFD_USER_MODE_ONLY, 0, &features, &what);
		kd->uffd_user_mode_only = uffd >= 0;
	}
	if (uffd < 0) {
		kd_no(kd, KD_UFFD_MISSING, uffd, what);
		return;
	}
	mem = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		kd_no(kd, KD_UFFD_MISSING, -errno, "mmap");
		return;
	}
	if (!kd->uffd_features)
		kd->uffd_features = features;
	r = serve_fault(&uffd, mem, page, &what);
	munmap(mem, page);
	if (r)
		kd_no(kd, KD_UFFD_MISSING, r, what);
	else
		kd_set(kd, KD_UFFD_MISSING, true, "a thread's fault resolved by UFFDIO_COPY%s",
		       kd->uffd_user_mode_only ? " (user-mode faults only)" : "");
}

void kd_probe_uffd(struct kerndat *kd)
{
	probe_pagemap_scan(kd);
	probe_uffd_missing(kd);
}
