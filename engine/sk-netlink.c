// SPDX-License-Identifier: GPL-2.0-only
/*
 * Netlink sockets (netlink_sk_entry): protocol, bound port id, multicast
 * groups (NETLINK_LIST_MEMBERSHIPS: all of them, not only the first 32
 * that the address shows) and the destination of a connected socket.
 * Messages waiting unread (replies, notifications) are not kept: the
 * dump warns about them.
 */
#define LOG_PREFIX "sk-netlink: "
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "restore.h"
#include "sk-netlink.pb-c.h"
#include "sk-priv.h"
#include "xmalloc.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* groups beyond this are not in any kernel (NETLINK_LIST_MEMBERSHIPS caps nothing) */
#define NL_GROUP_WORDS 64

static int nl_fill(int fd, NetlinkSkEntry *e, const char *who)
{
	struct sockaddr_nl sa = {};
	socklen_t l = sizeof(sa);
	uint32_t groups[NL_GROUP_WORDS] = {};
	int v = 0;
	size_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &l) < 0)
		return log_perr(-errno, "Failed to read the protocol of %s", who);
	e->protocol = v;
	l = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &l) < 0)
		return log_perr(-errno, "Failed to read the address of %s", who);
	e->portid = sa.nl_pid;
	l = sizeof(sa);
	if (!getpeername(fd, (struct sockaddr *)&sa, &l) && (sa.nl_pid || sa.nl_groups)) {
		e->dst_portid = sa.nl_pid;
		e->dst_group = sa.nl_groups;
		e->state = 1;	/* NETLINK_CONNECTED */
	}
	l = sizeof(groups);
	if (getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &l) < 0)
		return log_perr(-errno, "Failed to read the groups of %s", who);
	for (n = l / 4 < NL_GROUP_WORDS ? l / 4 : NL_GROUP_WORDS; n && !groups[n - 1]; n--)
		;
	if (n) {
		e->groups = xmalloc(n * 4);
		if (!e->groups)
			return -ENOMEM;
		memcpy(e->groups, groups, n * 4);
		e->n_groups = n;
	}
	if (!ioctl(fd, SIOCINQ, &v) && v)
		pr_warn("%s: %d bytes of messages wait unread and are not kept, ignoring", who, v);
	return 0;
}

int sk_netlink_make(struct file_desc *d, void *arg)
{
	struct sk_fd *s = arg;
	NetlinkSkEntry *e = xmalloc(sizeof(*e));
	FileEntry *fe = xmalloc(sizeof(*fe));
	char who[96];
	int err;

	snprintf(who, sizeof(who), "task %d fd %d (netlink socket %lu)", s->pid, s->fd,
		 (unsigned long)s->ino);
	if (e)
		netlink_sk_entry__init(e);
	err = !e || !fe ? -ENOMEM : 0;
	if (!err) {
		e->id = d->id;
		e->ino = s->ino;
		e->flags = s->flags & ~O_CLOEXEC;
		e->fown = sk_fown_new();
		e->opts = sk_opts_dump(s->local_fd, who);
		err = !e->fown || !e->opts ? -ENOMEM : nl_fill(s->local_fd, e, who);
	}
	if (err) {
		if (e)
			netlink_sk_entry__free_unpacked(e, NULL);
		free(fe);
		return err;
	}
	file_entry__init(fe);
	fe->type = FD_TYPES__NETLINKSK;
	fe->id = d->id;
	fe->nlsk = e;
	d->fe = fe;
	return 0;
}

static int open_netlink(struct rst_ctx *c, struct rst_file *f)
{
	const NetlinkSkEntry *e = f->fe->nlsk;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char who[48];
	size_t i;
	int fd, g;

	snprintf(who, sizeof(who), "netlink socket %u", e->ino);
	if (e->n_groups > NL_GROUP_WORDS)
		return log_err(-EINVAL, "files.img: %s: %zu words of groups, at most %d", who,
			       e->n_groups, NL_GROUP_WORDS);
	fd = sk_socket(c, AF_NETLINK, SOCK_RAW, e->protocol);
	if (fd < 0 || (fd = sk_install(c, f, fd)))
		return fd;
	fd = f->fd;
	sa.nl_pid = e->portid;
	if (e->portid && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return log_perr(-errno, "Failed to bind %s to port id %u", who, e->portid);
	for (i = 0; i < e->n_groups * 32; i++) {
		if (!(e->groups[i / 32] & (1U << (i % 32))))
			continue;
		g = i + 1;
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			return log_perr(-errno, "Failed to join group %d on %s", g, who);
	}
	if (e->state == 1) {
		sa.nl_pid = e->dst_portid;
		sa.nl_groups = e->dst_group;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return log_perr(-errno, "Failed to connect %s", who);
	}
	return sk_opts_restore(fd, e->opts, who) ?: sk_set_flags(fd, e->flags, who);
}

int sk_netlink_open_all(struct rst_ctx *c)
{
	int i, err = 0;

	for (i = 0; i < c->nr_files && !err; i++)
		if (c->files[i].fe->type == FD_TYPES__NETLINKSK && c->files[i].fd < 0)
			err = open_netlink(c, &c->files[i]);
	return err;
}
