// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sockets the engine must refuse, one per run (WL_REFUSE=KIND): a raw
 * socket, a half-closed TCP connection, a
 * listener with a connection not yet accepted, a socket filter. Each run
 * first makes an established TCP connection (dumped before the refused
 * socket, so put in repair mode): after the failed checkpoint it must
 * carry data both ways, and the refused socket must still be there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wl.h"

/* A connected pair over 127.0.0.1; the listener in *ret_l. */
static void tcp_pair(int *a, int *b, int *ret_l)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(sa);
	int lsn = wl_must(socket(AF_INET, SOCK_STREAM, 0), "socket");

	wl_must(bind(lsn, (struct sockaddr *)&sa, l), "bind");
	wl_must(listen(lsn, 4), "listen");
	wl_must(getsockname(lsn, (struct sockaddr *)&sa, &l), "getsockname");
	*a = wl_must(socket(AF_INET, SOCK_STREAM, 0), "socket");
	wl_must(connect(*a, (struct sockaddr *)&sa, l), "connect");
	*b = wl_must(accept(lsn, NULL, NULL), "accept");
	*ret_l = lsn;
}

static bool echo(int a, int b)
{
	struct pollfd p = { b, POLLIN, 0 };
	char c = 0;

	return send(a, "z", 1, 0) == 1 && poll(&p, 1, 5000) == 1 && recv(b, &c, 1, 0) == 1 && c == 'z';
}

int main(int argc, char **argv)
{
	const char *k = getenv("WL_REFUSE") ?: "";
	int a, b, l, x = -1, y = -1, z = -1;
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, 0xffff);
	struct sock_fprog prog = { 1, &insn };

	wl_init(argc, argv);
	tcp_pair(&a, &b, &l);
	if (!strcmp(k, "raw")) {
		x = wl_must(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), "raw socket");
	} else if (!strcmp(k, "halfclosed")) {
		tcp_pair(&x, &y, &z);
		wl_must(shutdown(x, SHUT_WR), "shutdown");
	} else if (!strcmp(k, "backlog")) {
		tcp_pair(&x, &y, &z);
		wl_must(socket(AF_INET, SOCK_STREAM, 0), "socket");	/* fd of the connection below */
		{
			struct sockaddr_in sa;
			socklen_t sl = sizeof(sa);
			int c = socket(AF_INET, SOCK_STREAM, 0);

			wl_must(getsockname(z, (struct sockaddr *)&sa, &sl), "getsockname");
			wl_must(connect(c, (struct sockaddr *)&sa, sl), "connect unaccepted");
		}
	} else if (!strcmp(k, "filter")) {
		x = wl_must(socket(AF_INET, SOCK_DGRAM, 0), "udp");
		wl_must(setsockopt(x, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)), "filter");
	} else {
		wl_fail("unknown WL_REFUSE '%s'", k);
	}
	wl_ready();
	wl_wait();
	wl_check(echo(a, b) && echo(b, a), "the TCP connection dumped first still works");
	wl_check(x < 0 || fcntl(x, F_GETFD) >= 0, "the refused socket is still open");
	return wl_done();
}
