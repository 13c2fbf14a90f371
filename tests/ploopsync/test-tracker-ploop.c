// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ploop tracker backend against a fake ploop driver: a sysfs tree in a
 * temporary directory names the image as the top delta of ploop0, and the
 * ioctls are answered as the OpenVZ kernel's tracker does (ploop-copy.md):
 * INIT returns the image end and resets the position, writes are recorded
 * only below the position, READ pops extents in order (EAGAIN when none,
 * the uncopied tail when the delta grew, ECONNABORTED once aborted), STOP
 * refuses while extents are unread, ABORT drops everything. Also: on this
 * host (no driver) the real backend says the driver is absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "tracker.h"
#include "tracker_ploop.h"

#define BS	4096u
#define NBLK	32u
#define SIZE	((uint64_t)NBLK * BS)
#define MAXQ	64

static struct fake {
	int fd;			/* the fake /dev/ploop0 as opened */
	bool tracking, aborted;
	uint64_t pos, end;
	struct ps_ploop_extent q[MAXQ];
	unsigned int nq;
	int init_err, read_err;	/* scripted failures, 0: none */
	unsigned int inits, stops, aborts, syncs, opens, closes;
} fk;

static int fake_open(const char *path, int flags)
{
	fk.opens++;
	fk.fd = open(path, flags);
	return fk.fd;
}

static int fake_close(int fd)
{
	fk.closes++;
	return close(fd);
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static int fake_read(struct ps_ploop_extent *e)
{
	if (fk.read_err) {
		int err = fk.read_err;

		fk.read_err = 0;
		return fail(err);
	}
	if (fk.aborted)
		return fail(ECONNABORTED);
	if (fk.nq) {
		*e = fk.q[0];
		memmove(fk.q, fk.q + 1, --fk.nq * sizeof(fk.q[0]));
		return 0;
	}
	if (fk.end > fk.pos && fk.pos) {
		*e = (struct ps_ploop_extent){ fk.pos, fk.end };	/* the grown tail */
		return 0;
	}
	return fail(EAGAIN);
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd != fk.fd)
		return fail(EBADF);
	switch (req) {
	case PS_PLOOP_TRACK_INIT:
		fk.inits++;
		if (fk.init_err)
			return fail(fk.init_err);
		fk.tracking = true;
		fk.aborted = false;
		fk.pos = fk.nq = 0;
		*(struct ps_ploop_extent *)arg = (struct ps_ploop_extent){ 0, fk.end };
		return 0;
	case PS_PLOOP_TRACK_SETPOS:
		if (*(uint64_t *)arg < fk.pos && *(uint64_t *)arg)
			return fail(EINVAL);
		fk.pos = *(uint64_t *)arg;
		return 0;
	case PS_PLOOP_TRACK_READ:
		return fake_read(arg);
	case PS_PLOOP_TRACK_STOP:
		if (fk.aborted)
			return fail(ECONNABORTED);
		if (fk.nq)
			return fail(EBUSY);
		fk.stops++;
		fk.tracking = false;
		return 0;
	case PS_PLOOP_TRACK_ABORT:
		fk.aborts++;
		fk.tracking = fk.aborted = false;
		fk.nq = 0;
		return 0;
	case PS_PLOOP_SYNC:
		fk.syncs++;
		return 0;
	}
	return fail(ENOTTY);
}

/* A write the container makes: recorded only below the copy position. */
static void fake_write(uint64_t start, uint64_t end)
{
	if (fk.tracking && start < fk.pos && fk.nq < MAXQ)
		fk.q[fk.nq++] = (struct ps_ploop_extent){ start, end < fk.pos ? end : fk.pos };
}

static char dir[] = "/tmp/ps-test-ploop.XXXXXX";
static char image[128];
static struct ps_ploop_ops fake_ops = {
	.root = dir, .open = fake_open, .ioctl = fake_ioctl, .close = fake_close,
};

static void put(const char *rel, const char *text)
{
	char path[256], cmd[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) || !(f = fopen(path, "w")))
		bail_out("cannot make %s", path);
	fputs(text, f);
	fclose(f);
}

