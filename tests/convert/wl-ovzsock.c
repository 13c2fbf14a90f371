// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload of tests/convert/live-sock.t: unix sockets as a container's
 * processes hold them, for the chain live tree -> cptlive (cpt file) ->
 * ovz2img -> vzcr restore. A stream socketpair with data queued both ways
 * and one end shut for writing, a datagram pair with two messages queued, a
 * datagram socket bound to an abstract name holding a message sent to that
 * name, a listener; options set on some; a TCP listener on 127.0.0.1 and a
 * connection to it with data unread at both ends. After the restore it
 * reads every queue back (bytes and message boundaries), checks names,
 * options and shutdown, that each pair and the connection still talk and
 * that the TCP listener takes a new connection.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/e2e/wl.h"

static int st[2], dg[2], named, sender, lsn, tl, tc, ts;
static struct sockaddr_in taddr;
static struct sockaddr_un addr, laddr;
static socklen_t addrlen, laddrlen;

static socklen_t abstract(struct sockaddr_un *a, const char *what)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "ovzsock-%s-%d", what, getpid());
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a->sun_path + 1);
}

static void tcp_setup(void)
{
	socklen_t l = sizeof(taddr);
	int one = 1;

	taddr.sin_family = AF_INET;
	taddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	tl = socket(AF_INET, SOCK_STREAM, 0);
	tc = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(tl, (struct sockaddr *)&taddr, sizeof(taddr)) || listen(tl, 8) ||
	    getsockname(tl, (struct sockaddr *)&taddr, &l) ||
	    connect(tc, (struct sockaddr *)&taddr, sizeof(taddr)) || (ts = accept(tl, NULL, NULL)) < 0)
		wl_fail("TCP setup: %s", strerror(errno));
	setsockopt(tc, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (write(tc, "tcp-c2s", 7) != 7 || write(ts, "tcp-s2c-longer", 14) != 14)
		wl_fail("TCP write: %s", strerror(errno));
	usleep(50000);	/* acknowledged: nothing left in flight */
}

static void tcp_check(void)
{
	char buf[32] = "";
	socklen_t l = sizeof(int);
	struct timeval tmo = { .tv_sec = 2 };
	int v = 0, c;

	/* a queue the restore left empty must fail, not hang */
	setsockopt(ts, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	setsockopt(tc, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	wl_check(read(ts, buf, sizeof(buf)) == 7 && !memcmp(buf, "tcp-c2s", 7),
		 "TCP: the server reads what the client had sent ('%s')", buf);
	wl_check(read(tc, buf, sizeof(buf)) == 14 && !memcmp(buf, "tcp-s2c-longer", 14),
		 "TCP: the client reads what the server had sent");
	wl_check(write(tc, "again", 5) == 5 && read(ts, buf, sizeof(buf)) == 5 &&
		 !memcmp(buf, "again", 5), "TCP: the connection goes on");
	wl_check(!getsockopt(tc, IPPROTO_TCP, TCP_NODELAY, &v, &l) && v, "TCP: TCP_NODELAY kept");
	c = socket(AF_INET, SOCK_STREAM, 0);
	wl_check(!connect(c, (struct sockaddr *)&taddr, sizeof(taddr)) && accept(tl, NULL, NULL) >= 0,
		 "TCP: the listener takes a new connection on port %d", ntohs(taddr.sin_port));
}

static void setup(void)
{
	struct timeval tv = { .tv_sec = 1, .tv_usec = 500000 };
	int sz = 65536, prio = 5;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, st) || socketpair(AF_UNIX, SOCK_DGRAM, 0, dg))
		wl_fail("socketpair: %s", strerror(errno));
	named = socket(AF_UNIX, SOCK_DGRAM, 0);
	sender = socket(AF_UNIX, SOCK_DGRAM, 0);
	lsn = socket(AF_UNIX, SOCK_STREAM, 0);
	addrlen = abstract(&addr, "dg");
	laddrlen = abstract(&laddr, "listen");
	if (bind(named, (struct sockaddr *)&addr, addrlen) ||
	    bind(lsn, (struct sockaddr *)&laddr, laddrlen) || listen(lsn, 7))
		wl_fail("bind/listen: %s", strerror(errno));
	setsockopt(st[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(dg[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(st[1], SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio));
	if (write(st[0], "ping-from-0", 11) != 11 || write(st[0], "+more", 5) != 5 ||
	    write(st[1], "pong-from-1", 11) != 11 || send(dg[0], "dg-one", 6, 0) != 6 ||
	    send(dg[0], "dg-two!", 7, 0) != 7 ||
	    sendto(sender, "to-named", 8, 0, (struct sockaddr *)&addr, addrlen) != 8)
		wl_fail("queueing data: %s", strerror(errno));
	shutdown(st[1], SHUT_WR);
	tcp_setup();
}

/* The next message of @fd is @want (nothing more in it for a datagram). */
static void expect(int fd, const char *want, const char *what)
{
	char buf[64] = "";
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	wl_check(n == (ssize_t)strlen(want) && !memcmp(buf, want, n), "%s: got %zd bytes '%s', want '%s'",
		 what, n, n > 0 ? buf : "", want);
}

static void check(void)
{
	struct sockaddr_un a;
	socklen_t l = sizeof(a);
	struct timeval tv;
	char c;
	int v;

	expect(st[1], "ping-from-0+more", "stream pair: end 1's queue");
	expect(st[0], "pong-from-1", "stream pair: end 0's queue");
	wl_check(recv(st[0], &c, 1, MSG_DONTWAIT) == 0, "stream pair: end 1 shut for writing (EOF at end 0)");
	wl_check(write(st[0], "x", 1) == 1 && recv(st[1], &c, 1, MSG_DONTWAIT) == 1 && c == 'x',
		 "stream pair: still connected");
	expect(dg[1], "dg-one", "datagram pair: first message");
	expect(dg[1], "dg-two!", "datagram pair: second message, boundaries kept");
	wl_check(send(dg[1], "y", 1, 0) == 1 && recv(dg[0], &c, 1, MSG_DONTWAIT) == 1,
		 "datagram pair: still connected");
	expect(named, "to-named", "named datagram socket: its message");
	wl_check(!getsockname(named, (struct sockaddr *)&a, &l) && l == addrlen &&
		 !memcmp(&a, &addr, l), "named datagram socket: its abstract name");
	l = sizeof(a);
	wl_check(!getsockname(lsn, (struct sockaddr *)&a, &l) && l == laddrlen &&
		 !memcmp(&a, &laddr, l), "listener: its name");
	l = sizeof(v);
	wl_check(!getsockopt(lsn, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) && v == 1, "listener: listening");
	l = sizeof(v);
	wl_check(!getsockopt(st[0], SOL_SOCKET, SO_SNDBUF, &v, &l) && v == 131072,
		 "SO_SNDBUF kept (%d)", v);
	l = sizeof(v);
	wl_check(!getsockopt(st[1], SOL_SOCKET, SO_PRIORITY, &v, &l) && v == 5, "SO_PRIORITY kept (%d)", v);
	l = sizeof(tv);
	wl_check(!getsockopt(dg[1], SOL_SOCKET, SO_RCVTIMEO, &tv, &l) && tv.tv_sec == 1 &&
		 tv.tv_usec / 1000 == 500, "SO_RCVTIMEO kept (%ld.%06ld)", (long)tv.tv_sec,
		 (long)tv.tv_usec);
	tcp_check();
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
