// SPDX-License-Identifier: GPL-2.0-only
/*
 * The container's network (note section 9.4) as the engine's ns_net.c
 * writes it, for a restore that makes the CT's net namespace: links in
 * netdev-1.img, addresses in ifaddr-1.img and routes in route-1.img /
 * route6-1.img (the streams `ip addr save` and `ip route save` write: a
 * u32 magic, then rtnetlink messages), netns-1.img with no sysctls.
 *
 * OpenVZ's venet0 has no mainline equivalent: it becomes the veth "eth0" a
 * vzcr CT has (same ifindex, flags and MTU, NOARP kept; a locally
 * administered MAC made from the ifindex: venet has none), its addresses
 * and routes move with it (labels "venet0:N" become "eth0:N"). What the
 * host did for venet (routing the CT's addresses to it) is the host side of
 * the veth's business. lo stays lo; a veth keeps its name and MAC. Other
 * kinds (tun/tap, bridges, tunnels) are refused by name. The dump's routes
 * are its own RTM_NEWROUTE messages, split by family; the engine's restore
 * leaves out the kernel's own.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "log.h"
#include "netdev.pb-c.h"
#include "xlate.h"

#define NET_NS_ID		1
#define CPT_OBJ_NET_DEVICE	1036
#define CPT_OBJ_NET_IFADDR	1037
#define CPT_OBJ_NET_ROUTE	1038
#define CPT_OBJ_NET_VETH	4115
#define CPT_OBJ_NET_HWADDR	4114
#define ROUTE_SAVE_MAGIC	0x45311224U	/* iproute2's dump headers */
#define ADDR_SAVE_MAGIC		0x47361222U
#define XL_MAX_LINKS		64
#define MAX_ROUTE_BYTES		(16U << 20)

struct xlink {
	uint32_t index;
	char name[IFNAMSIZ];	/* as written: venet0 is eth0 */
	char old[IFNAMSIZ];
};

struct xnet {
	struct xlink l[XL_MAX_LINKS];
	int n;
};

struct dev_arg {
	bool veth, other;
	uint8_t mac[6];
	bool has_mac;
};

static int dev_child(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg)
{
	struct dev_arg *a = arg;
	uint8_t rec[48];
	int r;

	if (h->type == CPT_OBJ_NET_VETH)
		a->veth = true;
	else if (h->type == 4113 || h->type == 4117 || h->type == 4120 || h->type == 4121)
		a->other = true;	/* tun/tap, ipip tunnel, bridge */
	if (h->type != CPT_OBJ_NET_HWADDR)
		return 0;
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_NET_HWADDR, "NET_HWADDR", rec,
			 sizeof(rec), NULL);
	memcpy(a->mac, rec + 16, 6);
	a->has_mac = true;
	return r;
}

static int one_dev(struct xlate *x, struct img *img, struct xnet *n, uint64_t pos,
		   const struct cpt_obj_hdr *h)
{
	NetDeviceEntry e = NET_DEVICE_ENTRY__INIT;
	struct dev_arg a = {};
	struct xlink *l = &n->l[n->n];
	uint8_t rec[48];
	int r;

	if (n->n == XL_MAX_LINKS)
		return log_err(-E2BIG, "NET_DEVICE at offset %#" PRIx64 ": more than %d links", pos,
			       XL_MAX_LINKS);
	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_NET_DEVICE, "NET_DEVICE", rec,
			 sizeof(rec), NULL) ?: xl_children(x, pos, h, dev_child, &a);
	if (r < 0)
		return r;
	l->index = get32(rec, 16);
	memcpy(l->old, rec + 24, IFNAMSIZ - 1);
	l->old[IFNAMSIZ - 1] = '\0';
	strcpy(l->name, l->old);
	e.ifindex = l->index;
	e.flags = get32(rec, 20);
	e.mtu = get32(rec, 40) ?: 1500;	/* 2.6.18 records have none */
	e.name = l->name;
	if (!strcmp(l->old, "lo")) {
		e.type = ND_TYPE__LOOPBACK;
	} else if (!strncmp(l->old, "venet", 5) && !a.veth && !a.other) {
		e.type = ND_TYPE__VETH;
		snprintf(l->name, sizeof(l->name), "eth%s", l->old + 5);
		a.has_mac = true;	/* locally administered, from the ifindex */
		memcpy(a.mac, (uint8_t[]){ 0x02, 0x0e, l->index >> 24, l->index >> 16,
					    l->index >> 8, l->index }, 6);
	} else if (a.veth && a.has_mac) {
		e.type = ND_TYPE__VETH;
	} else {
		return xl_unsupported(x, "the network device '%s' (NET_DEVICE at offset %#" PRIx64 "): %s",
				      l->old, pos, a.veth ? "a veth without its MAC" :
				      "not lo, venet or veth");
	}
	if (a.has_mac) {
		e.has_address = true;
		e.address.data = a.mac;
		e.address.len = 6;
	}
	n->n++;
	return img_write(img, &e);
}