static void tracker_init(struct ps_tracker *t, const struct ps_ploop_ops *ops)
{
	*t = (struct ps_tracker){ .path = image, .size = SIZE, .block_size = BS,
				  .nr_blocks = NBLK, .ploop_ops = ops };
	t->fd = open(image, O_RDONLY);
	if (t->fd < 0)
		bail_out("cannot open %s", image);
}

/* The blocks a pass marked, as a string of 0/1. */
static const char *pass(struct ps_tracker *t, int *ret)
{
	static char s[NBLK + 1];
	uint8_t dirty[NBLK] = { 0 };
	unsigned int i;
	int fd;

	t->full = false;
	*ret = ps_tracker_ploop.pass(t, dirty, &fd);
	t->pass++;
	for (i = 0; i < NBLK; i++)
		s[i] = dirty[i] ? '1' : '0';
	s[NBLK] = '\0';
	return s;
}

static void test_absent(void)
{
	struct ps_tracker t;

	tracker_init(&t, NULL);
	log_reset_first();
	if (!access("/sys/module/ploop", F_OK)) {
		skip(2, "this host has the ploop driver");
	} else {
		is_int(ps_tracker_open(&t, "ploop"), -ENODEV, "no driver: the ploop tracker refuses with ENODEV");
		ok(strstr(log_first_error(), "ploop kernel driver is absent on this host"),
		   "and says the driver is absent (%s)", log_first_error());
	}
	close(t.fd);
}

static void test_lookup(void)
{
	struct ps_tracker t;

	tracker_init(&t, &fake_ops);
	put("sys/block/ploop1/pdelta/0/image", "/nowhere\n");	/* not started: no pstate/top */
	put("sys/block/ploop7/pstate/top", "0\n");
	put("sys/block/ploop7/pdelta/0/image", "/etc/hostname\n");	/* another image */
	log_reset_first();
	is_int(ps_tracker_ploop.probe(&t, true), -ENODEV, "an image that no ploop device holds is refused");
	ok(strstr(log_first_error(), "is not the top delta of any running ploop device"),
	   "naming the image (%s)", log_first_error());
	put("sys/block/ploop0/pstate/top", "1\n");
	put("sys/block/ploop0/pdelta/0/image", "/etc/hostname\n");
	put("sys/block/ploop0/pdelta/1/image", image);
	is_int(ps_tracker_ploop.probe(&t, true), 0, "the device whose top delta (level 1) is the image is found");
	put("sys/block/ploop0/pstate/top", "x1\n");
	log_reset_first();
	is_int(ps_tracker_ploop.probe(&t, true), -EPROTO, "a bad pstate/top is refused");
	ok(strstr(log_first_error(), "pstate/top"), "naming the file (%s)", log_first_error());
	put("sys/block/ploop0/pstate/top", "1\n");
	close(t.fd);
}

