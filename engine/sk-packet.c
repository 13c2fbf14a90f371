// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet sockets (packet_sock_entry): type, protocol, bound interface and
 * the per-socket settings packet_diag shows (version, reserve, auxdata,
 * origdev, vnet header, loss, timestamp, copy threshold). Rings, fanout
 * groups and multicast lists are refused by name; packets waiting unread
 * are not kept (the dump warns).
 */
#define LOG_PREFIX "sk-packet: "
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "packet-sock.pb-c.h"
#include "restore.h"
#include "sk-priv.h"
#include "xmalloc.h"

struct packet_facts {
	uint32_t ino;
	bool found;
	struct packet_diag_info info;
	const char *refuse;		/* what it has that vzcr does not restore */
};

static int packet_cb(struct nlmsghdr *h, void *arg)
{
	struct packet_diag_msg *m = NLMSG_DATA(h);
	struct rtattr *a = (struct rtattr *)(m + 1);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	struct packet_facts *p = arg;

	if (m->pdiag_ino != p->ino)
		return 0;
	p->found = true;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == PACKET_DIAG_INFO && RTA_PAYLOAD(a) >= (int)sizeof(p->info))
			memcpy(&p->info, RTA_DATA(a), sizeof(p->info));
		else if (a->rta_type == PACKET_DIAG_RX_RING || a->rta_type == PACKET_DIAG_TX_RING)
			p->refuse = "a ring buffer (PACKET_RX_RING/TX_RING)";
		else if (a->rta_type == PACKET_DIAG_FANOUT)
			p->refuse = "a fanout group";
		else if (a->rta_type == PACKET_DIAG_MCLIST && RTA_PAYLOAD(a) > 0)
			p->refuse = "a multicast list (PACKET_ADD_MEMBERSHIP)";
	}
	return 0;
}

static int packet_diag(int sk, struct packet_facts *p)
{
	struct {
		struct nlmsghdr h;
		struct packet_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_PACKET,
		       .pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MCLIST | PACKET_SHOW_RING_CFG |
				     PACKET_SHOW_FANOUT },
	};
	_cleanup_close_ int nl = sk_diag_open_of(sk);	/* in flight too: no task to ask */
	int err;

	if (nl < 0)
		return nl;
	err = sk_diag_query(nl, &req, sizeof(req), packet_cb, p);
	if (!err && !p->found)
		err = log_err(-ENOENT, "Failed to find packet socket %u in packet_diag", p->ino);
	return err;
}

static int packet_fill(struct sk_fd *s, PacketSockEntry *e, const char *who)
{
	struct packet_facts p = { .ino = s->ino };
	struct sockaddr_ll sa = {};
	socklen_t l = sizeof(sa);
	int v = 0, err;

	err = packet_diag(s->local_fd, &p);
	if (err)
		return err;
	if (p.refuse)
		return log_err(-EOPNOTSUPP, "Failed to dump %s: it has %s: not supported", who, p.refuse);
	if (getsockname(s->local_fd, (struct sockaddr *)&sa, &l) < 0)
		return log_perr(-errno, "Failed to read the address of %s", who);
	l = sizeof(v);
	getsockopt(s->local_fd, SOL_SOCKET, SO_TYPE, &v, &l);
	e->type = v;
	e->protocol = sa.sll_protocol;	/* network order, as socket() and bind() take it */
	e->ifindex = p.info.pdi_index;
	e->version = p.info.pdi_version;
	e->reserve = p.info.pdi_reserve;
	e->aux_data = !!(p.info.pdi_flags & PDI_AUXDATA);
	e->orig_dev = !!(p.info.pdi_flags & PDI_ORIGDEV);
	e->vnet_hdr = !!(p.info.pdi_flags & PDI_VNETHDR);
	e->loss = !!(p.info.pdi_flags & PDI_LOSS);
	e->timestamp = p.info.pdi_tstamp;
	e->copy_thresh = p.info.pdi_copy_thresh;
	if (!ioctl(s->local_fd, SIOCINQ, &v) && v)
		pr_warn("%s: a packet of %d bytes (maybe more) waits unread and is not kept, ignoring",
			who, v);
	return 0;
}

