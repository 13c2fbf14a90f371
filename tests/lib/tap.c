// SPDX-License-Identifier: GPL-2.0-only
/* TAP output for the C unit tests. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int planned = -1, run, failed;

void plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static bool report(bool cond, const char *file, int line, const char *fmt, va_list ap)
{
	run++;
	printf("%s %d - ", cond ? "ok" : "not ok", run);
	vprintf(fmt, ap);
	printf("\n");
	if (!cond) {
		failed++;
		printf("#   Failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

bool ok_at(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = report(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

bool is_int_at(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = report(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got: %lld\n#   expected: %lld\n", got, want);
	return r;
}

bool is_str_at(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	bool same = got && want ? strcmp(got, want) == 0 : got == want;
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = report(same, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got: '%s'\n#   expected: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return r;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void skip(int n, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	while (n-- > 0)
		printf("ok %d # skip %s\n", ++run, why);
	fflush(stdout);
}

void skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(77);
}

void bail_out(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

int done_testing(void)
{
	if (planned < 0)
		printf("1..%d\n", run);
	else if (planned != run)
		printf("# planned %d tests but ran %d\n", planned, run);
	fflush(stdout);
	return failed || (planned >= 0 && planned != run) ? 1 : 0;
}
