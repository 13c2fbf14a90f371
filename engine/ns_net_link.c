// SPDX-License-Identifier: GPL-2.0-only
/*
 * The links of a net namespace over rtnetlink: one RTM_GETLINK dump, each
 * link's name, index, flags, MTU, MAC, kind (IFLA_LINKINFO) and peer.
 * Plain netlink, no library: this is the only query the dump needs.
 */
#define LOG_PREFIX "ns-net: "
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "cleanup.h"
#include "log.h"
#include "ns_net.h"

static void parse_linkinfo(struct ns_link *l, struct rtattr *info, int len)
{
	struct rtattr *a;

	for (a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_INFO_KIND)
			snprintf(l->kind, sizeof(l->kind), "%.*s", (int)RTA_PAYLOAD(a),
				 (char *)RTA_DATA(a));
}

static void parse_attr(struct ns_link *l, struct rtattr *a)
{
	size_t n = RTA_PAYLOAD(a);

	switch (a->rta_type) {
	case IFLA_IFNAME:
		snprintf(l->name, sizeof(l->name), "%.*s", (int)n, (char *)RTA_DATA(a));
		break;
	case IFLA_MTU:
		if (n >= 4)
			memcpy(&l->mtu, RTA_DATA(a), 4);
		break;
	case IFLA_ADDRESS:
		l->addr_len = n < sizeof(l->addr) ? n : sizeof(l->addr);
		memcpy(l->addr, RTA_DATA(a), l->addr_len);
		break;
	case IFLA_LINK:
		if (n >= 4)
			memcpy(&l->link, RTA_DATA(a), 4);
		break;
	case IFLA_LINK_NETNSID:
		if (n >= 4)
			memcpy(&l->link_netnsid, RTA_DATA(a), 4);
		break;
	case IFLA_MASTER:
		if (n >= 4)
			memcpy(&l->master, RTA_DATA(a), 4);
		break;
	case IFLA_LINKINFO:
		parse_linkinfo(l, a, (int)n);
		break;
	}
}

static int parse_link(struct nlmsghdr *h, struct ns_link *l)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	struct rtattr *a;

	if (len < 0)
		return log_err(-EPROTO, "Failed to parse an RTM_NEWLINK message of %u bytes",
			       h->nlmsg_len);
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	l->link_netnsid = -1;
	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		parse_attr(l, a);
	return 0;
}

static int send_dump(int fd)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = {
		.h.nlmsg_len = sizeof(req),
		.h.nlmsg_type = RTM_GETLINK,
		.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.h.nlmsg_seq = 1,
		.i.ifi_family = AF_UNSPEC,
	};

	if (send(fd, &req, sizeof(req), 0) < 0)
		return log_perr(-errno, "Failed to ask rtnetlink for the links");
	return 0;
}

/* One datagram of the dump: 1 if done, 0 for more, or -errno. */
static int recv_part(int fd, char *buf, size_t size,
		     int (*fn)(const struct ns_link *l, void *arg), void *arg)
{
	struct ns_link l;
	struct nlmsghdr *h;
	ssize_t n = recv(fd, buf, size, 0);
	int ret;

	if (n < 0)
		return log_perr(-errno, "Failed to read the links from rtnetlink");
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			return log_perr(e->error ? e->error : -EPROTO, "Failed to dump the links");
		}
		if (h->nlmsg_type != RTM_NEWLINK)
			continue;
		ret = parse_link(h, &l);
		if (ret == 0)
			ret = fn(&l, arg);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int ns_net_links(int (*fn)(const struct ns_link *l, void *arg), void *arg)
{
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	_cleanup_free_ char *buf = NULL;
	const size_t size = 64 * 1024;
	int ret;

	if (fd < 0)
		return log_perr(-errno, "Failed to open an rtnetlink socket");
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	ret = send_dump(fd);
	while (ret == 0)
		ret = recv_part(fd, buf, size, fn, arg);
	return ret < 0 ? ret : 0;
}
