// SPDX-License-Identifier: GPL-2.0-only
/* kerndat memory probes: memfd_create and soft-dirty page tracking. */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "kerndat-probe.h"
#include "log.h"

#define PM_SOFT_DIRTY	(1ULL << 55)	/* /proc/PID/pagemap entry bit */

static const char memfd_data[] = "vzcr kerndat memfd";

/* A memfd written through a shared mapping must read back through the fd. */
static void probe_memfd(struct kerndat *kd)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[sizeof(memfd_data)];
	_cleanup_close_ int fd = -EBADF;
	void *addr;
	bool same;

	fd = memfd_create("vzcr-kerndat", MFD_CLOEXEC);
	if (fd < 0) {
		kd_no(kd, KD_MEMFD, -errno, "memfd_create");
		return;
	}
	if (ftruncate(fd, page)) {
		kd_no(kd, KD_MEMFD, -errno, "ftruncate");
		return;
	}
	addr = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED) {
		kd_no(kd, KD_MEMFD, -errno, "mmap");
		return;
	}
	memcpy(addr, memfd_data, sizeof(memfd_data));
	munmap(addr, page);
	same = pread(fd, buf, sizeof(buf), 0) == sizeof(buf) &&
	       !memcmp(buf, memfd_data, sizeof(buf));
	kd_set(kd, KD_MEMFD, same, same ? "created, mapped shared, contents seen through the fd" :
					  "contents written through the mapping not seen");
}

struct sd_reply {
	int err;		/* errno of the failed step */
	int step;		/* which step: index into sd_steps */
	uint64_t written, clean;	/* pagemap entries after the test */
};

static const char *const sd_steps[] = {
	"", "mmap", "open clear_refs", "write 4 to clear_refs", "open pagemap", "read pagemap",
};

static int sd_fail(int wfd, struct sd_reply *rep, int step)
{
	rep->err = errno;
	rep->step = step;
	kd_reply(wfd, rep, sizeof(*rep));
	return 1;
}

/*
 * Child (clear_refs works on the whole process, and must not disturb the
 * caller's own soft-dirty bits): touch two pages, clear soft-dirty, write
 * one again, and read both pagemap entries.
 */
static int sd_child(void *arg, int wfd)
{
	long page = sysconf(_SC_PAGESIZE);
	struct sd_reply rep = { 0 };
	uint64_t pm[2];
	char *mem;
	int fd;

	(void)arg;
	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return sd_fail(wfd, &rep, 1);
	mem[0] = mem[page] = 1;
	fd = open("/proc/self/clear_refs", O_WRONLY);
	if (fd < 0)
		return sd_fail(wfd, &rep, 2);
	if (write(fd, "4", 1) != 1)
		return sd_fail(wfd, &rep, 3);
	mem[0] = 2;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return sd_fail(wfd, &rep, 4);
	if (pread(fd, pm, sizeof(pm), (uintptr_t)mem / page * sizeof(uint64_t)) != sizeof(pm))
		return sd_fail(wfd, &rep, 5);
	rep.written = pm[0];
	rep.clean = pm[1];
	kd_reply(wfd, &rep, sizeof(rep));
	return 0;
}

static void probe_soft_dirty(struct kerndat *kd)
{
	struct sd_reply rep;
	struct kd_child c;
	int r;

	r = kd_child_start(&c, sd_child, NULL);
	if (r) {
		kd_no(kd, KD_SOFT_DIRTY, r, "fork");
		return;
	}
	r = kd_child_read(&c, &rep, sizeof(rep), KD_TIMEOUT_MS);
	kd_child_kill(&c);
	if (r)
		kd_no(kd, KD_SOFT_DIRTY, r, "waiting for the probe");
	else if (rep.step)
		kd_no(kd, KD_SOFT_DIRTY, -rep.err, sd_steps[rep.step % ARRAY_SIZE(sd_steps)]);
	else if (!(rep.written & PM_SOFT_DIRTY))
		kd_set(kd, KD_SOFT_DIRTY, false,
		       "clear_refs 4 accepted, but a page written after it has no pagemap bit 55");
	else if (rep.clean & PM_SOFT_DIRTY)
		kd_set(kd, KD_SOFT_DIRTY, false, "clear_refs 4 did not clear pagemap bit 55");
	else
		kd_set(kd, KD_SOFT_DIRTY, true, "pagemap bit 55 set on the written page only");
}

void kd_probe_mm(struct kerndat *kd)
{
	probe_memfd(kd);
	probe_soft_dirty(kd);
}
