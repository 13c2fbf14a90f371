// SPDX-License-Identifier: GPL-2.0-only
/* ploopsync wire format: encode, decode and check (PROTOCOL.md). */
#define LOG_PREFIX "ploopsync: "
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "hash.h"
#include "io.h"
#include "le.h"
#include "log.h"
#include "stream.h"

/* Layout: magic[8] version features block_size reserved image_size pad[8] csum */
void ps_hello_encode(const struct ps_hello *h, unsigned char buf[PS_HELLO_SIZE])
{
	memset(buf, 0, PS_HELLO_SIZE);
	memcpy(buf, PS_HELLO_MAGIC, 8);
	put_le32(buf + 8, h->version);
	put_le32(buf + 12, h->features);
	put_le32(buf + 16, h->block_size);
	put_le64(buf + 24, h->image_size);
	put_le64(buf + 40, ps_xxh64(buf, 40, 0));
}

int ps_hello_decode(const unsigned char buf[PS_HELLO_SIZE], struct ps_hello *ret)
{
	struct ps_hello h;

	if (memcmp(buf, PS_HELLO_MAGIC, 8))
		return log_err(-EPROTO, "Bad stream: hello magic is not '%s' (not a ploopsync stream, nor an OpenVZ ploop copy stream)",
			       PS_HELLO_MAGIC);
	h.version = get_le32(buf + 8);
	if (h.version != PS_VERSION)
		return log_err(-EPROTO, "Bad stream: hello version %u, this receiver speaks version %u",
			       h.version, PS_VERSION);
	if (get_le64(buf + 40) != ps_xxh64(buf, 40, 0))
		return log_err(-EPROTO, "Bad stream: hello checksum mismatch");
	h.features = get_le32(buf + 12);
	if (h.features & ~PS_FEATURES_KNOWN)
		return log_err(-EPROTO, "Bad stream: hello features 0x%x include unknown bits 0x%x",
			       h.features, h.features & ~PS_FEATURES_KNOWN);
	h.block_size = get_le32(buf + 16);
	if (h.block_size < PS_BLOCK_MIN || h.block_size > PS_BLOCK_MAX ||
	    (h.block_size & (h.block_size - 1)))
		return log_err(-EPROTO, "Bad stream: hello block_size %u is not a power of two in [%u, %u]",
			       h.block_size, PS_BLOCK_MIN, PS_BLOCK_MAX);
	if (get_le32(buf + 20) || get_le64(buf + 32))
		return log_err(-EPROTO, "Bad stream: hello reserved fields are not zero");
	h.image_size = get_le64(buf + 24);
	if (h.image_size > PS_IMAGE_MAX)
		return log_err(-EPROTO, "Bad stream: hello image_size %" PRIu64 " over the limit %llu",
			       h.image_size, PS_IMAGE_MAX);
	*ret = h;
	return 0;
}

/* Layout: magic type flags length offset csum hdr_csum(low 32 bits of XXH64) */
void ps_rec_encode(const struct ps_rec *r, unsigned char buf[PS_REC_SIZE])
{
	put_le32(buf, PS_REC_MAGIC);
	put_le16(buf + 4, r->type);
	put_le16(buf + 6, r->flags);
	put_le32(buf + 8, r->length);
	put_le64(buf + 12, r->offset);
	put_le64(buf + 20, r->csum);
	put_le32(buf + 28, (uint32_t)ps_xxh64(buf, 28, 0));
}

uint64_t ps_nr_blocks(const struct ps_hello *h)
{
	return (h->image_size + h->block_size - 1) / h->block_size;
}

uint32_t ps_block_len(const struct ps_hello *h, uint64_t offset)
{
	uint64_t left = h->image_size - offset;

	return left < h->block_size ? (uint32_t)left : h->block_size;
}

static int check_range(const struct ps_rec *r, const struct ps_hello *h)
{
	const char *what = r->type == PS_REC_DATA ? "DATA" : "HOLE";

	if (r->offset % h->block_size || r->offset >= h->image_size)
		return log_err(-EPROTO, "Bad stream: %s offset %" PRIu64 " is not a block start inside the image (size %" PRIu64 ", block %u)",
			       what, r->offset, h->image_size, h->block_size);
	if (r->type == PS_REC_DATA && !r->flags && r->length != ps_block_len(h, r->offset))
		return log_err(-EPROTO, "Bad stream: DATA length %u at offset %" PRIu64 " is not the block length %u (limit %u)",
			       r->length, r->offset, ps_block_len(h, r->offset), h->block_size);
	if (r->type == PS_REC_DATA && r->flags && (!r->length || r->length > ps_block_len(h, r->offset)))
		return log_err(-EPROTO, "Bad stream: compressed DATA length %u at offset %" PRIu64 " is over the limit %u (the block length) or zero",
			       r->length, r->offset, ps_block_len(h, r->offset));
	if (r->type == PS_REC_HOLE &&
	    (!r->length || r->length > h->image_size - r->offset ||
	     (r->length % h->block_size && r->offset + r->length != h->image_size)))
		return log_err(-EPROTO, "Bad stream: HOLE length %u at offset %" PRIu64 " is not whole blocks inside the image",
			       r->length, r->offset);
	if (r->type == PS_REC_HOLE && r->csum)
		return log_err(-EPROTO, "Bad stream: HOLE checksum field is not zero");
	return 0;
}

