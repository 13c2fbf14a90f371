// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unix sockets across checkpoint/restore: socketpairs of each type with
 * data queued both ways (message boundaries kept), a half-shut pair, an
 * orphan whose peer was closed with data still to read, a dgram server
 * bound to a path with a connected client and queued messages, a listener
 * with an abstract name holding an accepted connection and one not yet
 * accepted, an end shared with a child, options (SO_SNDBUF, SO_PASSCRED,
 * O_NONBLOCK). Each is checked after the signal to go on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

static void pair(int type, int sv[2], const char *what)
{
	wl_must(socketpair(AF_UNIX, type, 0, sv), what);
}

static void put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		wl_fail("write '%s': %s", s, strerror(errno));
}

/* The next message (or what a stream has) equals @s. */
static bool got(int fd, const char *s)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return !strcmp(buf, s);
}

static bool at_eof(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static socklen_t abstract(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "%s", name);
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static bool name_is(int fd, const struct sockaddr_un *want, socklen_t wl)
{
	struct sockaddr_un sa;
	socklen_t l = sizeof(sa);

	return !getsockname(fd, (struct sockaddr *)&sa, &l) && l == wl && !memcmp(&sa, want, wl);
}

int main(int argc, char **argv)
{
	int st[2], dg[2], sp[2], half[2], orph[2], shared[2], lsn, acc, cli, pend, srv, dcli, v;
	struct sockaddr_un la, pa, pa2;
	socklen_t ll, ll2, pl, sl = sizeof(int);
	char lname[64];
	pid_t child;

	wl_init(argc, argv);
	pair(SOCK_STREAM, st, "stream pair");
	put(st[0], "to-one");
	put(st[1], "to-zero");
	pair(SOCK_DGRAM, dg, "dgram pair");
	put(dg[0], "d1");
	put(dg[0], "d2");
	put(dg[1], "d3");
	pair(SOCK_SEQPACKET, sp, "seqpacket pair");
	put(sp[1], "s1");
	put(sp[1], "s2");
	pair(SOCK_STREAM, half, "half pair");
	put(half[0], "last words");
	wl_must(shutdown(half[0], SHUT_WR), "shutdown");
	pair(SOCK_STREAM, orph, "orphan pair");
	put(orph[1], "from the dead");
	close(orph[1]);
	v = 65536;
	wl_must(setsockopt(st[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), "SO_SNDBUF");
	v = 1;
	wl_must(setsockopt(st[1], SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)), "SO_PASSCRED");
	wl_must(fcntl(dg[1], F_SETFL, O_NONBLOCK), "O_NONBLOCK");

	/* a listener with an abstract name: one connection accepted, one waiting */
	snprintf(lname, sizeof(lname), "vzcr-wl-%d", getpid());
	ll = abstract(&la, lname);
	lsn = wl_must(socket(AF_UNIX, SOCK_STREAM, 0), "listener");
	wl_must(bind(lsn, (struct sockaddr *)&la, ll), "bind abstract");
	wl_must(listen(lsn, 7), "listen");
	cli = wl_must(socket(AF_UNIX, SOCK_STREAM, 0), "client");
	wl_must(connect(cli, (struct sockaddr *)&la, ll), "connect");
	acc = wl_must(accept(lsn, NULL, NULL), "accept");
	put(cli, "request");
	put(acc, "reply");
	pend = wl_must(socket(AF_UNIX, SOCK_STREAM, 0), "pending client");
	wl_must(connect(pend, (struct sockaddr *)&la, ll), "connect pending");

	/* a dgram server bound to a path, its client connected to it */
	memset(&pa, 0, sizeof(pa));
	pa.sun_family = AF_UNIX;
	snprintf(pa.sun_path, sizeof(pa.sun_path), "%s/dgram.sock", wl_dir());
	pl = offsetof(struct sockaddr_un, sun_path) + strlen(pa.sun_path) + 1;
	srv = wl_must(socket(AF_UNIX, SOCK_DGRAM, 0), "dgram server");
	wl_must(bind(srv, (struct sockaddr *)&pa, pl), "bind path");
	dcli = wl_must(socket(AF_UNIX, SOCK_DGRAM, 0), "dgram client");
	wl_must(connect(dcli, (struct sockaddr *)&pa, pl), "connect path");
	put(dcli, "m1");
	put(dcli, "m2");

	/* one end held by a child too: it writes after the restore */
	pair(SOCK_STREAM, shared, "shared pair");
	child = wl_must(fork(), "fork");
	if (!child) {
		close(shared[0]);
		wl_wait();
		put(shared[1], "child was here");
		_exit(0);
	}

	wl_ready();
	wl_wait();
	wl_check(got(st[1], "to-one") && got(st[0], "to-zero"), "stream pair data both ways");
	put(st[0], "after");
	wl_check(got(st[1], "after"), "stream pair still connected");
	wl_check(got(dg[1], "d1") && got(dg[1], "d2") && got(dg[0], "d3"), "dgram pair messages");
	wl_check(got(sp[0], "s1") && got(sp[0], "s2"), "seqpacket messages kept apart");
	wl_check(got(half[1], "last words") && at_eof(half[1]), "half-shut pair: data, then EOF");
	wl_check(send(half[0], "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "half-shut end cannot write");
	put(half[1], "back");
	wl_check(got(half[0], "back"), "half-shut end still reads");
	wl_check(got(orph[0], "from the dead") && at_eof(orph[0]), "orphan: data, then EOF");
	v = 0;
	wl_check(!getsockopt(st[0], SOL_SOCKET, SO_SNDBUF, &v, &sl) && v == 131072, "SO_SNDBUF %d", v);
	wl_check(!getsockopt(st[1], SOL_SOCKET, SO_PASSCRED, &v, &sl) && v == 1, "SO_PASSCRED");
	wl_check(fcntl(dg[1], F_GETFL) & O_NONBLOCK, "O_NONBLOCK kept");
	wl_check(!(fcntl(dg[0], F_GETFL) & O_NONBLOCK), "blocking kept");
	wl_check(name_is(lsn, &la, ll), "listener keeps its abstract name");
	wl_check(got(acc, "request") && got(cli, "reply"), "accepted connection data both ways");
	wl_check(name_is(acc, &la, ll), "the accepted end has the listener's name");
	ll2 = sizeof(pa2);
	wl_check(!getpeername(cli, (struct sockaddr *)&pa2, &ll2) && ll2 == ll && !memcmp(&pa2, &la, ll),
		 "the client's peer is the listener's name");
	fcntl(lsn, F_SETFL, O_NONBLOCK);
	acc = accept(lsn, NULL, NULL);
	wl_check(acc >= 0, "the waiting connection is accepted: %s", strerror(errno));
	put(pend, "late");
	wl_check(acc >= 0 && got(acc, "late"), "the waiting connection carries data");
	wl_check(name_is(srv, &pa, pl), "dgram server keeps its path");
	wl_check(got(srv, "m1") && got(srv, "m2"), "dgram server's queued messages");
	put(dcli, "m3");
	wl_check(got(srv, "m3"), "dgram client still connected");
	kill(child, SIGUSR2);
	wl_check(waitpid(child, &v, 0) == child && WIFEXITED(v) && !WEXITSTATUS(v), "child exits");
	wl_check(got(shared[0], "child was here"), "the child's end of a shared pair");
	return wl_done();
}
