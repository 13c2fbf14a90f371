// SPDX-License-Identifier: GPL-2.0-only
/*
 * The net namespace: links (netdev-ID.img: lo and veth; other kinds are
 * refused by name), the sysctls that matter (netns-ID.img, vzcr's own
 * field: engine/images/README), addresses and routes as `ip addr save` and
 * `ip route save` write them (ifaddr-ID.img, route-ID.img, route6-ID.img:
 * raw netlink messages, what CRIU stores too), and the nftables ruleset as
 * `nft list ruleset` prints it (nftables-ID.img). Dumped by a helper inside
 * the target's net namespace; ip and nft run there too.
 */
#define LOG_PREFIX "ns-net: "
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if_arp.h>

#include "cleanup.h"
#include "image.h"
#include "log.h"
#include "netdev.pb-c.h"
#include "nsimg.h"
#include "ns_net.h"
#include "ns_util.h"
#include "xmalloc.h"

#define NS_MAX_LINKS 64

struct net_dump {
	int dfd;
	uint32_t id;
	struct img *img;
	char names[NS_MAX_LINKS][IFNAMSIZ];
	size_t n;
};

static int dump_link(const struct ns_link *l, void *arg)
{
	struct net_dump *d = arg;
	NetDeviceEntry e = NET_DEVICE_ENTRY__INIT;

	if (l->type == ARPHRD_LOOPBACK)
		e.type = ND_TYPE__LOOPBACK;
	else if (!strcmp(l->kind, "veth"))
		e.type = ND_TYPE__VETH;
	else
		return log_err(-ENOTSUP, "Failed to dump link '%s' (index %d): kind '%s' is not supported",
			       l->name, l->ifindex, l->kind[0] ? l->kind : "none");
	if (l->master)
		return log_err(-ENOTSUP, "Failed to dump link '%s': enslaved to link index %d, not supported",
			       l->name, l->master);
	/* restore puts every peer into the host: a pair inside the CT would split */
	if (e.type == ND_TYPE__VETH && l->link_netnsid < 0)
		return log_err(-ENOTSUP, "Failed to dump veth '%s': its peer (index %d) is in the same namespace, not supported",
			       l->name, l->link);
	if (d->n == NS_MAX_LINKS)
		return log_err(-E2BIG, "Failed to dump link '%s': more than %d links", l->name,
			       NS_MAX_LINKS);
	e.ifindex = l->ifindex;
	e.mtu = l->mtu;
	e.flags = l->flags;
	e.name = (char *)l->name;
	e.has_address = l->addr_len > 0;
	e.address.data = (uint8_t *)l->addr;
	e.address.len = l->addr_len;
	e.has_peer_ifindex = l->link > 0;
	e.peer_ifindex = l->link;
	e.has_peer_nsid = l->link_netnsid >= 0;
	e.peer_nsid = l->link_netnsid;
	snprintf(d->names[d->n++], IFNAMSIZ, "%s", l->name);
	return img_write(d->img, &e);
}

/* The per-namespace and per-device sysctls, in the order restore writes them. */
static const char *const net_knobs[] = { "ipv4/conf/%s/forwarding", "ipv4/conf/%s/rp_filter",
					 "ipv6/conf/%s/disable_ipv6", "ipv6/conf/%s/forwarding" };

static int add_sysctl(NetnsEntry *e, const char *path)
{
	VzcrSysctlEntry *s;
	char val[256];
	int ret;

	ret = ns_sysctl_get(path, val, sizeof(val));
	if (ret < 0)
		return ret;
	s = xmalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	vzcr_sysctl_entry__init(s);
	s->path = xstrdup(path);
	s->value = xstrdup(val);
	e->vzcr_sysctls[e->n_vzcr_sysctls++] = s;
	return s->path && s->value ? 0 : -ENOMEM;
}

