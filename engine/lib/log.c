// SPDX-License-Identifier: GPL-2.0-only
/* Logging: level filter, timestamps, first-error memory. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level cur_level = LOG_WARN;
static int log_fd = STDERR_FILENO;
static bool log_plain;
static char first_error[512];
static void (*pre_hook)(void *arg);
static void *pre_hook_arg;

void log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

void log_set_fd(int fd)
{
	log_fd = fd;
}

void log_set_pre_hook(void (*fn)(void *arg), void *arg)
{
	pre_hook = fn;
	pre_hook_arg = arg;
}

void log_set_plain(bool plain)
{
	log_plain = plain;
}

const char *log_first_error(void)
{
	return first_error;
}

void log_reset_first(void)
{
	first_error[0] = '\0';
}

void log_keep_first(const char *msg)
{
	if (!first_error[0] && msg)
		snprintf(first_error, sizeof(first_error), "%s", msg);
}

int log_first_send(int fd)
{
	size_t len = strlen(first_error);

	/* shorter than PIPE_BUF: one write, whole or not at all */
	if (len && write(fd, first_error, len) != (ssize_t)len)
		return -errno ?: -EIO;
	return 0;
}

int log_first_recv(int fd)
{
	char buf[sizeof(first_error)];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n)
		log_keep_first(buf);
	return n > 0;
}

static const char *level_tag(enum log_level level)
{
	switch (level) {
	case LOG_ERROR:
		return "Error";
	case LOG_WARN:
		return "Warn";
	default:
		return NULL;
	}
}

void log_msg(enum log_level level, const char *file, int line, const char *fmt, ...)
{
	int saved_errno = errno;
	char msg[1024], head[256] = "";
	const char *tag = level_tag(level);
	struct timespec ts;
	va_list ap;
	int n;

	if (level > cur_level && level != LOG_ERROR)
		goto out;

	va_start(ap, fmt);
	errno = saved_errno;	/* for %m */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';

	if (level == LOG_ERROR && !first_error[0])
		snprintf(first_error, sizeof(first_error), "%.*s", (int)sizeof(first_error) - 1, msg);
	if (level > cur_level)
		goto out;

	if (!log_plain) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		n = snprintf(head, sizeof(head), "(%5ld.%06ld) %6d: ", (long)ts.tv_sec,
			     ts.tv_nsec / 1000, (int)getpid());
		if (tag && n >= 0 && (size_t)n < sizeof(head))
			snprintf(head + n, sizeof(head) - n, "%s (%s:%d): ", tag, file, line);
	} else if (tag) {
		snprintf(head, sizeof(head), "%s: ", tag);
	}
	if (pre_hook)
		pre_hook(pre_hook_arg);
	dprintf(log_fd, "%s%s\n", head, msg);
out:
	errno = saved_errno;
}
