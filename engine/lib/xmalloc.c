// SPDX-License-Identifier: GPL-2.0-only
/* Allocation helpers: one log line per failure, errno left at ENOMEM. */
#define LOG_PREFIX "xmalloc: "
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		pr_perror("Failed to allocate %zu bytes", size);
	return p;
}

void *xzalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		pr_perror("Failed to allocate %zu bytes", size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		pr_perror("Failed to reallocate %zu bytes", size);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		pr_perror("Failed to duplicate a string of %zu bytes", strlen(s));
	return p;
}

char *xsprintf(const char *fmt, ...)
{
	char *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0) {
		pr_perror("Failed to format a string");
		return NULL;
	}
	return p;
}
