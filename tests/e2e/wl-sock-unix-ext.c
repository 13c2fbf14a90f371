// SPDX-License-Identifier: GPL-2.0-only
/*
 * A unix datagram socket connected to a server outside the tree (as a
 * syslog client is to /dev/log): argv[2] is the server's abstract name.
 * It sends "before" ahead of the checkpoint and "after" once restored,
 * through the same connected socket; cr-sock.t reads what the server got.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX }, got;
	socklen_t l = sizeof(got);
	int fd;

	wl_init(argc, argv);
	if (argc < 3) {
		wl_fail("usage: DIR NAME");
		return wl_done();
	}
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "%s", argv[2]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa,
			      offsetof(struct sockaddr_un, sun_path) + 1 + strlen(argv[2]))) {
		wl_fail("connect to @%s: %s", argv[2], strerror(errno));
		return wl_done();
	}
	wl_check(send(fd, "before", 6, 0) == 6, "send before: %s", strerror(errno));
	wl_ready();
	wl_wait();
	wl_check(!getpeername(fd, (struct sockaddr *)&got, &l) && !strcmp(got.sun_path + 1, argv[2]),
		 "still connected to @%s", argv[2]);
	wl_check(send(fd, "after", 5, 0) == 5, "send after: %s", strerror(errno));
	return wl_done();
}
