/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Little-endian fields at any alignment in a byte buffer: the ploopsync
 * wire format (stream.c) and OpenVZ's ploop copy streams (compat_ovz.c)
 * are both little-endian on the wire, and so is XXH64's input (hash.c).
 */
#ifndef PLOOPSYNC_LE_H
#define PLOOPSYNC_LE_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline void put_le16(unsigned char *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

static inline void put_le32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static inline void put_le64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static inline uint16_t get_le16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static inline uint32_t get_le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static inline uint64_t get_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

#endif /* PLOOPSYNC_LE_H */
