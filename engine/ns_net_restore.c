// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rebuild a net namespace from netdev/netns/ifaddr/route/route6/nftables
 * images (ns_net.c writes them), in the caller's net namespace, in the
 * order the kernel needs: links (down), sysctls (disable_ipv6 before any
 * address), addresses, links up, routes (their devices and gateways must
 * be there), nftables. Links are made with `ip link add ... index N`: the
 * saved routes name their devices by index.
 */
#define LOG_PREFIX "ns-net: "
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <linux/rtnetlink.h>

#include "cleanup.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "netdev.pb-c.h"
#include "nsimg.h"
#include "ns_util.h"
#include "xmalloc.h"

#define NS_MAX_LINKS 64

struct net_restore {
	int dfd;
	uint32_t id;
	const struct ns_net_opts *o;
	NetDeviceEntry *dev[NS_MAX_LINKS];
	size_t n;
	char ip[64];
};

static int ip_run(const struct net_restore *r, char **args, const char *what)
{
	char *argv[24] = { (char *)r->ip };
	size_t i;

	for (i = 0; args[i] && i < ARRAY_SIZE(argv) - 2; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	return ns_spawn(argv, -1, -1, what);
}

/* A veth pair: our end with its name, index, MAC and MTU; the peer in the host. */
static int add_veth(const struct net_restore *r, const NetDeviceEntry *e, const char *peer)
{
	char idx[16], mtu[16], mac[3 * 32], ns[64];
	char *args[] = { "link", "add", e->name, "index", idx, "mtu", mtu, "address", mac,
			 "type", "veth", "peer", "name", (char *)peer, "netns", ns, NULL };
	size_t i;
	int fd, ret;

	if (!e->has_address || e->address.len != 6)
		return log_err(-EINVAL, "Failed to restore veth '%s': no 6-byte MAC in the image",
			       e->name);
	snprintf(idx, sizeof(idx), "%u", e->ifindex);
	snprintf(mtu, sizeof(mtu), "%u", e->mtu);
	for (i = 0; i < e->address.len; i++)
		snprintf(mac + (i ? 3 * i - 1 : 0), 4, "%s%02x", i ? ":" : "", e->address.data[i]);
	/* ip opens the path: an inherited copy of the fd, through its own /proc/self */
	fd = fcntl(r->o->host_netns_fd, F_DUPFD, 3);
	if (fd < 0)
		return log_perr(-errno, "Failed to dup the host netns fd %d", r->o->host_netns_fd);
	snprintf(ns, sizeof(ns), "/proc/self/fd/%d", fd);
	ret = ip_run(r, args, e->name);
	close(fd);
	return ret;
}

static int add_links(struct net_restore *r)
{
	size_t i, nveth = 0;
	const char *peer;
	int ret;

	for (i = 0; i < r->n; i++) {
		NetDeviceEntry *e = r->dev[i];

		if (e->type == ND_TYPE__LOOPBACK)
			continue;
		if (e->type != ND_TYPE__VETH)
			return log_err(-ENOTSUP, "Failed to restore link '%s': type %d is not supported",
				       e->name, e->type);
		peer = nveth < NS_NET_MAX_VETH ? r->o->veth_host_name[nveth] : NULL;
		nveth++;
		if (!peer || r->o->host_netns_fd < 0)
			return log_err(-EINVAL, "Failed to restore veth '%s': no host name or host netns for its peer",
				       e->name);
		ret = add_veth(r, e, peer);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Bring up the links with @lo (loopback) or without; other flags with them. */
static int set_flags(const struct net_restore *r, bool lo)
{
	static const struct { unsigned int flag; const char *on, *off; } fl[] = {
		{ IFF_PROMISC, "promisc", NULL }, { IFF_ALLMULTI, "allmulticast", NULL },
		{ IFF_NOARP, "arp", "off" }, { IFF_UP, "up", NULL },
	};
	size_t i, k;
	int ret;

	for (i = 0; i < r->n; i++) {
		if ((r->dev[i]->type == ND_TYPE__LOOPBACK) != lo)
			continue;
		for (k = 0; k < ARRAY_SIZE(fl); k++) {
			char *args[] = { "link", "set", r->dev[i]->name, (char *)fl[k].on,
					 (char *)(fl[k].off ? fl[k].off : "on"), NULL };

			if (!(r->dev[i]->flags & fl[k].flag))
				continue;
			if (fl[k].flag == IFF_UP)
				args[4] = NULL;
			ret = ip_run(r, args, r->dev[i]->name);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int set_sysctls(const struct net_restore *r)
{
	NetnsEntry *e = NULL;
	size_t i;
	int ret;

	ret = img_read_single(r->dfd, IMG_NETNS, r->id, (void **)&e);
	for (i = 0; ret == 0 && i < e->n_vzcr_sysctls; i++) {
		const char *p = e->vzcr_sysctls[i]->path;

		if (strncmp(p, "net/", 4) || strstr(p, ".."))
			ret = log_err(-EINVAL, "Failed to restore netns-%u.img: sysctl '%s' is not under net/",
				      r->id, p);
		else
			ret = ns_sysctl_set(p, e->vzcr_sysctls[i]->value);
	}
	if (e)
		img_free_entry(e);
	return ret;
}

/* Does address message @h say 127.0.0.1/8 or ::1/128 (lo's own)? */
static bool is_lo_addr(struct nlmsghdr *h)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)IFA_PAYLOAD(h);
	struct rtattr *a;

	for (a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != IFA_ADDRESS)
			continue;
		if (ifa->ifa_family == AF_INET && ifa->ifa_prefixlen == 8 && RTA_PAYLOAD(a) == 4)
			return !memcmp(RTA_DATA(a), "\x7f\0\0\x01", 4);
		if (ifa->ifa_family == AF_INET6 && ifa->ifa_prefixlen == 128 && RTA_PAYLOAD(a) == 16)
			return !memcmp(RTA_DATA(a), v6lo, 16);
	}
	return false;
}

/*
 * Leave out what the kernel makes by itself, so that restoring it does not
 * fail with EEXIST or add a second copy: lo's 127.0.0.1/8 and ::1 (lo is up
 * before the addresses go in), IPv6 link-local addresses, routes of
 * protocol "kernel" (local, broadcast, prefix routes). Routes saved while
 * their link had no carrier carry RTNH_F_LINKDOWN, which the kernel refuses
 * in RTM_NEWROUTE: clear it. The stream is a u32 magic, then netlink
 * messages; compacted in place, its new length returned.
 */
static size_t filter_stream(uint8_t *buf, size_t len)
{
	size_t off = 4, out = 4, n;
	struct nlmsghdr *h;
	bool keep;

	while (off + NLMSG_LENGTH(sizeof(struct rtmsg)) <= len) {
		h = (struct nlmsghdr *)(buf + off);
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)) || h->nlmsg_len > len - off)
			break;
		n = NLMSG_ALIGN(h->nlmsg_len);
		keep = true;
		if (h->nlmsg_type == RTM_NEWROUTE) {
			struct rtmsg *rtm = NLMSG_DATA(h);

			rtm->rtm_flags &= ~(RTNH_F_DEAD | RTNH_F_LINKDOWN);
			keep = rtm->rtm_protocol != RTPROT_KERNEL;
		} else if (h->nlmsg_type == RTM_NEWADDR) {
			struct ifaddrmsg *ifa = NLMSG_DATA(h);

			keep = !(ifa->ifa_family == AF_INET6 && ifa->ifa_scope == RT_SCOPE_LINK) &&
			       !is_lo_addr(h);
		}
		n = n > len - off ? len - off : n;
		if (keep && out != off)
			memmove(buf + out, buf + off, n);
		out += keep ? n : 0;
		off += n;
	}
	/* a broken tail goes to ip as it is, for ip to report */
	if (off < len && out != off)
		memmove(buf + out, buf + off, len - off);
	return out + (len - off);
}