static void test_passes(void)
{
	struct ps_tracker t;
	int ret;

	tracker_init(&t, &fake_ops);
	fk.end = SIZE - 3 * BS;		/* the delta's allocated end, below the file size */
	is_int(ps_tracker_open(&t, "ploop"), 0, "start: the fake device is opened and tracking begins");
	ok(fk.opens == 1 && fk.inits == 1 && fk.tracking, "TRACK_INIT was called once");
	fake_write(0, BS);		/* before the first pass: position 0, not recorded */
	is_str(pass(&t, &ret), "11111111111111111111111111111111", "pass 1 copies every block");
	ok(!ret && fk.pos == SIZE, "and raises the copy position to the image size");
	fake_write(BS, 2 * BS);
	fake_write(5 * BS + 100, 7 * BS);
	fake_write(31 * BS, 32 * BS);
	is_str(pass(&t, &ret), "01000110000000000000000000000001", "pass 2: exactly the written extents (end exclusive)");
	ok(!ret && !t.full && fk.syncs == 2, "not a full pass; PLOOP_IOC_SYNC before each pass");
	is_str(pass(&t, &ret), "00000000000000000000000000000000", "nothing written: EAGAIN, an empty pass");
	/* the read pointer wraps: the pass ends with the extent that starts a new round */
	fake_write(9 * BS, 10 * BS);
	fake_write(2 * BS, 3 * BS);
	fake_write(20 * BS, 21 * BS);
	is_str(pass(&t, &ret), "00100000010000000000000000000000", "a pass stops at the wrap (a new round)");
	is_str(pass(&t, &ret), "00000000000000000000100000000000", "the next pass takes the rest");
	fk.aborted = true;
	is_str(pass(&t, &ret), "11111111111111111111111111111111", "ECONNABORTED: every block is copied");
	ok(!ret && t.full && fk.aborts == 1 && fk.inits == 2 && fk.pos == SIZE,
	   "the tracker was aborted, started again and its position set");
	fake_write(4 * BS, 5 * BS);
	fk.read_err = ENOSPC;
	is_str(pass(&t, &ret), "11111111111111111111111111111111", "ENOSPC from TRACK_READ: a full pass too");
	ok(!ret && t.full, "said as a full pass");
	is_str(pass(&t, &ret), "00000000000000000000000000000000", "the restart dropped the old records");
	ps_tracker_close(&t);
	ok(fk.stops == 1 && fk.aborts == 2 && !fk.tracking && fk.closes == fk.opens,
	   "stop: TRACK_STOP (no ABORT) and the device closed");
	close(t.fd);
}

static void test_failures(void)
{
	struct ps_tracker t;
	int ret;

	tracker_init(&t, &fake_ops);
	fk = (struct fake){ .end = SIZE, .init_err = EBUSY };
	log_reset_first();
	is_int(ps_tracker_open(&t, "ploop"), -EBUSY, "TRACK_INIT busy: start fails");
	ok(strstr(log_first_error(), "PLOOP_IOC_TRACK_INIT") && fk.closes == 1 && !fk.aborts,
	   "naming the ioctl, the device closed, nothing aborted (%s)", log_first_error());
	fk = (struct fake){ .end = SIZE + BS };
	log_reset_first();
	is_int(ps_tracker_open(&t, "ploop"), -EXDEV, "a delta end past the image is refused");
	ok(strstr(log_first_error(), "past the") && fk.aborts == 1, "naming it; the started tracker is aborted (%s)", log_first_error());
	fk = (struct fake){ .end = SIZE };
	is_int(ps_tracker_open(&t, "ploop"), 0, "start again");
	pass(&t, &ret);
	fk.end = SIZE + 2 * BS;		/* the delta grew: READ returns the tail past the position */
	log_reset_first();
	pass(&t, &ret);
	is_int(ret, -EXDEV, "a delta that grew past the image fails the pass");
	ok(strstr(log_first_error(), "the delta grew"), "saying so (%s)", log_first_error());
	fake_write(3 * BS, 4 * BS);
	ps_tracker_close(&t);
	ok(fk.aborts == 1 && !fk.stops && !fk.tracking, "after a failure stop aborts the tracker");
	fk = (struct fake){ .end = SIZE };
	t.pass = 0;
	is_int(ps_tracker_open(&t, "ploop"), 0, "start once more");
	pass(&t, &ret);
	fake_write(3 * BS, 4 * BS);
	ps_tracker_close(&t);
	ok(fk.aborts == 1 && !fk.stops, "extents left unread: STOP is refused (EBUSY), ABORT follows");
	close(t.fd);
}

int main(void)
{
	char cmd[128];
	int fd;

	log_set_level(LOG_ERROR);
	log_set_fd(open("/dev/null", O_WRONLY));	/* errors are checked through log_first_error() */
	if (!mkdtemp(dir))
		bail_out("mkdtemp failed");
	snprintf(image, sizeof(image), "%s/root.hds", dir);
	fd = open(image, O_CREAT | O_WRONLY, 0600);
	if (fd < 0 || ftruncate(fd, SIZE))
		bail_out("cannot make %s", image);
	close(fd);
	put("dev/ploop0", "");
	test_absent();
	put("sys/module/ploop/refcnt", "1\n");
	test_lookup();
	test_passes();
	test_failures();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		diag("cannot remove %s", dir);
	return done_testing();
}
