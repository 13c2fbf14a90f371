// SPDX-License-Identifier: GPL-2.0-only
/*
 * ploopsync wire format: XXH64 against published vectors, hello and record
 * round trips, and every refusal the receiver relies on (bad magic, version,
 * features, block size, offsets past the image, lengths over the limit,
 * header checksum).
 */
#include <fcntl.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "stream.h"
#include "tap.h"

static const struct ps_hello hello = { .version = PS_VERSION, .block_size = 65536,
				       .image_size = 1000000 };

static int rec_rt(struct ps_rec r, struct ps_rec *out)
{
	unsigned char buf[PS_REC_SIZE];

	ps_rec_encode(&r, buf);
	return ps_rec_decode(buf, &hello, out);
}

static void test_hash(void)
{
	const char *s = "Nobody inspects the spammish repetition";
	uint64_t t[2] = { 1, 2 };

	is_int((long long)ps_xxh64("", 0, 0), (long long)0xEF46DB3751D8E999ULL, "xxh64 of empty");
	is_int((long long)ps_xxh64("a", 1, 0), (long long)0xD24EC4F1A98C6E5BULL, "xxh64 of 'a'");
	is_int((long long)ps_xxh64("abc", 3, 0), (long long)0x44BC2CF5AD770999ULL, "xxh64 of 'abc'");
	is_int((long long)ps_xxh64(s, strlen(s), 0), (long long)0xFBCEA83C8A378BF1ULL,
	       "xxh64 of a 39-byte string (lane path)");
	ok(ps_image_hash(t, 2) != ps_image_hash(t, 1), "image hash depends on every block");
}

static void test_hello(void)
{
	unsigned char buf[PS_HELLO_SIZE];
	struct ps_hello h = hello, got;

	ps_hello_encode(&h, buf);
	ok(!ps_hello_decode(buf, &got) && got.image_size == h.image_size &&
	   got.block_size == h.block_size, "hello round trip");
	h.version = 2;
	ps_hello_encode(&h, buf);
	log_reset_first();
	is_int(ps_hello_decode(buf, &got), -EPROTO, "hello version 2 refused");
	ok(strstr(log_first_error(), "version 2"), "the error names the version");
	h = hello;
	h.block_size = 65537;
	ps_hello_encode(&h, buf);
	is_int(ps_hello_decode(buf, &got), -EPROTO, "block size not a power of two refused");
	h.block_size = 8u << 20;
	ps_hello_encode(&h, buf);
	is_int(ps_hello_decode(buf, &got), -EPROTO, "block size over the limit refused");
	h = hello;
	h.features = 4;
	ps_hello_encode(&h, buf);
	is_int(ps_hello_decode(buf, &got), -EPROTO, "unknown feature bits refused");
	ps_hello_encode(&hello, buf);
	buf[0] = 'X';
	is_int(ps_hello_decode(buf, &got), -EPROTO, "bad hello magic refused");
	ps_hello_encode(&hello, buf);
	buf[30] ^= 1;
	is_int(ps_hello_decode(buf, &got), -EPROTO, "flipped image size caught by the hello checksum");
}

static void test_records(void)
{
	struct ps_rec r = { .type = PS_REC_DATA, .offset = 65536, .length = 65536, .csum = 42 }, got;
	unsigned char buf[PS_REC_SIZE];

	ok(!rec_rt(r, &got) && got.offset == 65536 && got.csum == 42, "DATA round trip");
	r.offset = 983040;	/* the last, short block */
	r.length = 1000000 - 983040;
	ok(!rec_rt(r, &got), "short last block accepted");
	r.length = 65536;
	is_int(rec_rt(r, &got), -EPROTO, "last block longer than the image refused");
	r.offset = 1048576;
	log_reset_first();
	is_int(rec_rt(r, &got), -EPROTO, "offset past the image size refused");
	ok(strstr(log_first_error(), "offset"), "the error names the offset");
	r.offset = 4096;
	is_int(rec_rt(r, &got), -EPROTO, "unaligned offset refused");
	r.offset = 0;
	r.length = 65536 * 2;
	is_int(rec_rt(r, &got), -EPROTO, "DATA length over the limit refused");
	r = (struct ps_rec){ .type = PS_REC_HOLE, .offset = 0, .length = 1000000 };
	ok(!rec_rt(r, &got), "HOLE of the whole image accepted");
	r.length = 1000001;
	is_int(rec_rt(r, &got), -EPROTO, "HOLE past the image refused");
	r = (struct ps_rec){ .type = PS_REC_END, .offset = 1000000, .csum = 7 };
	ok(!rec_rt(r, &got) && got.csum == 7, "END round trip");
	r.offset = 0;
	is_int(rec_rt(r, &got), -EPROTO, "END with a wrong image size refused");
	r = (struct ps_rec){ .type = 9 };
	is_int(rec_rt(r, &got), -EPROTO, "unknown record type refused");
	r = (struct ps_rec){ .type = PS_REC_PASS, .offset = 3 };
	ps_rec_encode(&r, buf);
	buf[13] ^= 0x10;
	is_int(ps_rec_decode(buf, &hello, &got), -EPROTO, "flipped header bit caught by its checksum");
	ps_rec_encode(&r, buf);
	buf[0] = 0;
	is_int(ps_rec_decode(buf, &hello, &got), -EPROTO, "bad record magic refused");
}

int main(void)
{
	log_set_level(LOG_ERROR);
	log_set_fd(open("/dev/null", 1));
	test_hash();
	test_hello();
	test_records();
	return done_testing();
}
