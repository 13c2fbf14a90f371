// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP and UDP sockets across checkpoint/restore, both ends in the tree:
 * listeners on 127.0.0.1 and ::1 (SO_REUSEADDR, backlog), an established
 * connection whose receive queues hold data both ways and whose sender has
 * more queued than the peer's window takes (unsent and unacknowledged data
 * in the send queue), options (TCP_NODELAY, keepalive), an IPv6
 * connection, UDP sockets bound and connected (v4, v6). After the signal
 * to go on: every byte arrives in order, the listeners accept new
 * connections on their ports, UDP datagrams go where they went.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wl.h"

#define BULK (8 << 20)		/* more than loopback's buffers hold: some stays unsent */

static socklen_t addr(int family, struct sockaddr_storage *ss, int port)
{
	struct sockaddr_in *a4 = (void *)ss;
	struct sockaddr_in6 *a6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
		a6->sin6_port = htons(port);
		return sizeof(*a6);
	}
	a4->sin_family = AF_INET;
	a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a4->sin_port = htons(port);
	return sizeof(*a4);
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
						((struct sockaddr_in *)&ss)->sin_port);
}

static int listener(int family, int *port)
{
	struct sockaddr_storage ss;
	int fd = wl_must(socket(family, SOCK_STREAM, 0), "socket"), one = 1;
	socklen_t l = addr(family, &ss, 0);

	wl_must(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), "SO_REUSEADDR");
	wl_must(bind(fd, (struct sockaddr *)&ss, l), "bind");
	wl_must(listen(fd, 5), "listen");
	*port = port_of(fd);
	return fd;
}

static int dial(int family, int port)
{
	struct sockaddr_storage ss;
	int fd = wl_must(socket(family, SOCK_STREAM, 0), "socket");

	wl_must(connect(fd, (struct sockaddr *)&ss, addr(family, &ss, port)), "connect");
	return fd;
}

static unsigned char pat(size_t i)
{
	return (i * 131 + (i >> 12)) & 0xff;
}

/* Send the pattern until the socket takes no more; the count sent. */
static size_t flood(int fd)
{
	static unsigned char buf[65536];
	size_t sent = 0;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (sent < BULK) {
		size_t i, n = BULK - sent < sizeof(buf) ? BULK - sent : sizeof(buf);
		ssize_t w;

		for (i = 0; i < n; i++)
			buf[i] = pat(sent + i);
		w = send(fd, buf, n, 0);
		if (w <= 0)
			break;
		sent += w;
	}
	fcntl(fd, F_SETFL, 0);
	return sent;
}

/* Read @n bytes of the pattern; false on a wrong byte or a stall. */
static bool drain(int fd, size_t n)
{
	static unsigned char buf[65536];
	struct pollfd p = { fd, POLLIN, 0 };
	size_t got = 0, i;

	while (got < n) {
		ssize_t r;

		if (poll(&p, 1, 10000) != 1)
			return wl_check(false, "stream stalled at %zu of %zu bytes", got, n);
		r = recv(fd, buf, n - got < sizeof(buf) ? n - got : sizeof(buf), 0);
		if (r <= 0)
			return wl_check(false, "stream ended at %zu of %zu: %s", got, n, strerror(errno));
		for (i = 0; i < (size_t)r; i++)
			if (buf[i] != pat(got + i))
				return wl_check(false, "stream byte %zu wrong", got + i);
		got += r;
	}
	return true;
}

static bool got(int fd, const char *s)
{
	char buf[64] = "";
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n = poll(&p, 1, 5000) == 1 ? recv(fd, buf, sizeof(buf) - 1, 0) : -1;

	return n == (ssize_t)strlen(s) && !memcmp(buf, s, n);
}

static int intopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	getsockopt(fd, level, name, &v, &l);
	return v;
}

int main(int argc, char **argv)
{
	int p4, p6, l4, l6, cli, srv, c6, s6, u4, uc, u6, one = 1, idle = 77, up;
	struct sockaddr_storage ss;
	size_t bulk;

	wl_init(argc, argv);
	l4 = listener(AF_INET, &p4);
	l6 = listener(AF_INET6, &p6);
	cli = dial(AF_INET, p4);
	srv = wl_must(accept(l4, NULL, NULL), "accept");
	wl_must(send(cli, "hello", 5, 0), "send");
	wl_must(setsockopt(srv, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), "TCP_NODELAY");
	wl_must(setsockopt(srv, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), "SO_KEEPALIVE");
	wl_must(setsockopt(srv, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)), "TCP_KEEPIDLE");
	bulk = flood(srv);
	wl_check(bulk > (1 << 20), "flood queued %zu bytes", bulk);
	c6 = dial(AF_INET6, p6);
	s6 = wl_must(accept(l6, NULL, NULL), "accept6");
	wl_must(send(s6, "six", 3, 0), "send6");

	u4 = wl_must(socket(AF_INET, SOCK_DGRAM, 0), "udp");
	wl_must(bind(u4, (struct sockaddr *)&ss, addr(AF_INET, &ss, 0)), "bind udp");
	up = port_of(u4);
	uc = wl_must(socket(AF_INET, SOCK_DGRAM, 0), "udp client");
	wl_must(connect(uc, (struct sockaddr *)&ss, addr(AF_INET, &ss, up)), "connect udp");
	u6 = wl_must(socket(AF_INET6, SOCK_DGRAM, 0), "udp6");
	wl_must(bind(u6, (struct sockaddr *)&ss, addr(AF_INET6, &ss, 0)), "bind udp6");

	wl_ready();
	wl_wait();
	wl_check(port_of(l4) == p4 && port_of(l6) == p6, "listeners keep their ports");
	wl_check(intopt(l4, SOL_SOCKET, SO_REUSEADDR) == 1, "SO_REUSEADDR kept");
	wl_check(intopt(srv, IPPROTO_TCP, TCP_NODELAY) == 1, "TCP_NODELAY kept");
	wl_check(intopt(srv, SOL_SOCKET, SO_KEEPALIVE) == 1, "SO_KEEPALIVE kept");
	wl_check(intopt(srv, IPPROTO_TCP, TCP_KEEPIDLE) == idle, "TCP_KEEPIDLE kept");
	wl_check(got(srv, "hello"), "data queued at the server");
	drain(cli, bulk);
	wl_must(send(cli, "more", 4, 0), "send more");
	wl_check(got(srv, "more"), "the connection goes on");
	wl_check(got(c6, "six"), "IPv6 connection data");
	close(cli);
	cli = dial(AF_INET, p4);
	close(srv);
	srv = accept(l4, NULL, NULL);
	wl_check(srv >= 0, "the listener accepts a new connection");
	wl_must(send(uc, "dgram", 5, 0), "send udp");
	wl_check(got(u4, "dgram"), "UDP: connected to the bound socket");
	wl_check(port_of(u6) > 0, "UDP v6 still bound");
	return wl_done();
}
