/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the reader's files; not exported. */
#ifndef VZCR_CONVERT_CPT_PRIV_H
#define VZCR_CONVERT_CPT_PRIV_H

#include <endian.h>
#include <string.h>

#include "cpt.h"

static inline uint16_t get16(const void *buf, size_t off)
{
	uint16_t v;

	memcpy(&v, (const char *)buf + off, sizeof(v));
	return le16toh(v);
}

static inline uint32_t get32(const void *buf, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)buf + off, sizeof(v));
	return le32toh(v);
}

static inline uint64_t get64(const void *buf, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)buf + off, sizeof(v));
	return le64toh(v);
}

/* Read exactly @len bytes at @off, bounds-checked against the file size. */
int cpt_pread(struct cpt_file *f, uint64_t off, void *buf, size_t len, const char *what);
/* Add an object to the index (positions must come in increasing order). */
int cpt_index_add(struct cpt_file *f, uint64_t pos, uint32_t type, uint32_t sect);
/* Parse the TASKS and UTSNAME sections into f->tasks and f->utsname. */
int cpt_load_tasks(struct cpt_file *f);
int cpt_load_utsname(struct cpt_file *f);

#endif /* VZCR_CONVERT_CPT_PRIV_H */