static const struct xlink *link_of(const struct xnet *n, uint32_t index)
{
	for (int i = 0; i < n->n; i++)
		if (n->l[i].index == index)
			return &n->l[i];
	return NULL;
}

/* Append an rtattr of @len bytes to the message in @buf (room checked). */
static void put_attr(uint8_t *buf, uint16_t type, const void *data, size_t len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct rtattr *a = (struct rtattr *)(buf + NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* One NET_IFADDR as the RTM_NEWADDR message `ip addr save` keeps. */
static int one_addr(struct xlate *x, struct img *img, const struct xnet *n, uint64_t pos,
		    const struct cpt_obj_hdr *h)
{
	uint8_t rec[96], msg[512] = { 0 };
	struct nlmsghdr *m = (struct nlmsghdr *)msg;
	struct ifaddrmsg *ifa = NLMSG_DATA(m);
	const struct xlink *l;
	char label[IFNAMSIZ + 16];
	size_t alen;
	int r;

	r = cpt_read_obj(x->f, pos, pos + h->next, CPT_OBJ_NET_IFADDR, "NET_IFADDR", rec,
			 sizeof(rec), NULL);
	if (r < 0)
		return r;
	l = link_of(n, get32(rec, 16));
	if (!l)
		return xl_unsupported(x, "an address of a link left out (NET_IFADDR at offset %#" PRIx64 ")",
				      pos);
	ifa->ifa_family = rec[20];
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return log_err(-EPROTO, "NET_IFADDR at offset %#" PRIx64 ": field cpt_family %u is not AF_INET or AF_INET6",
			       pos, rec[20]);
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	ifa->ifa_prefixlen = rec[21];
	ifa->ifa_flags = rec[22];
	ifa->ifa_scope = rec[23];
	ifa->ifa_index = l->index;
	m->nlmsg_type = RTM_NEWADDR;
	m->nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	put_attr(msg, IFA_LOCAL, rec + 24, alen);
	put_attr(msg, IFA_ADDRESS, memcmp(rec + 40, (uint8_t[16]){ 0 }, alen) ? rec + 40 : rec + 24,
		 alen);
	if (alen == 4 && get32(rec, 56))
		put_attr(msg, IFA_BROADCAST, rec + 56, 4);
	if (alen == 4 && rec[72]) {	/* "venet0:0" moves with its link: "eth0:0" */
		const char *colon = memchr(rec + 72, ':', 16);

		snprintf(label, sizeof(label), "%s%.*s", l->name, colon ? (int)(rec + 88 - (const uint8_t *)colon) : 0,
			 colon ? colon : "");
		label[strnlen(label, IFNAMSIZ - 1)] = '\0';
		put_attr(msg, IFA_LABEL, label, strlen(label) + 1);
	}
	return img_write_raw(img, msg, NLMSG_ALIGN(m->nlmsg_len));
}

/* The dump's RTM_NEWROUTE messages, each checked, by family. */
static int routes(struct xlate *x, struct img *r4, struct img *r6, uint64_t pos,
		  const struct cpt_obj_hdr *h)
{
	uint64_t len = h->next - h->hdrlen;
	_cleanup_free_ uint8_t *buf = len <= MAX_ROUTE_BYTES ? malloc(len ?: 1) : NULL;
	size_t off = 0;
	int r;

	if (!buf)
		return log_err(-EFBIG, "NET_ROUTE at offset %#" PRIx64 ": %" PRIu64 " bytes of messages",
			       pos, len);
	r = cpt_pread(x->f, pos + h->hdrlen, buf, len, "NET_ROUTE messages");
	while (!r && off + NLMSG_LENGTH(sizeof(struct rtmsg)) <= len) {
		struct nlmsghdr *m = (struct nlmsghdr *)(buf + off);
		struct rtmsg *rt = NLMSG_DATA(m);

		if (!m->nlmsg_len)
			break;	/* the zero padding after the last message */
		if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)) || m->nlmsg_len > len - off ||
		    m->nlmsg_type != RTM_NEWROUTE)
			return log_err(-EPROTO, "NET_ROUTE at offset %#" PRIx64 ": message at +%zu: length %u or type %u is wrong",
				       pos, off, m->nlmsg_len, m->nlmsg_type);
		if (rt->rtm_family == AF_INET || rt->rtm_family == AF_INET6)
			r = img_write_raw(rt->rtm_family == AF_INET ? r4 : r6, m, m->nlmsg_len);
		off += NLMSG_ALIGN(m->nlmsg_len);
	}
	return r;
}