static int dump_sysctls(struct net_dump *d)
{
	NetnsEntry e = NETNS_ENTRY__INIT;
	char path[96], dev[IFNAMSIZ];
	size_t i, k, max = 1 + (d->n + 2) * ARRAY_SIZE(net_knobs);
	int ret;

	e.vzcr_sysctls = xzalloc(max * sizeof(*e.vzcr_sysctls));
	if (!e.vzcr_sysctls)
		return -ENOMEM;
	/* ip_forward first: writing it resets every conf/X/forwarding */
	ret = add_sysctl(&e, "net/ipv4/ip_forward");
	for (i = 0; ret == 0 && i < d->n + 2; i++) {
		snprintf(dev, sizeof(dev), "%s", i == 0 ? "all" : i == 1 ? "default" : d->names[i - 2]);
		for (k = 0; ret == 0 && k < ARRAY_SIZE(net_knobs); k++) {
			snprintf(path, sizeof(path), "net/");
			snprintf(path + 4, sizeof(path) - 4, net_knobs[k], dev);
			/* no ipv6 in this kernel: nothing to keep */
			if (!strncmp(path, "net/ipv6", 8) && access("/proc/sys/net/ipv6", F_OK))
				continue;
			ret = add_sysctl(&e, path);
		}
	}
	if (ret == 0)
		ret = img_write_single(d->dfd, IMG_NETNS, d->id, &e);
	for (i = 0; i < e.n_vzcr_sysctls; i++) {
		free(e.vzcr_sysctls[i]->path);
		free(e.vzcr_sysctls[i]->value);
		free(e.vzcr_sysctls[i]);
	}
	free(e.vzcr_sysctls);
	return ret;
}

/* Run a program with its stdout going to a new raw image. */
static int dump_prog(const struct net_dump *d, enum img_type type, char *const argv[])
{
	struct img *img;
	int ret;

	if (!argv[0])
		return log_err(-ENOENT, "Failed to find '%s' (iproute2, nftables)", argv[1]);
	img = img_open(d->dfd, type, O_WRONLY, d->id);
	if (!img)
		return -errno;
	ret = ns_spawn(argv, -1, img_fd(img), img_path(img));
	if (ret < 0) {
		img_abort(img);
		return ret;
	}
	return img_close(img);
}

static int dump_progs(const struct net_dump *d)
{
	char *ip = (char *)ns_prog("ip"), *ipd = ip ? xstrdup(ip) : NULL;
	char *nft = (char *)ns_prog("nft");
	char *addr[] = { ipd, "addr", "save", NULL };
	char *r4[] = { ipd, "-4", "route", "save", "table", "all", NULL };
	char *r6[] = { ipd, "-6", "route", "save", "table", "all", NULL };
	char *nftl[] = { nft, "list", "ruleset", NULL };
	int ret;

	if (!ipd)
		return log_err(-ENOENT, "Failed to find 'ip' (iproute2)");
	ret = dump_prog(d, IMG_IFADDR, addr) ?: dump_prog(d, IMG_ROUTE, r4) ?:
	      dump_prog(d, IMG_ROUTE6, r6) ?: dump_prog(d, IMG_NFTABLES, nftl);
	free(ipd);
	return ret;
}

static int net_dump_inside(void *arg)
{
	struct net_dump *d = arg;
	int ret;

	d->img = img_open(d->dfd, IMG_NETDEV, O_WRONLY, d->id);
	if (!d->img)
		return -errno;
	ret = ns_net_links(dump_link, d);
	if (ret < 0) {
		img_abort(d->img);
		return ret;
	}
	ret = img_close(d->img);
	return ret ?: dump_sysctls(d) ?: dump_progs(d);
}

int ns_dump_net(pid_t pid, int dfd)
{
	struct net_dump *d = xzalloc(sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	d->dfd = dfd;
	ret = ns_id(pid, "net", &d->id) ?: ns_run_in(pid, CLONE_NEWNET, net_dump_inside, d);
	free(d);
	return ret;
}
