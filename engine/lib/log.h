/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging for every part of vzcr. Each .c defines LOG_PREFIX before including
 * this header. Errors and warnings carry file:line; every line carries a
 * timestamp and the pid. The first error logged is kept so that the CLI can
 * show it as the summary of a failure.
 */
#ifndef VZCR_LIB_LOG_H
#define VZCR_LIB_LOG_H

#include <errno.h>
#include <stdbool.h>

#ifndef LOG_PREFIX
#define LOG_PREFIX ""
#endif

enum log_level {
	LOG_ERROR = 1,
	LOG_WARN = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4,
};

/* Messages above this level are dropped; default LOG_WARN. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Send log lines to @fd instead of stderr (the fd is not closed). */
void log_set_fd(int fd);
/* Lines without timestamp/pid/location: for the CLI's plain output. */
void log_set_plain(bool plain);
/*
 * Call @fn(@arg) before each log line is written (NULL: none), e.g. so that
 * a status line redrawn on a terminal clears itself first.
 */
void log_set_pre_hook(void (*fn)(void *arg), void *arg);
/* The first error logged since start or log_reset_first(); "" if none. */
const char *log_first_error(void);
void log_reset_first(void);
/* Keep @msg as the first error unless one is kept already. */
void log_keep_first(const char *msg);
/*
 * The first error of a forked helper for its parent, through a pipe the
 * parent made before the fork: the helper calls log_reset_first() at its
 * start and log_first_send(write end) before it exits; the parent, once the
 * helper is gone, log_first_recv(read end), which keeps what came as its
 * own first error (unless it has one). Nothing is logged; send returns 0 or
 * -errno, recv 1 if an error came, 0 if none, or -errno.
 */
int log_first_send(int fd);
int log_first_recv(int fd);

void log_msg(enum log_level level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define pr_err(fmt, ...) \
	log_msg(LOG_ERROR, __FILE__, __LINE__, LOG_PREFIX fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) \
	log_msg(LOG_WARN, __FILE__, __LINE__, LOG_PREFIX fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) \
	log_msg(LOG_INFO, __FILE__, __LINE__, LOG_PREFIX fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) \
	log_msg(LOG_DEBUG, __FILE__, __LINE__, LOG_PREFIX fmt, ##__VA_ARGS__)

/* Error with the text of the current errno appended. */
#define pr_perror(fmt, ...) \
	pr_err(fmt ": %m", ##__VA_ARGS__)

/*
 * Log an error with the text of @err (a negative errno) and return @err, in
 * one expression, so that callers can write
 *	return log_perr(-errno, "Failed to seize %d", pid);
 * and errno is saved before anything else can clobber it.
 */
#define log_perr(err, fmt, ...) ({					\
	int __e = (err);						\
	errno = -__e;							\
	pr_err(fmt ": %m", ##__VA_ARGS__);				\
	__e;								\
})

/* The same without errno text, for synthetic failures (-EINVAL, -EPROTO). */
#define log_err(err, fmt, ...) ({					\
	int __e = (err);						\
	pr_err(fmt, ##__VA_ARGS__);					\
	__e;								\
})

#endif /* VZCR_LIB_LOG_H */
