// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compressed DATA records (PROTOCOL.md, "Compression"): zstd and lz4 round
 * trips through the codec and through the receiver, and every refusal:
 * a compressed length over the limit, a payload that decompresses to a
 * length other than the block's, a codec the hello did not announce, a
 * corrupt payload, a flag on a record that is not DATA. A refused stream
 * leaves the previous IMAGE untouched.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "hash.h"
#include "log.h"
#include "ploopsync.h"
#include "stream.h"
#include "tap.h"

#define BS	4096u
#define SIZE	(3 * BS + 500)	/* the last block is short */

static char dir[] = "/tmp/ps-test-codec.XXXXXX";
static char image[64], stream[64];
static unsigned char blocks[4][BS];

enum forge { GOOD, OVER_LIMIT, SHORT_OUT, UNANNOUNCED, CORRUPT, FLAG_ON_HOLE, TWO_CODECS };

static uint32_t blen(int i)
{
	return i == 3 ? 500 : BS;
}

/* A stream of 4 blocks, block 1 (and the short last one) compressed with @codec. */
static void forge(unsigned int codec, enum forge how)
{
	struct ps_hello h = { .version = 1, .block_size = BS, .image_size = SIZE, .features = codec };
	struct ps_codec c;
	unsigned char z[2 * BS];
	uint64_t hashes[4];
	int fd = open(stream, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ps_codec_open(&c, codec);
	if (how == UNANNOUNCED)
		h.features = 0;
	if (how == TWO_CODECS)
		h.features = PS_CODEC_ALL;
	ps_write_hello(fd, &h);
	for (int i = 0; i < 4; i++) {
		struct ps_rec r = { .type = PS_REC_DATA, .offset = (uint64_t)i * BS, .length = blen(i) };
		const void *payload = blocks[i];
		ssize_t n;

		hashes[i] = r.csum = ps_xxh64(blocks[i], blen(i), 0);
		if (i == 1 || i == 3) {
			/* SHORT_OUT: the payload holds only the first half of the block */
			n = ps_codec_compress(&c, blocks[i], how == SHORT_OUT && i == 1 ? BS / 2 : blen(i),
					      z, sizeof(z));
			r.flags = (uint16_t)codec;
			r.length = (uint32_t)n;
			payload = z;
			if (how == CORRUPT && i == 1)
				z[n / 2] ^= 0x55;
			if (how == OVER_LIMIT && i == 1)
				r.length = BS + 1;
			if (how == TWO_CODECS && i == 1)
				r.flags = PS_CODEC_ALL;
		}
		ps_write_rec(fd, &r, payload);
	}
	if (how == FLAG_ON_HOLE) {
		struct ps_rec r = { .type = PS_REC_HOLE, .offset = 0, .length = BS, .flags = (uint16_t)codec };

		ps_write_rec(fd, &r, NULL);
	}
	struct ps_rec end = { .type = PS_REC_END, .offset = SIZE, .csum = ps_image_hash(hashes, 4) };

	ps_write_rec(fd, &end, NULL);
	close(fd);
	ps_codec_close(&c);
}

static int receive(void)
{
	int fd = open(stream, O_RDONLY), ret;

	log_reset_first();
	ret = ploopsync_recv(image, fd, NULL);
	close(fd);
	return ret;
}

static bool image_is_old(void)
{
	char buf[16] = "";
	int fd = open(image, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	close(fd);
	return n == 9 && !memcmp(buf, "OLD IMAGE", 9);
}

static void bad(unsigned int codec, enum forge how, int err, const char *words, const char *what)
{
	int fd = open(image, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	write(fd, "OLD IMAGE", 9);
	close(fd);
	forge(codec, how);
	is_int(receive(), err, "%s %s: refused", ps_codec_name(codec), what);
	ok(strstr(log_first_error(), words), "%s %s: the error says '%s' (%s)", ps_codec_name(codec),
	   what, words, log_first_error());
	ok(image_is_old(), "%s %s: the previous IMAGE is untouched", ps_codec_name(codec), what);
}

static void good(unsigned int codec)
{
	static unsigned char got[SIZE];
	struct ps_codec c;
	unsigned char z[2 * BS], out[BS];
	ssize_t n;
	int fd;

	ok(!ps_codec_open(&c, codec), "%s: the codec opens", ps_codec_name(codec));
	n = ps_codec_compress(&c, blocks[1], BS, z, sizeof(z));
	ok(n > 0 && n < BS, "%s: a text block compresses (%zd of %u bytes)", ps_codec_name(codec), n, BS);
	ok(!ps_codec_decompress(&c, codec, z, n, out, BS, 0) && !memcmp(out, blocks[1], BS),
	   "%s: and decompresses to the same bytes", ps_codec_name(codec));
	is_int(ps_codec_compress(&c, blocks[0], BS, z, sizeof(z)), 0,
	       "%s: random data is not compressed (sent raw)", ps_codec_name(codec));
	ps_codec_close(&c);
	forge(codec, GOOD);
	is_int(receive(), 0, "%s: a stream with compressed blocks is received", ps_codec_name(codec));
	fd = open(image, O_RDONLY);
	n = read(fd, got, SIZE);
	close(fd);
	ok(n == SIZE && !memcmp(got, blocks[0], BS) && !memcmp(got + BS, blocks[1], BS) &&
	   !memcmp(got + 3 * BS, blocks[3], 500), "%s: the image is identical", ps_codec_name(codec));
}

int main(void)
{
	static const unsigned int codecs[] = { PS_CODEC_ZSTD, PS_CODEC_LZ4 };

	log_set_level(LOG_ERROR);
	log_set_fd(open("/dev/null", O_WRONLY));
	if (ps_codec_built() != PS_CODEC_ALL)
		skip_all("ploopsync was built without libzstd or liblz4 (scripts/deps.sh installs them)");
	if (!mkdtemp(dir))
		bail_out("mkdtemp");
	snprintf(image, sizeof(image), "%s/image", dir);
	snprintf(stream, sizeof(stream), "%s/stream", dir);
	for (unsigned j = 0; j < BS; j++) {
		blocks[0][j] = (unsigned char)rand();
		blocks[1][j] = "compressible text, "[j % 19];
		blocks[2][j] = (unsigned char)(rand() | 1);
		blocks[3][j] = (unsigned char)('a' + j % 7);
	}
	for (int i = 0; i < 2; i++) {
		unsigned int c = codecs[i];

		good(c);
		bad(c, OVER_LIMIT, -EPROTO, "over the limit 4096", "compressed length over the limit");
		bad(c, SHORT_OUT, -EBADMSG, "decompresses to 2048 bytes, the block has 4096",
		    "decompressed length differs from the block's");
		bad(c, UNANNOUNCED, -EPROTO, "which the hello did not announce", "codec not announced");
		bad(c, CORRUPT, -EBADMSG, "offset 4096", "corrupt compressed payload");
		bad(c, FLAG_ON_HOLE, -EPROTO, "flags", "codec flag on a HOLE record");
		bad(c, TWO_CODECS, -EPROTO, "not zero or one codec", "two codec flags at once");
	}
	unlink(image);
	unlink(stream);
	rmdir(dir);
	return done_testing();
}
