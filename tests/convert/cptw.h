/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A cpt file built in memory, for the test generators (cptlive.c): objects
 * are opened with their fixed record, children and payload appended, and
 * closed by patching cpt_next (note section 3.1); sections the same way.
 */
#ifndef VZCR_TESTS_CPTW_H
#define VZCR_TESTS_CPTW_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUL64 UINT64_MAX

struct cptw {
	uint8_t *d;
	size_t len, cap;
	uint64_t sect_pos[27];
};

static inline size_t w_grow(struct cptw *w, size_t n)
{
	size_t off = w->len;

	if (w->len + n > w->cap) {
		w->cap = (w->len + n) * 2;
		w->d = realloc(w->d, w->cap);
		if (!w->d)
			exit(1);
	}
	memset(w->d + off, 0, n);
	w->len += n;
	return off;
}

static inline void w16(struct cptw *w, size_t off, uint16_t v) { memcpy(w->d + off, &v, 2); }
static inline void w32(struct cptw *w, size_t off, uint32_t v) { memcpy(w->d + off, &v, 4); }
static inline void w64(struct cptw *w, size_t off, uint64_t v) { memcpy(w->d + off, &v, 8); }

/* Close an object or section opened at @pos: its length is all since. */
static inline void w_end(struct cptw *w, size_t pos) { w64(w, pos, w->len - pos); }

static inline size_t w_sect(struct cptw *w, uint32_t code)
{
	size_t pos = w_grow(w, 16);

	w32(w, pos + 8, code);
	w16(w, pos + 12, 16);
	if (code < 27)
		w->sect_pos[code] = pos;
	return pos;
}

static inline size_t w_obj(struct cptw *w, uint32_t type, uint16_t hdrlen, uint16_t content)
{
	size_t pos = w_grow(w, hdrlen);

	w64(w, pos, hdrlen);
	w32(w, pos + 8, type);
	w16(w, pos + 12, hdrlen);
	w16(w, pos + 14, content);
	return pos;
}

/* Payload bytes, padded to 8 with zeros. */
static inline void w_data(struct cptw *w, const void *p, size_t n)
{
	size_t off = w_grow(w, (n + 7) & ~(size_t)7);

	memcpy(w->d + off, p, n);
}

static inline void w_name(struct cptw *w, const char *s)
{
	size_t pos = w_obj(w, 4102, 16, 3);

	w_data(w, s, strlen(s) + 1);
	w_end(w, pos);
}

/* Major header at 0: version, x86_64, 4 KiB pages, HZ 1000. */
static inline void w_header(struct cptw *w, uint16_t version, uint32_t start_sec)
{
	size_t o = w_grow(w, 80);

	memset(w->sect_pos, 0xff, sizeof(w->sect_pos));
	memcpy(w->d + o, "\x79\x1c\x01\x63", 4);
	w16(w, o + 4, 80);
	w16(w, o + 6, version);
	w16(w, o + 8, 1);
	w16(w, o + 20, 4096);
	w16(w, o + 22, 1000);
	w32(w, o + 32, start_sec);
}

/* The TRAILER section and object; @n64 tasks are 64-bit. */
static inline void w_trailer(struct cptw *w, uint32_t n64)
{
	size_t s = w_sect(w, 23), t = w_obj(w, 1034, 248, 0);

	w32(w, t + 20, n64);
	for (int i = 0; i < 27; i++)
		w64(w, t + 24 + 8 * i, w->sect_pos[i]);
	w32(w, t + 240, 27);
	memcpy(w->d + t + 244, "\x79\x1c\x01\x63", 4);
	w_end(w, s);
}

static inline int w_save(struct cptw *w, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(w->d, 1, w->len, f) != w->len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

#endif /* VZCR_TESTS_CPTW_H */
