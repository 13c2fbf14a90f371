/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload side of the end-to-end tests (zdtm-like). A workload builds its
 * state, says it is ready, waits across checkpoint/restore for the signal
 * to go on, then checks its state itself and writes the verdict:
 *
 *	wl_init(argc, argv);		argv[1]: the test's state directory
 *	... build state ...
 *	wl_ready();			writes DIR/ready with our pid
 *	wl_wait();			until SIGUSR2 (nanosleep loop: a restart test too)
 *	... wl_check(cond, "what") ...
 *	return wl_done();		writes DIR/result: "PASS" or "FAIL: first failure"
 *
 * Children of a workload report through their exit status to the parent.
 */
#ifndef VZCR_TESTS_WL_H
#define VZCR_TESTS_WL_H

#include <stdbool.h>

void wl_init(int argc, char **argv);
/* The test's state directory (for files the workload makes). */
const char *wl_dir(void);
void wl_ready(void);
void wl_wait(void);
bool wl_go(void);
/* Record a failure (the first one is the verdict); returns @cond. */
bool wl_check(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool wl_failed(void);
/* Write the verdict; returns the exit status (0 pass, 1 fail). */
int wl_done(void);
/*
 * A setup step's result @r (a syscall's): if it failed (< 0), record
 * "setup: @what: <errno text>", say ready (so the harness goes on at once
 * rather than waiting for it) and exit with the verdict. Returns @r.
 */
long wl_must(long r, const char *what);
/*
 * A pattern of 64-bit words that differs per page and per @seed, written
 * every @stride words (1 for all of them) and compared back.
 */
void wl_fill(void *p, unsigned long pages, unsigned long long seed, unsigned int stride);
bool wl_same(const void *p, unsigned long pages, unsigned long long seed, unsigned int stride);

/* Optional size argument (argv[2]) in MiB, with a default. */
unsigned long wl_arg_mib(unsigned long def);

#endif /* VZCR_TESTS_WL_H */