struct net_imgs {
	struct img *dev, *addr, *r4, *r6;
};

static int walk(struct xlate *x, uint32_t code, uint32_t type, struct xnet *n,
		struct net_imgs *im)
{
	const struct cpt_section *s = xl_section(x, code);
	struct cpt_obj_hdr h;
	int r = 0;

	for (uint64_t p = s ? s->pos + s->hdrlen : 0; !r && s && p < s->pos + s->len; p += h.next) {
		r = cpt_read_obj(x->f, p, s->pos + s->len, type, cpt_obj_name(type), NULL, 0, &h);
		if (r < 0)
			break;
		r = type == CPT_OBJ_NET_DEVICE ? one_dev(x, im->dev, n, p, &h) :
		    type == CPT_OBJ_NET_IFADDR ? one_addr(x, im->addr, n, p, &h) :
		    routes(x, im->r4, im->r6, p, &h);
	}
	return r;
}

int xl_write_net(struct xlate *x)
{
	static const uint32_t magic = ROUTE_SAVE_MAGIC, amagic = ADDR_SAVE_MAGIC;
	NetnsEntry ns = NETNS_ENTRY__INIT;
	struct xnet *n = calloc(1, sizeof(*n));
	struct net_imgs im = {
		img_open(x->dfd, IMG_NETDEV, O_WRONLY, NET_NS_ID),
		img_open(x->dfd, IMG_IFADDR, O_WRONLY, NET_NS_ID),
		img_open(x->dfd, IMG_ROUTE, O_WRONLY, NET_NS_ID),
		img_open(x->dfd, IMG_ROUTE6, O_WRONLY, NET_NS_ID),
	};
	struct img **all[] = { &im.dev, &im.addr, &im.r4, &im.r6 };
	int r = !n ? -ENOMEM : im.dev && im.addr && im.r4 && im.r6 ? 0 : -errno;

	r = r ?: img_write_raw(im.addr, &amagic, 4) ?: img_write_raw(im.r4, &magic, 4) ?:
	    img_write_raw(im.r6, &magic, 4);
	r = r ?: walk(x, 16, CPT_OBJ_NET_DEVICE, n, &im) ?: walk(x, 17, CPT_OBJ_NET_IFADDR, n, &im) ?:
	    walk(x, 18, CPT_OBJ_NET_ROUTE, n, &im);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (r)
			img_abort(*all[i]);
		else
			r = img_close(*all[i]);
	}
	free(n);
	return r ?: img_write_single(x->dfd, IMG_NETNS, NET_NS_ID, &ns);
}