int sk_packet_make(struct file_desc *d, void *arg)
{
	struct sk_fd *s = arg;
	PacketSockEntry *e = xmalloc(sizeof(*e));
	FileEntry *fe = xmalloc(sizeof(*fe));
	char who[96];
	int err;

	snprintf(who, sizeof(who), "task %d fd %d (packet socket %lu)", s->pid, s->fd,
		 (unsigned long)s->ino);
	if (e)
		packet_sock_entry__init(e);
	err = !e || !fe ? -ENOMEM : 0;
	if (!err) {
		e->id = d->id;
		e->flags = s->flags & ~O_CLOEXEC;
		e->fown = sk_fown_new();
		e->opts = sk_opts_dump(s->local_fd, who);
		err = !e->fown || !e->opts ? -ENOMEM : packet_fill(s, e, who);
	}
	if (err) {
		if (e)
			packet_sock_entry__free_unpacked(e, NULL);
		free(fe);
		return err;
	}
	file_entry__init(fe);
	fe->type = FD_TYPES__PACKETSK;
	fe->id = d->id;
	fe->psk = e;
	d->fe = fe;
	return 0;
}

static int set_opt(int fd, int name, int v, const char *what, const char *who)
{
	if (setsockopt(fd, SOL_PACKET, name, &v, sizeof(v)) < 0)
		return log_perr(-errno, "Failed to set %s on %s", what, who);
	return 0;
}

static int open_packet(struct rst_ctx *c, struct rst_file *f)
{
	const PacketSockEntry *e = f->fe->psk;
	struct sockaddr_ll sa = { .sll_family = AF_PACKET };
	char who[48];
	int fd, err = 0;

	snprintf(who, sizeof(who), "packet socket (file %u)", e->id);
	if (e->type != SOCK_RAW && e->type != SOCK_DGRAM)
		return log_err(-EINVAL, "files.img: %s: type %u unknown", who, e->type);
	if (e->rx_ring || e->tx_ring || e->n_mclist || (e->has_fanout && e->fanout != 0xffffffff))
		return log_err(-EOPNOTSUPP, "files.img: %s: rings, fanout and multicast lists are not supported",
			       who);
	fd = sk_socket(c, AF_PACKET, e->type, e->protocol);
	if (fd < 0 || (fd = sk_install(c, f, fd)))
		return fd;
	fd = f->fd;
	/* the version first: it must be set before a ring and after nothing */
	if (e->version)
		err = set_opt(fd, PACKET_VERSION, e->version, "PACKET_VERSION", who);
	if (!err && e->reserve)
		err = set_opt(fd, PACKET_RESERVE, e->reserve, "PACKET_RESERVE", who);
	if (!err && e->aux_data)
		err = set_opt(fd, PACKET_AUXDATA, 1, "PACKET_AUXDATA", who);
	if (!err && e->orig_dev)
		err = set_opt(fd, PACKET_ORIGDEV, 1, "PACKET_ORIGDEV", who);
	if (!err && e->vnet_hdr)
		err = set_opt(fd, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR", who);
	if (!err && e->loss)
		err = set_opt(fd, PACKET_LOSS, 1, "PACKET_LOSS", who);
	if (!err && e->timestamp)
		err = set_opt(fd, PACKET_TIMESTAMP, e->timestamp, "PACKET_TIMESTAMP", who);
	if (err)
		return err;
	sa.sll_protocol = e->protocol;
	sa.sll_ifindex = e->ifindex;
	if (e->ifindex && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return log_perr(-errno, "Failed to bind %s to interface %u", who, e->ifindex);
	return sk_opts_restore(fd, e->opts, who) ?: sk_set_flags(fd, e->flags, who);
}

int sk_packet_open_all(struct rst_ctx *c)
{
	int i, err = 0;

	for (i = 0; i < c->nr_files && !err; i++)
		if (c->files[i].fe->type == FD_TYPES__PACKETSK && c->files[i].fd < 0)
			err = open_packet(c, &c->files[i]);
	return err;
}
