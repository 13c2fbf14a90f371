/* SPDX-License-Identifier: GPL-2.0-only */
/* Allocation helpers that log the failure where it happens. */
#ifndef VZCR_LIB_XMALLOC_H
#define VZCR_LIB_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
/* printf into a new string; NULL (logged) on failure. */
char *xsprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define xnew(type, n) ((type *)xzalloc(sizeof(type) * (n)))

#endif /* VZCR_LIB_XMALLOC_H */
