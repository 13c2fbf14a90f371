/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-record compression of DATA payloads (PROTOCOL.md, "Compression").
 * A codec's number is at once its hello feature bit and its record flag.
 * Each codec is built only when its library was found (config.h); without
 * it, opening the codec fails and names the package to install.
 */
#ifndef PLOOPSYNC_CODEC_H
#define PLOOPSYNC_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PS_CODEC_NONE	0u
#define PS_CODEC_ZSTD	1u	/* feature bit 0, record flag 0x1 */
#define PS_CODEC_LZ4	2u	/* feature bit 1, record flag 0x2 */
#define PS_CODEC_ALL	(PS_CODEC_ZSTD | PS_CODEC_LZ4)

struct ps_codec {
	unsigned int codec;
	void *cctx, *dctx;	/* zstd's reusable contexts */
};

const char *ps_codec_name(unsigned int codec);
/* "zstd", "lz4", "none" -> codec; -EINVAL for any other name. */
int ps_codec_parse(const char *name, unsigned int *ret);
/* The codecs this build can encode and decode (feature bits). */
unsigned int ps_codec_built(void);
/* Ready @c for @codec; -EOPNOTSUPP (named) when built without its library. */
int ps_codec_open(struct ps_codec *c, unsigned int codec);
void ps_codec_close(struct ps_codec *c);
/* Room a compressed block of @len bytes may need. */
size_t ps_codec_bound(const struct ps_codec *c, size_t len);
/*
 * Compress @len bytes into @dst (@cap from ps_codec_bound): the compressed
 * length, or 0 when it would not be shorter than @len (send the block raw).
 */
ssize_t ps_codec_compress(struct ps_codec *c, const void *src, size_t len, void *dst, size_t cap);
/*
 * Decompress @len bytes of @codec into exactly @want bytes at @dst; a
 * corrupt payload or any other decompressed length is -EBADMSG, named with
 * @offset (the block's offset in the image).
 */
int ps_codec_decompress(struct ps_codec *c, unsigned int codec, const void *src, size_t len,
			void *dst, size_t want, uint64_t offset);

#endif /* PLOOPSYNC_CODEC_H */
