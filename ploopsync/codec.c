// SPDX-License-Identifier: GPL-2.0-only
/*
 * zstd and lz4 for DATA payloads. The libraries are optional: a codec whose
 * library was not found at build time (or is switched off with
 * PS_WITHOUT_ZSTD / PS_WITHOUT_LZ4, which the stub-build test uses) is
 * refused by name when a sender asks for it or a hello announces it.
 */
#define LOG_PREFIX "ploopsync: "
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "config.h"
#include "codec.h"
#include "log.h"

#if defined(CONFIG_HAS_ZSTD) && !defined(PS_WITHOUT_ZSTD)
#define PS_HAVE_ZSTD 1
#include <zstd.h>
#endif
#if defined(CONFIG_HAS_LZ4) && !defined(PS_WITHOUT_LZ4)
#define PS_HAVE_LZ4 1
#include <lz4.h>
#endif

/* zstd's fastest positive level: blocks must leave at disk-read speed (bench figures in ploopsync.8) */
#define PS_ZSTD_LEVEL	1

const char *ps_codec_name(unsigned int codec)
{
	switch (codec) {
	case PS_CODEC_NONE: return "none";
	case PS_CODEC_ZSTD: return "zstd";
	case PS_CODEC_LZ4: return "lz4";
	}
	return "unknown";
}

int ps_codec_parse(const char *name, unsigned int *ret)
{
	static const unsigned int all[] = { PS_CODEC_NONE, PS_CODEC_ZSTD, PS_CODEC_LZ4 };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(name, ps_codec_name(all[i]))) {
			*ret = all[i];
			return 0;
		}
	}
	return -EINVAL;
}

unsigned int ps_codec_built(void)
{
	unsigned int bits = 0;

#ifdef PS_HAVE_ZSTD
	bits |= PS_CODEC_ZSTD;
#endif
#ifdef PS_HAVE_LZ4
	bits |= PS_CODEC_LZ4;
#endif
	return bits;
}

static const char *codec_pkg(unsigned int codec)
{
	return codec == PS_CODEC_ZSTD ? "libzstd-dev" : "liblz4-dev";
}

int ps_codec_open(struct ps_codec *c, unsigned int codecs)
{
	unsigned int missing = codecs & ~ps_codec_built();

	memset(c, 0, sizeof(*c));
	if (codecs & ~PS_CODEC_ALL)
		return log_err(-EINVAL, "Unknown compression bits 0x%x", codecs & ~PS_CODEC_ALL);
	if (missing) {
		missing &= -missing;	/* name the first one */
		return log_err(-EOPNOTSUPP, "Compression '%s' is not available: this ploopsync was built without lib%s (install %s and rebuild)",
			       ps_codec_name(missing), ps_codec_name(missing), codec_pkg(missing));
	}
	c->codec = codecs;
#ifdef PS_HAVE_ZSTD
	if (codecs & PS_CODEC_ZSTD) {
		c->cctx = ZSTD_createCCtx();
		c->dctx = ZSTD_createDCtx();
		if (!c->cctx || !c->dctx) {
			ps_codec_close(c);
			return log_err(-ENOMEM, "Failed to allocate zstd contexts");
		}
	}
#endif
	return 0;
}

void ps_codec_close(struct ps_codec *c)
{
#ifdef PS_HAVE_ZSTD
	ZSTD_freeCCtx(c->cctx);
	ZSTD_freeDCtx(c->dctx);
#endif
	c->cctx = c->dctx = NULL;
	c->codec = PS_CODEC_NONE;
}

size_t ps_codec_bound(const struct ps_codec *c, size_t len)
{
	size_t bound = len;

#ifdef PS_HAVE_ZSTD
	if ((c->codec & PS_CODEC_ZSTD) && ZSTD_compressBound(len) > bound)
		bound = ZSTD_compressBound(len);
#endif
#ifdef PS_HAVE_LZ4
	if ((c->codec & PS_CODEC_LZ4) && (size_t)LZ4_compressBound((int)len) > bound)
		bound = (size_t)LZ4_compressBound((int)len);
#endif
	(void)c;
	return bound;
}

