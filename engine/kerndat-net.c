// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat network probes: TCP_REPAIR on a TCP socket, and one sock_diag
 * dump per socket family (unix, inet/tcp, netlink, packet).
 */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cleanup.h"
#include "kerndat-probe.h"
#include "log.h"

#define TCP_PROBE_SEQ	0x7a637200U	/* "zcr\0": any value will do */

/* Repair mode, then set and read back the send queue sequence. */
static void probe_tcp_repair(struct kerndat *kd)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, queue = TCP_SEND_QUEUE;
	unsigned int seq = TCP_PROBE_SEQ;
	socklen_t len = sizeof(seq);

	if (fd < 0) {
		kd_no(kd, KD_TCP_REPAIR, -errno, "socket(AF_INET, SOCK_STREAM)");
		return;
	}
	if (setsockopt(fd, SOL_TCP, TCP_REPAIR, &one, sizeof(one))) {
		kd_no(kd, KD_TCP_REPAIR, -errno, "TCP_REPAIR");
		return;
	}
	if (setsockopt(fd, SOL_TCP, TCP_REPAIR_QUEUE, &queue, sizeof(queue)) ||
	    setsockopt(fd, SOL_TCP, TCP_QUEUE_SEQ, &seq, sizeof(seq))) {
		kd_no(kd, KD_TCP_REPAIR, -errno, "TCP_REPAIR_QUEUE/TCP_QUEUE_SEQ");
		return;
	}
	seq = 0;
	if (getsockopt(fd, SOL_TCP, TCP_QUEUE_SEQ, &seq, &len)) {
		kd_no(kd, KD_TCP_REPAIR, -errno, "getsockopt TCP_QUEUE_SEQ");
		return;
	}
	kd_set(kd, KD_TCP_REPAIR, seq == TCP_PROBE_SEQ,
	       seq == TCP_PROBE_SEQ ? "repair mode; send queue sequence set and read back" :
				      "TCP_QUEUE_SEQ read back a different value");
}

union diag_req {
	struct unix_diag_req u;
	struct inet_diag_req_v2 in;
	struct netlink_diag_req nl;
	struct packet_diag_req pk;
};

struct diag_family {
	enum kd_feat feat;
	union diag_req req;
};

static const struct diag_family diag_families[] = {
	{ KD_DIAG_UNIX, { .u = { .sdiag_family = AF_UNIX, .udiag_states = -1,
				  .udiag_show = UDIAG_SHOW_NAME } } },
	{ KD_DIAG_INET, { .in = { .sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP,
				   .idiag_states = -1 } } },
	{ KD_DIAG_NETLINK, { .nl = { .sdiag_family = AF_NETLINK,
				      .sdiag_protocol = NDIAG_PROTO_ALL,
				      .ndiag_show = NDIAG_SHOW_MEMINFO } } },
	{ KD_DIAG_PACKET, { .pk = { .sdiag_family = AF_PACKET,
				     .pdiag_show = PACKET_SHOW_INFO } } },
};

/* Walk one recv()'d batch; 1 at the end of the dump, 0 for more, -errno. */
static int diag_batch(const void *buf, ssize_t len, int *count)
{
	const struct nlmsghdr *h;

	for (h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			return e->error ? e->error : -EPROTO;
		}
		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
			(*count)++;
	}
	return 0;
}

/* Send @req as a SOCK_DIAG_BY_FAMILY dump; count the sockets. 0 or -errno. */
static int diag_dump(const union diag_req *req, size_t req_len, int *ret_count)
{
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	struct timeval tv = { .tv_sec = KD_TIMEOUT_MS / 1000 };
	struct {
		struct nlmsghdr nlh;
		union diag_req req;
	} msg = {
		.nlh = { .nlmsg_len = NLMSG_LENGTH(req_len), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
	};
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	_cleanup_free_ char *buf = malloc(32768);
	int count = 0, r = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (!buf)
		return -ENOMEM;
	memcpy(&msg.req, req, req_len);
	/* a dump that never ends must not hang the probe */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	if (sendto(fd, &msg, msg.nlh.nlmsg_len, 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return -errno;
	while (!r) {
		n = recv(fd, buf, 32768, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? (errno == EAGAIN ? -ETIMEDOUT : -errno) : -EPROTO;
		r = diag_batch(buf, n, &count);
	}
	if (r < 0)
		return r;
	*ret_count = count;
	return 0;
}

static size_t diag_req_len(enum kd_feat f)
{
	switch (f) {
	case KD_DIAG_UNIX:
		return sizeof(struct unix_diag_req);
	case KD_DIAG_INET:
		return sizeof(struct inet_diag_req_v2);
	case KD_DIAG_NETLINK:
		return sizeof(struct netlink_diag_req);
	default:
		return sizeof(struct packet_diag_req);
	}
}

void kd_probe_net(struct kerndat *kd)
{
	size_t i;

	probe_tcp_repair(kd);
	for (i = 0; i < ARRAY_SIZE(diag_families); i++) {
		const struct diag_family *d = &diag_families[i];
		int count = 0, r;

		r = diag_dump(&d->req, diag_req_len(d->feat), &count);
		if (r)
			kd_no(kd, d->feat, r, "SOCK_DIAG_BY_FAMILY dump");
		else
			kd_set(kd, d->feat, true, "dump answered, %d socket%s", count,
			       count == 1 ? "" : "s");
	}
}
