// SPDX-License-Identifier: GPL-2.0-only
/*
 * Netlink and packet sockets across checkpoint/restore: a NETLINK_ROUTE
 * socket bound to its port id with two multicast groups (one past the
 * first 32), a generic netlink socket never bound, and a packet socket of
 * ETH_P_ALL bound to lo with PACKET_AUXDATA. After the signal to go on:
 * the same port id and groups, a route dump answers, the packet socket is
 * still bound to lo and sees traffic there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define FAR_GROUP 33		/* RTNLGRP_ND_USEROPT: only NETLINK_ADD_MEMBERSHIP reaches it */

static bool has_group(int fd, int g)
{
	uint32_t groups[8] = {};
	socklen_t l = sizeof(groups);

	if (getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &l) < 0)
		return false;
	return (unsigned int)(g - 1) / 32 < l / 4 && (groups[(g - 1) / 32] & (1U << ((g - 1) % 32)));
}

/* RTM_GETLINK dump: is there an answer? */
static bool route_answers(int fd)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { { sizeof(req), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0 }, { .ifi_family = AF_UNSPEC } };
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[8192];
	struct nlmsghdr *h = (void *)buf;

	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return false;
	/* notifications of the groups may come first: look for our reply */
	while (poll(&p, 1, 5000) == 1) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 0 && h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 1)
			return true;
		if (n <= 0)
			return false;
	}
	return false;
}

static unsigned int nl_port(int fd)
{
	struct sockaddr_nl sa;
	socklen_t l = sizeof(sa);

	return getsockname(fd, (struct sockaddr *)&sa, &l) ? 0 : sa.nl_pid;
}

/* A UDP datagram to 127.0.0.1:9 shows up on the packet socket. */
static bool packet_sees(int pk)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct pollfd p = { pk, POLLIN, 0 };
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[2048];
	bool seen = false;
	int i;

	for (i = 0; i < 20 && !seen; i++) {
		sendto(u, "vzcr", 4, 0, (struct sockaddr *)&to, sizeof(to));
		seen = poll(&p, 1, 200) == 1 && recv(pk, buf, sizeof(buf), MSG_DONTWAIT) > 0;
	}
	close(u);
	return seen;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	socklen_t l = sizeof(sa);
	int rt, gen, pk, g = FAR_GROUP, v = 0;
	unsigned int port;

	wl_init(argc, argv);
	rt = wl_must(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), "netlink route");
	wl_must(bind(rt, (struct sockaddr *)&sa, l), "bind netlink");
	wl_must(setsockopt(rt, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)), "add membership");
	port = nl_port(rt);
	gen = wl_must(socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC), "netlink generic");
	pk = wl_must(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), "packet");
	ll.sll_ifindex = if_nametoindex("lo");
	wl_must(bind(pk, (struct sockaddr *)&ll, sizeof(ll)), "bind packet");
	v = 1;
	wl_must(setsockopt(pk, SOL_PACKET, PACKET_AUXDATA, &v, sizeof(v)), "PACKET_AUXDATA");

	wl_ready();
	wl_wait();
	wl_check(port && nl_port(rt) == port, "netlink port id %u kept", port);
	wl_check(has_group(rt, RTNLGRP_LINK) && has_group(rt, FAR_GROUP), "netlink groups kept");
	wl_check(!has_group(rt, RTNLGRP_IPV4_IFADDR), "no group added");
	wl_check(route_answers(rt), "netlink route dump answers");
	v = -1;
	l = sizeof(v);
	wl_check(!getsockopt(gen, SOL_SOCKET, SO_PROTOCOL, &v, &l) && v == NETLINK_GENERIC,
		 "generic netlink protocol %d", v);
	wl_check(nl_port(gen) == 0, "the unbound netlink socket stays unbound");
	l = sizeof(ll);
	memset(&ll, 0, sizeof(ll));
	wl_check(!getsockname(pk, (struct sockaddr *)&ll, &l) && ll.sll_ifindex == (int)if_nametoindex("lo") &&
		 ll.sll_protocol == htons(ETH_P_ALL), "packet socket bound to lo");
	v = 0;
	l = sizeof(v);
	wl_check(!getsockopt(pk, SOL_PACKET, PACKET_AUXDATA, &v, &l) && v == 1, "PACKET_AUXDATA kept");
	wl_check(packet_sees(pk), "the packet socket sees traffic on lo");
	return wl_done();
}