/* A filtered copy of an `ip ... save` image, in a memfd for ip's stdin. */
static int filtered_memfd(struct img *img, size_t len)
{
	_cleanup_free_ uint8_t *buf = len <= (64U << 20) ? malloc(len) : NULL;
	_cleanup_close_ int fd = -EBADF;
	int ret;

	if (!buf)
		return log_err(-EFBIG, "Failed to read '%s': %zu bytes", img_path(img), len);
	ret = img_read_raw(img, buf, len);
	if (ret < 0)
		return ret;
	len = filter_stream(buf, len);
	fd = memfd_create("vzcr-ip-restore", MFD_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to create a memfd for '%s'", img_path(img));
	if (write_full(fd, buf, len) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return log_perr(-errno, "Failed to copy '%s' to a memfd", img_path(img));
	return TAKE_FD(fd);
}

/* Feed a raw image to a program's stdin; an empty image means nothing to do. */
static int feed(const struct net_restore *r, enum img_type type, char *const argv[])
{
	_cleanup_close_ int in = -EBADF;
	struct img *img;
	struct stat st;
	int ret = 0;

	if (!img_exists(r->dfd, type, r->id))
		return 0;
	img = img_open(r->dfd, type, O_RDONLY, r->id);
	if (!img)
		return -errno;
	if (fstat(img_fd(img), &st) < 0) {
		ret = log_perr(-errno, "Failed to stat '%s'", img_path(img));
	} else if (st.st_size > 0 && !argv[0]) {
		ret = log_err(-ENOENT, "Failed to restore '%s': no %s program", img_path(img),
			      type == IMG_NFTABLES ? "nft" : "ip");
	} else if (st.st_size > 0) {
		in = type != IMG_NFTABLES ? filtered_memfd(img, st.st_size) :
					    fcntl(img_fd(img), F_DUPFD_CLOEXEC, 3);
		ret = in < 0 ? in : ns_spawn(argv, in, -1, img_path(img));
	}
	img_close(img);
	return ret;
}

static int load_links(struct net_restore *r)
{
	struct img *img = img_open(r->dfd, IMG_NETDEV, O_RDONLY, r->id);
	NetDeviceEntry *e;
	int ret;

	if (!img)
		return -errno;
	while ((ret = img_read(img, (void **)&e)) > 0) {
		if (r->n == NS_MAX_LINKS || strlen(e->name) >= IFNAMSIZ || !e->name[0]) {
			ret = log_err(-EINVAL, "Failed to read '%s': link '%s': bad name or over %d links",
				      img_path(img), e->name, NS_MAX_LINKS);
			img_free_entry(e);
			break;
		}
		r->dev[r->n++] = e;
	}
	img_close(img);
	return ret;
}

static int restore_all(struct net_restore *r)
{
	char *ip = r->ip, *nft = (char *)ns_prog("nft");
	char *addr[] = { ip, "addr", "restore", NULL };
	char *route[] = { ip, "route", "restore", NULL };
	char *nftf[] = { nft, "-f", "/dev/stdin", NULL };

	return load_links(r) ?: add_links(r) ?: set_sysctls(r) ?: set_flags(r, true) ?:
	       feed(r, IMG_IFADDR, addr) ?: set_flags(r, false) ?: feed(r, IMG_ROUTE, route) ?: feed(r, IMG_ROUTE6, route) ?:
	       feed(r, IMG_NFTABLES, nftf);
}

int ns_restore_net(int dfd, const struct ns_net_opts *o)
{
	struct net_restore *r = xzalloc(sizeof(*r));
	const char *ip = ns_prog("ip");
	size_t i;
	int ret;

	if (!r)
		return -ENOMEM;
	r->dfd = dfd;
	r->o = o;
	if (!ip) {
		ret = log_err(-ENOENT, "Failed to find 'ip' (iproute2)");
		goto out;
	}
	snprintf(r->ip, sizeof(r->ip), "%s", ip);
	ret = ns_need_image(dfd, "netdev-", &r->id);
	if (ret < 0)
		goto out;
	ret = restore_all(r);
out:
	for (i = 0; i < r->n; i++)
		img_free_entry(r->dev[i]);
	free(r);
	return ret;
}
