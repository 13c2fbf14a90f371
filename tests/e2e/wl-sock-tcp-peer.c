// SPDX-License-Identifier: GPL-2.0-only
/*
 * A TCP server in the tree whose client is outside it: the workload
 * listens on 127.0.0.1 (a free port it writes to DIR/port), answers
 * "ping1" before the checkpoint and "ping2" after the restore on the same
 * connection, and checks that the connection is the same (peer port).
 * The client (cr-sock.t) checks that it never saw a reset.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wl.h"

static bool serve(int fd, const char *want, const char *answer)
{
	char buf[64] = "";
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n = poll(&p, 1, 30000) == 1 ? recv(fd, buf, sizeof(buf) - 1, 0) : -1;

	if (!wl_check(n == (ssize_t)strlen(want) && !memcmp(buf, want, n), "got '%s' (%zd bytes)",
		      want, n))
		return false;
	return wl_check(send(fd, answer, strlen(answer), 0) == (ssize_t)strlen(answer), "answer '%s'",
			answer);
}

static int peer_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t l = sizeof(sa);

	return getpeername(fd, (struct sockaddr *)&sa, &l) ? -1 : ntohs(sa.sin_port);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(sa);
	struct pollfd p;
	char path[4096], tmp[4096], buf[16];
	int lsn, c, port, fd;

	wl_init(argc, argv);
	lsn = socket(AF_INET, SOCK_STREAM, 0);
	if (lsn < 0 || bind(lsn, (struct sockaddr *)&sa, l) || listen(lsn, 1) ||
	    getsockname(lsn, (struct sockaddr *)&sa, &l)) {
		wl_fail("listen: %s", strerror(errno));
		return wl_done();
	}
	/* the port goes to a temporary name first: the reader sees it whole */
	snprintf(tmp, sizeof(tmp), "%s/port.tmp", wl_dir());
	snprintf(path, sizeof(path), "%s/port", wl_dir());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	snprintf(buf, sizeof(buf), "%d\n", ntohs(sa.sin_port));
	/* kept open: cr-sock.t moves it away to make a restore fail once */
	if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
		wl_fail("write the port: %s", strerror(errno));
	if (rename(tmp, path))
		wl_fail("rename the port file: %s", strerror(errno));
	p = (struct pollfd){ lsn, POLLIN, 0 };
	c = poll(&p, 1, 30000) == 1 ? accept(lsn, NULL, NULL) : -1;
	if (!wl_check(c >= 0, "the client connects"))
		return wl_done();
	serve(c, "ping1", "pong1");
	port = peer_port(c);
	wl_ready();
	wl_wait();
	wl_check(peer_port(c) == port, "the same peer (port %d)", port);
	serve(c, "ping2", "pong2");
	return wl_done();
}