int ps_rec_decode(const unsigned char buf[PS_REC_SIZE], const struct ps_hello *h,
		  struct ps_rec *ret)
{
	struct ps_rec r;

	if (get_le32(buf) != PS_REC_MAGIC)
		return log_err(-EPROTO, "Bad stream: record magic 0x%08x, expected 0x%08x",
			       get_le32(buf), PS_REC_MAGIC);
	if (get_le32(buf + 28) != (uint32_t)ps_xxh64(buf, 28, 0))
		return log_err(-EPROTO, "Bad stream: record header checksum mismatch");
	r.type = get_le16(buf + 4);
	r.flags = get_le16(buf + 6);
	r.length = get_le32(buf + 8);
	r.offset = get_le64(buf + 12);
	r.csum = get_le64(buf + 20);
	if (r.flags && (r.type != PS_REC_DATA || (r.flags != PS_CODEC_ZSTD && r.flags != PS_CODEC_LZ4)))
		return log_err(-EPROTO, "Bad stream: record type %u flags 0x%x are not zero or one codec",
			       r.type, r.flags);
	if (r.flags & ~h->features)
		return log_err(-EPROTO, "Bad stream: DATA at offset %" PRIu64 " is compressed with '%s', which the hello did not announce (features 0x%x)",
			       r.offset, ps_codec_name(r.flags), h->features);
	switch (r.type) {
	case PS_REC_DATA:
	case PS_REC_HOLE:
		if (check_range(&r, h))
			return -EPROTO;
		break;
	case PS_REC_PASS:
		if (r.length || r.csum)
			return log_err(-EPROTO, "Bad stream: PASS length/checksum are not zero");
		break;
	case PS_REC_END:
		if (r.length || r.offset != h->image_size)
			return log_err(-EPROTO, "Bad stream: END length %u / offset %" PRIu64 " (expected 0 / image size %" PRIu64 ")",
				       r.length, r.offset, h->image_size);
		break;
	default:
		return log_err(-EPROTO, "Bad stream: record type %u is unknown", r.type);
	}
	*ret = r;
	return 0;
}

int ps_write_hello(int fd, const struct ps_hello *h)
{
	unsigned char buf[PS_HELLO_SIZE];
	int ret;

	ps_hello_encode(h, buf);
	ret = write_full(fd, buf, sizeof(buf));
	if (ret)
		return log_perr(ret, "Failed to write the stream hello");
	return 0;
}

/* write_full, but EINTR returns -ECANCELED when *@cancel is set */
static int write_all(int fd, const unsigned char *buf, size_t len,
		     const volatile sig_atomic_t *cancel)
{
	ssize_t n;

	while (len) {
		if (cancel && *cancel)
			return -ECANCELED;
		n = write(fd, buf, len);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

int ps_write_rec_cancel(int fd, const struct ps_rec *r, const void *data,
			const volatile sig_atomic_t *cancel)
{
	unsigned char buf[PS_REC_SIZE];
	int ret;

	ps_rec_encode(r, buf);
	ret = write_all(fd, buf, sizeof(buf), cancel);
	if (!ret && r->type == PS_REC_DATA)
		ret = write_all(fd, data, r->length, cancel);
	if (ret == -ECANCELED)
		return log_err(ret, "Cancelled while writing the stream record at offset %" PRIu64, r->offset);
	if (ret)
		return log_perr(ret, "Failed to write a stream record at offset %" PRIu64, r->offset);
	return 0;
}

int ps_write_rec(int fd, const struct ps_rec *r, const void *data)
{
	return ps_write_rec_cancel(fd, r, data, NULL);
}

int ps_read_hello(int fd, struct ps_hello *ret)
{
	return ps_read_hello_from(fd, NULL, 0, ret);
}

int ps_read_hello_from(int fd, const unsigned char *head, size_t have, struct ps_hello *ret)
{
	unsigned char buf[PS_HELLO_SIZE];
	ssize_t n;

	if (have > sizeof(buf))
		return log_err(-EINVAL, "Hello prefix of %zu bytes is longer than a hello", have);
	if (have)
		memcpy(buf, head, have);
	n = read_full(fd, buf + have, sizeof(buf) - have);
	if (n < 0)
		return log_perr((int)n, "Failed to read the stream hello");
	n += (ssize_t)have;
	if (n == 0)
		return log_err(-ENODATA, "Bad stream: empty, no hello");
	if (n < PS_HELLO_SIZE)
		return log_err(-EPIPE, "Bad stream: truncated hello (%zd of %d bytes)", n, PS_HELLO_SIZE);
	return ps_hello_decode(buf, ret);
}

int ps_read_rec(int fd, const struct ps_hello *h, struct ps_rec *ret)
{
	unsigned char buf[PS_REC_SIZE];
	ssize_t n;

	n = read_full(fd, buf, sizeof(buf));
	if (n < 0)
		return log_perr((int)n, "Failed to read a stream record");
	if (n < PS_REC_SIZE)
		return log_err(-EPIPE, "Bad stream: interrupted, it ended before the end marker");
	return ps_rec_decode(buf, h, ret);
}
