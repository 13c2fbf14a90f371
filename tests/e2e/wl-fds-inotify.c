// SPDX-License-Identifier: GPL-2.0-only
/*
 * inotify across checkpoint/restore: watches on a directory and a file
 * with their masks and wd numbers (a gap left by a removed watch), events
 * that arrive after the restore under the wds the task knows, removal by
 * wd, and the instance's flags.
 * WL_INOTIFY_QUEUE=1: an event waits in the queue (the dump must refuse it).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

static int ify, wd_dir, wd_file, wd_gone;
static char dir[4096], file[4096], other[4096];

static int must(int r, const char *what)
{
	if (r < 0) {
		wl_fail("setup: %s: %s", what, strerror(errno));
		wl_ready();
		exit(wl_done());
	}
	return r;
}

static void setup(void)
{
	char buf[4096];
	int fd;

	snprintf(dir, sizeof(dir), "%s/watched", wl_dir());
	snprintf(file, sizeof(file), "%s/file", wl_dir());
	snprintf(other, sizeof(other), "%s/other", wl_dir());
	must(mkdir(dir, 0755), "mkdir");
	fd = must(open(file, O_CREAT | O_WRONLY, 0644), "create");
	close(fd);
	fd = must(open(other, O_CREAT | O_WRONLY, 0644), "create");
	close(fd);
	ify = must(inotify_init1(IN_NONBLOCK), "inotify_init1");
	wd_dir = must(inotify_add_watch(ify, dir, IN_CREATE | IN_DELETE), "watch dir");
	wd_gone = must(inotify_add_watch(ify, other, IN_ALL_EVENTS), "watch other");
	wd_file = must(inotify_add_watch(ify, file, IN_MODIFY | IN_ONESHOT), "watch file");
	must(inotify_rm_watch(ify, wd_gone), "rm watch");
	/* the IN_IGNORED of the removed watch: the queue is empty at the dump */
	while (read(ify, buf, sizeof(buf)) > 0)
		;
	if (getenv("WL_INOTIFY_QUEUE")) {
		char q[sizeof(dir) + 16];

		snprintf(q, sizeof(q), "%s/queued", dir);
		close(must(open(q, O_CREAT | O_WRONLY, 0644), "create"));
	}
}

/* The next event: its wd and mask; false if none within @ms. */
static bool next_event(int *wd, unsigned int *mask, char *name, size_t len, int ms)
{
	static char buf[4096] __attribute__((aligned(8)));
	static size_t have, at;
	struct inotify_event *ev;
	struct pollfd p = { ify, POLLIN, 0 };

	if (at >= have) {
		ssize_t n;

		if (poll(&p, 1, ms) != 1 || (n = read(ify, buf, sizeof(buf))) <= 0)
			return false;
		have = n;
		at = 0;
	}
	ev = (struct inotify_event *)(buf + at);
	at += sizeof(*ev) + ev->len;
	*wd = ev->wd;
	*mask = ev->mask;
	snprintf(name, len, "%s", ev->len ? ev->name : "");
	return true;
}

static void check(void)
{
	char path[4200], name[256], want[64];
	unsigned int mask = 0;
	int wd = -1, fd;
	struct timespec ts;

	wl_check(wd_file == 3 && wd_dir == 1, "setup: wds %d and %d", wd_dir, wd_file);
	wl_check(fcntl(ify, F_GETFL) & O_NONBLOCK, "inotify: O_NONBLOCK kept");
	wl_check(read(ify, path, sizeof(path)) < 0 && errno == EAGAIN, "inotify: no event queued");
	/* a new name each run: the original of a --leave-running dump made one */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(want, sizeof(want), "new-%lld", (long long)ts.tv_nsec + ts.tv_sec * 1000000000LL);
	snprintf(path, sizeof(path), "%s/%s", dir, want);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	close(fd);
	wl_check(next_event(&wd, &mask, name, sizeof(name), 5000) && wd == wd_dir &&
		 (mask & IN_CREATE) && !strcmp(name, want),
		 "inotify: IN_CREATE '%s' on wd %d (got wd %d mask %#x '%s')", want, wd_dir, wd, mask,
		 name);
	fd = open(file, O_WRONLY | O_APPEND);
	wl_check(write(fd, "x", 1) == 1, "write the watched file");
	close(fd);
	wl_check(next_event(&wd, &mask, name, sizeof(name), 5000) && wd == wd_file && (mask & IN_MODIFY),
		 "inotify: IN_MODIFY on wd %d (got wd %d mask %#x)", wd_file, wd, mask);
	/* one-shot: the watch went with its event */
	wl_check(next_event(&wd, &mask, name, sizeof(name), 5000) && wd == wd_file && (mask & IN_IGNORED),
		 "inotify: one-shot watch %d dropped (got wd %d mask %#x)", wd_file, wd, mask);
	fd = open(other, O_WRONLY);
	close(fd);
	/* a negative check: a short wait, events come at once */
	wl_check(!next_event(&wd, &mask, name, sizeof(name), 200),
		 "inotify: the removed watch stays removed");
	wl_check(inotify_rm_watch(ify, wd_dir) == 0, "inotify: wd %d removed by number", wd_dir);
	wd = inotify_add_watch(ify, other, IN_OPEN);
	wl_check(wd == wd_file + 1, "inotify: the next wd is %d (got %d)", wd_file + 1, wd);
}

int main(int argc, char **argv)
{
	wl_init(argc, argv);
	setup();
	wl_ready();
	wl_wait();
	check();
	return wl_done();
}
