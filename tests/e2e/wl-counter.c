// SPDX-License-Identifier: GPL-2.0-only
/*
 * A counter that appends "tick N" to DIR/log every 100 ms through an open
 * O_APPEND fd, keeping N only in memory. After checkpoint/restore the
 * numbers go on where they stopped; on the signal to go on it checks that
 * the log has no gap and no restart. `make demo` shows it live.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	char path[4096], line[64];
	unsigned long n = 0, want = 0, got;
	FILE *f;
	int fd;

	wl_init(argc, argv);
	snprintf(path, sizeof(path), "%s/log", wl_dir());
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
	if (fd < 0) {
		wl_fail("cannot open %s", path);
		return wl_done();
	}
	wl_ready();
	while (!wl_go()) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		dprintf(fd, "tick %lu\n", ++n);
		nanosleep(&ts, NULL);
	}
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "tick %lu", &got) != 1 || got != ++want) {
			wl_fail("log line '%.*s' where tick %lu belongs", (int)strcspn(line, "\n"), line,
				want);
			break;
		}
	}
	wl_check(want == n, "log ends at %lu, counter at %lu", want, n);
	return wl_done();
}
