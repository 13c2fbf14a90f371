// SPDX-License-Identifier: GPL-2.0-only
/*
 * The receiver against forged streams: a good one lands whole and sparse;
 * every bad one (offset past the image, length over the limit, bad data
 * checksum, wrong version, interrupted, bad end checksum, data after the
 * end) fails with its reason named, leaves the previous IMAGE untouched and
 * leaves no temporary file behind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "ploopsync.h"
#include "stream.h"
#include "tap.h"

#define BS	4096u
#define SIZE	(5 * BS + 100)	/* an odd size: the last block is short */

static char dir[] = "/tmp/ps-test-recv.XXXXXX";
static char image[64], stream[64];
static unsigned char blocks[6][BS];

enum forge { GOOD, PAST_END, TOO_LONG, BAD_CSUM, BAD_VERSION, NO_END, BAD_END, TRAILING, SHORT_PAYLOAD };

static uint64_t block_hash(int i)
{
	return ps_xxh64(blocks[i], i == 5 ? 100 : BS, 0);
}

static void forge(enum forge how)
{
	struct ps_hello h = { .version = how == BAD_VERSION ? 2 : 1, .block_size = BS, .image_size = SIZE };
	struct ps_rec r = { .type = PS_REC_DATA };
	uint64_t hashes[6];
	int fd = open(stream, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ps_write_hello(fd, &h);
	for (int i = 0; i < 6; i++) {
		hashes[i] = block_hash(i);
		if (i == 2) {	/* the zero block goes as a hole */
			r = (struct ps_rec){ .type = PS_REC_HOLE, .offset = 2 * BS, .length = BS };
			ps_write_rec(fd, &r, NULL);
			continue;
		}
		r = (struct ps_rec){ .type = PS_REC_DATA, .offset = (uint64_t)i * BS,
				     .length = i == 5 ? 100 : BS, .csum = hashes[i] };
		if (how == PAST_END && i == 3)
			r.offset = 64 * BS;
		if (how == TOO_LONG && i == 3)
			r.length = 2 * BS;
		if (how == BAD_CSUM && i == 3)
			r.csum ^= 1;
		if (how == SHORT_PAYLOAD && i == 5) {
			ps_write_rec(fd, &r, blocks[i]);
			ftruncate(fd, lseek(fd, 0, SEEK_CUR) - 10);
			close(fd);
			return;
		}
		ps_write_rec(fd, &r, blocks[i]);
	}
	r = (struct ps_rec){ .type = PS_REC_END, .offset = SIZE, .csum = ps_image_hash(hashes, 6) };
	if (how == BAD_END)
		r.csum++;
	if (how != NO_END)
		ps_write_rec(fd, &r, NULL);
	if (how == TRAILING)
		write(fd, "x", 1);
	close(fd);
}

static int nr_hidden(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	while ((de = readdir(d)))
		n += de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static int receive(void)
{
	int fd = open(stream, O_RDONLY), ret;

	log_reset_first();
	ret = ploopsync_recv(image, fd, NULL);
	close(fd);
	return ret;
}

static bool image_is(const char *content)
{
	char buf[16] = "";
	int fd = open(image, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	close(fd);
	return n == (ssize_t)strlen(content) && !memcmp(buf, content, n);
}

static void bad(enum forge how, int err, const char *words, const char *what)
{
	forge(how);
	is_int(receive(), err, "%s: refused", what);
	ok(strstr(log_first_error(), words), "%s: the error says '%s' (%s)", what, words, log_first_error());
	ok(image_is("OLD IMAGE"), "%s: the previous IMAGE is untouched", what);
	is_int(nr_hidden(), 0, "%s: no temporary file left", what);
}

static void good(void)
{
	unsigned char buf[BS];
	struct stat st;
	int fd;

	forge(GOOD);
	is_int(receive(), 0, "a good stream is received");
	fd = open(image, O_RDONLY);
	fstat(fd, &st);
	is_int(st.st_size, SIZE, "the image has the odd size");
	ok(st.st_blocks * 512 <= 5 * BS, "the zero block stayed a hole (%lld bytes allocated)",
	   (long long)st.st_blocks * 512);
	pread(fd, buf, BS, 3 * BS);
	ok(!memcmp(buf, blocks[3], BS), "block 3 arrived");
	pread(fd, buf, 100, 5 * BS);
	ok(!memcmp(buf, blocks[5], 100), "the short last block arrived");
	close(fd);
	is_int(nr_hidden(), 0, "no temporary file left");
}

int main(void)
{
	int fd;

	log_set_level(LOG_ERROR);
	log_set_fd(open("/dev/null", O_WRONLY));
	if (!mkdtemp(dir))
		bail_out("mkdtemp");
	snprintf(image, sizeof(image), "%s/image", dir);
	snprintf(stream, sizeof(stream), "/tmp/ps-test-recv-stream.%d", getpid());
	for (int i = 0; i < 6; i++)
		for (unsigned j = 0; j < BS; j++)
			blocks[i][j] = i == 2 ? 0 : (unsigned char)(rand() | 1);
	good();
	fd = open(image, O_WRONLY | O_TRUNC);
	write(fd, "OLD IMAGE", 9);
	close(fd);
	bad(PAST_END, -EPROTO, "offset", "offset past the image size");
	bad(TOO_LONG, -EPROTO, "length", "length over the limit");
	bad(BAD_CSUM, -EBADMSG, "checksum mismatch at offset 12288", "corrupted block");
	bad(BAD_VERSION, -EPROTO, "version 2", "wrong version");
	bad(NO_END, -EPIPE, "interrupted", "stream without an end marker");
	bad(SHORT_PAYLOAD, -EPIPE, "interrupted", "stream cut inside a payload");
	bad(BAD_END, -EBADMSG, "whole-image checksum", "wrong whole-image checksum");
	bad(TRAILING, -EPROTO, "after the end marker", "data after the end marker");
	unlink(image);
	unlink(stream);
	rmdir(dir);
	return done_testing();
}
