/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ploopsync wire format (PROTOCOL.md): a 48-byte hello, then 32-byte
 * record headers, DATA records followed by their payload. Encoders fill
 * little-endian buffers; decoders check every field against the limits and
 * the hello and name the field that is wrong.
 */
#ifndef PLOOPSYNC_STREAM_H
#define PLOOPSYNC_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#define PS_HELLO_MAGIC		"PLOOPSYN"
#define PS_VERSION		1
#define PS_HELLO_SIZE		48
#define PS_REC_MAGIC		0x52535350u	/* "PSSR" little-endian */
#define PS_REC_SIZE		32
#define PS_BLOCK_MIN		4096u
#define PS_BLOCK_MAX		(4u << 20)
#define PS_BLOCK_DEFAULT	(64u << 10)
#define PS_IMAGE_MAX		(1ULL << 50)	/* 1 PiB */
#define PS_FEATURES_KNOWN	3u		/* bit 0 zstd, bit 1 lz4 (codec.h) */

enum ps_rec_type {
	PS_REC_DATA = 1,
	PS_REC_HOLE = 2,
	PS_REC_PASS = 3,
	PS_REC_END = 4,
};

/*
 * DATA record flags: the codec of a compressed payload (codec.h), one of the
 * hello's feature bits; length is then the compressed length.
 */
#define PS_REC_FLAGS_CODEC	3u

struct ps_hello {
	uint32_t version;
	uint32_t features;
	uint32_t block_size;
	uint64_t image_size;
};

struct ps_rec {
	uint16_t type;
	uint16_t flags;
	uint32_t length;
	uint64_t offset;
	uint64_t csum;
};

void ps_hello_encode(const struct ps_hello *h, unsigned char buf[PS_HELLO_SIZE]);
int ps_hello_decode(const unsigned char buf[PS_HELLO_SIZE], struct ps_hello *ret);
void ps_rec_encode(const struct ps_rec *r, unsigned char buf[PS_REC_SIZE]);
/* Decode and check a record header against @h; -EPROTO names the field. */
int ps_rec_decode(const unsigned char buf[PS_REC_SIZE], const struct ps_hello *h,
		  struct ps_rec *ret);

/* Length of the block at @offset (the last one may be short). */
uint32_t ps_block_len(const struct ps_hello *h, uint64_t offset);
uint64_t ps_nr_blocks(const struct ps_hello *h);

/* Write/read whole encoded units; 0 or -errno (-EPIPE/-EIO named). */
int ps_write_hello(int fd, const struct ps_hello *h);
int ps_write_rec(int fd, const struct ps_rec *r, const void *data);
/*
 * The same, giving up with -ECANCELED once *@cancel is nonzero, also while
 * a write blocks (a signal handler installed without SA_RESTART sets it).
 */
int ps_write_rec_cancel(int fd, const struct ps_rec *r, const void *data,
			const volatile sig_atomic_t *cancel);
/* Returns 0, or -ENODATA at a clean EOF before the hello, or -errno. */
int ps_read_hello(int fd, struct ps_hello *ret);
/* The same when the first @have bytes (@head) were already read. */
int ps_read_hello_from(int fd, const unsigned char *head, size_t have, struct ps_hello *ret);
/* Reads a header; EOF gives -EPIPE ("stream ended before the end marker"). */
int ps_read_rec(int fd, const struct ps_hello *h, struct ps_rec *ret);

#endif /* PLOOPSYNC_STREAM_H */
