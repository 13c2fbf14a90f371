// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scan tracker: no kernel help. Each pass reads the whole image and
 * hashes every block; a block is dirty when its hash differs from the hash
 * of what was last sent for it (so a block that changed and changed back
 * after it was sent is still caught).
 */
#define LOG_PREFIX "ploopsync: "
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "tracker.h"
#include "xmalloc.h"

#define SCAN_CHUNK	(4u << 20)

static int scan_probe(struct ps_tracker *t, bool verbose)
{
	(void)t;
	(void)verbose;
	return 0;
}

static int scan_start(struct ps_tracker *t)
{
	t->priv = xmalloc(SCAN_CHUNK > t->block_size ? SCAN_CHUNK : t->block_size);
	return t->priv ? 0 : -ENOMEM;
}

static int scan_pass(struct ps_tracker *t, uint8_t *dirty, int *ret_data_fd)
{
	size_t chunk = SCAN_CHUNK > t->block_size ? SCAN_CHUNK : t->block_size;
	unsigned char *buf = t->priv;
	uint64_t off, b, blen;
	ssize_t n;

	*ret_data_fd = t->fd;
	if (!t->pass) {
		for (b = 0; b < t->nr_blocks; b++)
			dirty[b] = 1;
		return 0;
	}
	for (off = 0; off < t->size; off += (uint64_t)n) {
		n = pread(t->fd, buf, chunk, (off_t)off);
		if (n < 0)
			return log_perr(-errno, "Failed to read '%s' at offset %" PRIu64, t->path, off);
		if (n == 0 || (n % t->block_size && off + (uint64_t)n != t->size))
			return log_err(-EIO, "Short read of '%s' at offset %" PRIu64 " (did the image shrink?)",
				       t->path, off);
		for (b = 0; b < (uint64_t)n; b += t->block_size) {
			blen = (uint64_t)n - b < t->block_size ? (uint64_t)n - b : t->block_size;
			if (ps_xxh64(buf + b, blen, 0) != t->sent[(off + b) / t->block_size])
				dirty[(off + b) / t->block_size] = 1;
		}
	}
	return 0;
}

static void scan_stop(struct ps_tracker *t)
{
	free(t->priv);
	t->priv = NULL;
}

const struct ps_tracker_ops ps_tracker_scan = {
	.name = "scan",
	.probe = scan_probe,
	.start = scan_start,
	.pass = scan_pass,
	.stop = scan_stop,
};