ssize_t ps_codec_compress(struct ps_codec *c, const void *src, size_t len, void *dst, size_t cap)
{
	size_t n = 0;

#ifdef PS_HAVE_ZSTD
	if (c->codec & PS_CODEC_ZSTD) {
		n = ZSTD_compressCCtx(c->cctx, dst, cap, src, len, PS_ZSTD_LEVEL);
		if (ZSTD_isError(n))
			return log_err(-EIO, "Failed to compress a block with zstd: %s", ZSTD_getErrorName(n));
		return n < len ? (ssize_t)n : 0;
	}
#endif
#ifdef PS_HAVE_LZ4
	if (c->codec & PS_CODEC_LZ4) {
		int r = LZ4_compress_default(src, dst, (int)len, (int)cap);

		if (r <= 0)
			return log_err(-EIO, "Failed to compress a block with lz4");
		n = (size_t)r;
	}
#endif
	(void)c, (void)src, (void)dst, (void)cap;
	return n && n < len ? (ssize_t)n : 0;
}

#ifdef PS_HAVE_ZSTD
static int unzstd(struct ps_codec *c, const void *src, size_t len, void *dst, size_t want,
		  uint64_t offset)
{
	unsigned long long framed = ZSTD_getFrameContentSize(src, len);
	size_t n;

	/* the frame says its size up front: refuse a wrong one before decoding */
	if (framed != ZSTD_CONTENTSIZE_UNKNOWN && framed != ZSTD_CONTENTSIZE_ERROR && framed != want)
		return log_err(-EBADMSG, "Bad stream: zstd DATA at offset %" PRIu64 " decompresses to %llu bytes, the block has %zu, nothing written",
			       offset, framed, want);
	n = ZSTD_decompressDCtx(c->dctx, dst, want, src, len);
	if (ZSTD_isError(n))
		return log_err(-EBADMSG, "Bad stream: zstd DATA at offset %" PRIu64 " does not decompress into the block's %zu bytes (%s), nothing written",
			       offset, want, ZSTD_getErrorName(n));
	if (n != want)
		return log_err(-EBADMSG, "Bad stream: zstd DATA at offset %" PRIu64 " decompresses to %zu bytes, the block has %zu, nothing written",
			       offset, n, want);
	return 0;
}
#endif

#ifdef PS_HAVE_LZ4
static int unlz4(const void *src, size_t len, void *dst, size_t want, uint64_t offset)
{
	int n = LZ4_decompress_safe(src, dst, (int)len, (int)want);

	if (n < 0)
		return log_err(-EBADMSG, "Bad stream: lz4 DATA at offset %" PRIu64 " is corrupt or decompresses to more than the block's %zu bytes, nothing written",
			       offset, want);
	if ((size_t)n != want)
		return log_err(-EBADMSG, "Bad stream: lz4 DATA at offset %" PRIu64 " decompresses to %d bytes, the block has %zu, nothing written",
			       offset, n, want);
	return 0;
}
#endif

int ps_codec_decompress(struct ps_codec *c, unsigned int codec, const void *src, size_t len,
			void *dst, size_t want, uint64_t offset)
{
	if (!(c->codec & codec))	/* ps_rec_decode refuses this first; never decode blind */
		return log_err(-EPROTO, "Bad stream: DATA at offset %" PRIu64 " uses compression '%s' the hello did not announce",
			       offset, ps_codec_name(codec));
#ifdef PS_HAVE_ZSTD
	if (codec == PS_CODEC_ZSTD)
		return unzstd(c, src, len, dst, want, offset);
#endif
#ifdef PS_HAVE_LZ4
	if (codec == PS_CODEC_LZ4)
		return unlz4(src, len, dst, want, offset);
#endif
	(void)src, (void)len, (void)dst, (void)want;
	return log_err(-EOPNOTSUPP, "Compression '%s' is not built in", ps_codec_name(codec));
}
