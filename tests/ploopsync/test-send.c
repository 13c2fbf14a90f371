// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sender library as vzcr migrate drives it, pass by pass, with the scan
 * tracker: the first pass covers the image, a later pass reports exactly the
 * blocks written in between (a block changed and changed back is still sent
 * when it differs from what went out), the frozen pass and its proof, the
 * end marker, and the receiver ends with an identical image.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ploopsync.h"
#include "tap.h"

#define BS	4096u
#define SIZE	(64 * BS + 123)

static char dir[] = "/tmp/ps-test-send.XXXXXX";
static char image[64], stream[64], dest[64];

static void poke_n(uint64_t off, const void *buf, size_t len)
{
	int fd = open(image, O_WRONLY);

	pwrite(fd, buf, len, (off_t)off);
	close(fd);
}

static void poke(uint64_t off, const char *s)
{
	poke_n(off, s, strlen(s));
}

static bool same_files(const char *a, const char *b)
{
	static unsigned char ba[SIZE], bb[SIZE];
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
	bool same = read(fa, ba, SIZE) == SIZE && read(fb, bb, SIZE) == SIZE && !memcmp(ba, bb, SIZE);

	close(fa);
	close(fb);
	return same;
}

int main(void)
{
	struct ploopsync_opts o = { .tracker = "scan", .block_size = BS, .max_passes = 5 };
	struct ploopsync_stats st;
	struct ploopsync *ps;
	int fd;

	log_set_level(LOG_ERROR);
	if (!mkdtemp(dir))
		bail_out("mkdtemp");
	snprintf(image, sizeof(image), "%s/image", dir);
	snprintf(stream, sizeof(stream), "%s/stream", dir);
	snprintf(dest, sizeof(dest), "%s/dest", dir);
	fd = open(image, O_WRONLY | O_CREAT, 0600);
	ftruncate(fd, SIZE);
	close(fd);
	poke(0, "first block");
	poke(SIZE - 3, "end");

	o.image = image;
	o.out_fd = open(stream, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	is_int(ploopsync_start(&o, &ps), 0, "start");
	is_str(ploopsync_tracker(ps), "scan", "the scan tracker as asked");
	is_int(ploopsync_next_pass(ps, &st), 0, "pass 1");
	ok(st.pass == 1 && st.dirty_bytes == SIZE, "pass 1 covers the image (%llu bytes)",
	   (unsigned long long)st.dirty_bytes);
	ok(!ploopsync_should_freeze(ps), "no freeze after the full copy alone");

	poke(10 * BS + 5, "x");			/* block 10 */
	poke(20 * BS - 1, "yz");		/* blocks 19 and 20 */
	poke(0, "first block");			/* the same bytes again: no change */
	is_int(ploopsync_next_pass(ps, &st), 0, "pass 2");
	is_int(st.dirty_bytes, 3 * BS, "pass 2 reports exactly the 3 written blocks");

	poke(30 * BS, "changed");
	is_int(ploopsync_next_pass(ps, &st), 0, "pass 3");
	is_int(st.dirty_bytes, BS, "pass 3 reports the one written block");
	poke_n(30 * BS, "\0\0\0\0\0\0\0", 7);	/* back to zeros after it was sent */
	is_int(ploopsync_final_pass(ps, &st), 0, "final pass and its proof");
	ok(st.frozen && st.dirty_bytes == BS, "the frozen pass sends the block changed back");
	is_int(ploopsync_finish(ps), 0, "end marker");
	ploopsync_free(ps);
	close(o.out_fd);

	fd = open(stream, O_RDONLY);
	is_int(ploopsync_recv(dest, fd, NULL), 0, "the stream is received");
	close(fd);
	ok(same_files(image, dest), "the received image is identical");
	unlink(image);
	unlink(stream);
	unlink(dest);
	rmdir(dir);
	return done_testing();
}
