/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XXH64 (Yann Collet's xxHash, 64-bit, seed 0), written from the public
 * specification: the block and image checksums of the ploopsync stream.
 */
#ifndef PLOOPSYNC_HASH_H
#define PLOOPSYNC_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ps_xxh64(const void *data, size_t len, uint64_t seed);

/* Whole-image checksum: XXH64 over the little-endian per-block hashes. */
uint64_t ps_image_hash(const uint64_t *block_hashes, uint64_t nr_blocks);

#endif /* PLOOPSYNC_HASH_H */
