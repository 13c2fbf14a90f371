/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The links of the caller's net namespace, read over rtnetlink
 * (ns_net_link.c) for ns_net.c.
 */
#ifndef VZCR_NS_NET_H
#define VZCR_NS_NET_H

#include <net/if.h>
#include <stdint.h>

struct ns_link {
	int ifindex;
	unsigned int flags;		/* IFF_* */
	unsigned short type;		/* ARPHRD_* */
	uint32_t mtu;
	char name[IFNAMSIZ];
	char kind[32];			/* IFLA_INFO_KIND; "" if none */
	uint8_t addr[32];		/* IFLA_ADDRESS */
	size_t addr_len;
	int link;			/* IFLA_LINK: a veth's peer ifindex; 0 if none */
	int link_netnsid;		/* IFLA_LINK_NETNSID; -1 if none */
	int master;			/* IFLA_MASTER; 0 if none */
};

/*
 * Call @fn for every link of the caller's net namespace, in ifindex order
 * as the kernel dumps them; stops at the first negative return. 0 or -errno.
 */
int ns_net_links(int (*fn)(const struct ns_link *l, void *arg), void *arg);

#endif /* VZCR_NS_NET_H */
