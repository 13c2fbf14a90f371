// SPDX-License-Identifier: GPL-2.0-only
/* Workload side of the end-to-end tests; see wl.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

static const char *dir = ".";
static char verdict[512];
static volatile sig_atomic_t go;
static int nargs;
static char **args;

static void on_go(int sig)
{
	(void)sig;
	go = 1;
}

void wl_init(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_go };

	nargs = argc;
	args = argv;
	if (argc > 1)
		dir = argv[1];
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
}

const char *wl_dir(void)
{
	return dir;
}

unsigned long wl_arg_mib(unsigned long def)
{
	return nargs > 2 ? strtoul(args[2], NULL, 0) : def;
}

static void write_file(const char *name, const char *text)
{
	char path[4096], tmp[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.%d", dir, name, getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		verdict[0] = verdict[0] ? verdict[0] : '!';
	close(fd);
	rename(tmp, path);	/* the harness never sees half a file */
}

void wl_ready(void)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", getpid());
	write_file("ready", buf);
}

bool wl_go(void)
{
	return go;
}

void wl_wait(void)
{
	while (!go) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
}

static void vfail(const char *fmt, va_list ap)
{
	if (!verdict[0])
		vsnprintf(verdict, sizeof(verdict), fmt, ap);
}

void wl_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
}

bool wl_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return true;
	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
	return false;
}

bool wl_failed(void)
{
	return verdict[0] != 0;
}

int wl_done(void)
{
	char buf[600];

	if (verdict[0])
		snprintf(buf, sizeof(buf), "FAIL: %s\n", verdict);
	else
		snprintf(buf, sizeof(buf), "PASS\n");
	write_file("result", buf);
	return verdict[0] ? 1 : 0;
}

#define WL_PAGE 4096UL

static unsigned long long wl_pat(unsigned long long page, unsigned long long word)
{
	return (page * 0x9e3779b97f4a7c15ULL) ^ (word * 0x100000001b3ULL) ^ 0x5a5a;
}

void wl_fill(void *p, unsigned long pages, unsigned long long seed, unsigned int stride)
{
	for (unsigned long i = 0; i < pages; i++)
		for (unsigned long w = 0; w < WL_PAGE / 8; w += stride)
			((unsigned long long *)((char *)p + i * WL_PAGE))[w] = wl_pat(seed + i, w);
}

bool wl_same(const void *p, unsigned long pages, unsigned long long seed, unsigned int stride)
{
	for (unsigned long i = 0; i < pages; i++)
		for (unsigned long w = 0; w < WL_PAGE / 8; w += stride)
			if (((const unsigned long long *)((const char *)p + i * WL_PAGE))[w] !=
			    wl_pat(seed + i, w))
				return false;
	return true;
}

long wl_must(long r, const char *what)
{
	if (r < 0) {
		wl_fail("setup: %s: %s", what, strerror(errno));
		wl_ready();
		exit(wl_done());
	}
	return r;
}
