/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP producer for unit tests. A test calls plan() or ends with
 * done_testing(); skip_all() prints "1..0 # SKIP reason" and exits 77.
 */
#ifndef VZCR_TESTS_TAP_H
#define VZCR_TESTS_TAP_H

#include <stdbool.h>

void plan(int n);
/* Record one test point; returns @cond so callers can stop early. */
bool ok_at(bool cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool is_int_at(long long got, long long want, const char *file, int line,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool is_str_at(const char *got, const char *want, const char *file, int line,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void skip(int n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
__attribute__((noreturn)) void skip_all(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void bail_out(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Print the plan if none was given; exit status 0 if all passed, else 1. */
int done_testing(void);

#define ok(cond, ...)		ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(g, w, ...)	is_int_at((g), (w), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(g, w, ...)	is_str_at((g), (w), __FILE__, __LINE__, __VA_ARGS__)

#endif /* VZCR_TESTS_TAP_H */
