// SPDX-License-Identifier: GPL-2.0-only
/* XXH64 from the public xxHash specification (xxhash_spec.md). */

#include "hash.h"
#include "le.h"
#include "xmalloc.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t round1(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t v)
{
	acc ^= round1(0, v);
	return acc * P1 + P4;
}

static uint64_t tail(uint64_t h, const unsigned char *p, size_t len)
{
	while (len >= 8) {
		h ^= round1(0, get_le64(p));
		h = rotl(h, 27) * P1 + P4;
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		h ^= (uint64_t)get_le32(p) * P1;
		h = rotl(h, 23) * P2 + P3;
		p += 4;
		len -= 4;
	}
	while (len--) {
		h ^= (*p++) * P5;
		h = rotl(h, 11) * P1;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

uint64_t ps_xxh64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	size_t left = len;
	uint64_t h;

	if (left >= 32) {
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;

		do {
			v1 = round1(v1, get_le64(p));
			v2 = round1(v2, get_le64(p + 8));
			v3 = round1(v3, get_le64(p + 16));
			v4 = round1(v4, get_le64(p + 24));
			p += 32;
			left -= 32;
		} while (left >= 32);
		h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
		h = merge(h, v1);
		h = merge(h, v2);
		h = merge(h, v3);
		h = merge(h, v4);
	} else {
		h = seed + P5;
	}
	h += len;
	return tail(h, p, left);
}

uint64_t ps_image_hash(const uint64_t *block_hashes, uint64_t nr_blocks)
{
	uint64_t h = 0, le;
	uint64_t i;

	/* chain the per-block hashes: no buffer of the whole table needed */
	for (i = 0; i < nr_blocks; i++) {
		le = htole64(block_hashes[i]);
		h = ps_xxh64(&le, sizeof(le), h);
	}
	return h;
}
