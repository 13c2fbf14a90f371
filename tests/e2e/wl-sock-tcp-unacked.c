// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP data sent but not acknowledged, across checkpoint/restore. Run in a
 * network namespace of the test's own (cr-sock.t): an nftables rule there
 * drops every packet from the client to the server, so the server's 32 KiB
 * reach the client but its ACKs do not, and the client's request never
 * arrives: both send queues hold sent, unacknowledged data at the dump.
 * After the signal to go on the rule goes, and retransmission must deliver
 * every byte exactly once, in order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "wl.h"

#define DATA (32 * 1024)

static int port_of(int fd, bool peer)
{
	struct sockaddr_in sa;
	socklen_t l = sizeof(sa);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&sa, &l))
		return -1;
	return ntohs(sa.sin_port);
}

static int nft(const char *fmt, int a, int b)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

/* Read exactly @n bytes of the pattern from @fd within 20 s. */
static bool read_all(int fd, size_t n, unsigned char seed)
{
	struct pollfd p = { fd, POLLIN, 0 };
	unsigned char buf[4096];
	size_t got = 0, i;

	while (got < n) {
		ssize_t r;

		if (poll(&p, 1, 20000) != 1)
			return wl_check(false, "stalled at %zu of %zu bytes", got, n);
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			return wl_check(false, "ended at %zu of %zu bytes", got, n);
		for (i = 0; i < (size_t)r; i++)
			if (got + i >= n || buf[i] != (unsigned char)(seed + got + i))
				return wl_check(false, "byte %zu wrong or extra", got + i);
		got += r;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(sa);
	unsigned char buf[DATA];
	struct pollfd p;
	int lsn, cli, srv, i, q = 0;

	wl_init(argc, argv);
	lsn = wl_must(socket(AF_INET, SOCK_STREAM, 0), "socket");
	wl_must(bind(lsn, (struct sockaddr *)&sa, l), "bind");
	wl_must(listen(lsn, 1), "listen");
	wl_must(getsockname(lsn, (struct sockaddr *)&sa, &l), "getsockname");
	cli = wl_must(socket(AF_INET, SOCK_STREAM, 0), "socket");
	wl_must(connect(cli, (struct sockaddr *)&sa, l), "connect");
	srv = wl_must(accept(lsn, NULL, NULL), "accept");
	if (nft("nft add table ip vzcr_wl && nft add chain ip vzcr_wl out '{ type filter hook output priority 0; }' && "
		"nft add rule ip vzcr_wl out tcp sport %d tcp dport %d drop", port_of(cli, false),
		port_of(cli, true))) {
		wl_fail("nft rule");
		return wl_done();
	}
	for (i = 0; i < DATA; i++)
		buf[i] = (unsigned char)(7 + i);
	wl_must(send(srv, buf, DATA, 0), "send");
	for (i = 0; i < 64; i++)
		buf[i] = (unsigned char)(99 + i);
	wl_must(send(cli, buf, 64, 0), "send request");
	/* the data reaches the client; its ACKs do not reach the server */
	p = (struct pollfd){ cli, POLLIN, 0 };
	wl_check(poll(&p, 1, 5000) == 1, "the data reaches the client");
	for (i = 0; i < 100 && (ioctl(cli, SIOCINQ, &q) || q < DATA); i++)
		usleep(10000);
	wl_check(!ioctl(srv, SIOCOUTQ, &q) && q == DATA, "the server has %d bytes unacknowledged", q);
	wl_ready();
	wl_wait();
	nft("nft delete table ip vzcr_wl 2>/dev/null", 0, 0);
	wl_check(read_all(cli, DATA, 7), "the client gets the server's data once");
	wl_check(read_all(srv, 64, 99), "the server gets the request, retransmitted");
	for (i = 0; i < 200 && (ioctl(srv, SIOCOUTQ, &q) || q); i++)
		usleep(10000);
	wl_check(q == 0, "the server's data is acknowledged at last (%d left)", q);
	return wl_done();
}
