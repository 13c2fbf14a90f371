// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkcpt's container-level records (note sections 7 and 9): the SOCKET
 * section (a unix stream pair with data both ways and a file in flight, a
 * named datagram socket, a listener, an established TCP connection with
 * both queues), SysV semaphores and messages, the mount list with a tmpfs
 * archive and a bind mount, lo and venet0 with an address and a route. Each
 * in the record sizes of the generation asked for, with the malformed and
 * refused variants the options of `mkcpt --list-xlate` ask for.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "mkcpt.h"

/* A queued buffer of socket @owner: @hspace bytes of headroom, then @data. */
static size_t skb_obj(const struct gen *g, uint32_t owner, const char *data, uint32_t hspace,
		    size_t passed)
{
	size_t o = obj_begin(1030, g->skb_len, 1), b, p;
	uint32_t n = strlen(data);

	p32(o + 16, owner);
	p32(o + 20, 1);			/* the receive queue */
	p32(o + 32, n);
	p32(o + 36, opt.sk_skb ? 4096 : hspace);
	b = obj_begin(4103, 24, 2);
	p32(b + 16, hspace + n);
	p = grow((hspace + n + 7) & ~7U);
	memset(d + p, 'h', hspace);
	memcpy(d + p + hspace, data, n);
	end(b);
	if (passed) {			/* SCM_RIGHTS: the file it carries */
		b = obj_begin(1025, g->task_len >= 992 ? 40 : 32, 0);
		p64(b + 24, passed);
	}
	end(o);
	return o;
}

/* An established TCP connection 127.0.0.1:40000 -> 127.0.0.2:8080 */
static void tcp_fields(size_t o)
{
	d[o + 55] = 6;			/* IPPROTO_TCP */
	p32(o + 424, htonl(0x7f000001));
	p32(o + 428, htonl(0x7f000001));
	p16(o + 422, htons(40000));
	p32(o + 416, htonl(0x7f000002));
	p16(o + 420, htons(8080));
	p32(o + 584, 1005);		/* rcv_nxt: 5 bytes unread since copied_seq */
	p32(o + 752, opt.sk_seq ? 990 : 1000);
	p32(o + 592, 5000);		/* snd_una, snd_nxt, write_seq: 3 sent, 4 unsent */
	p32(o + 588, 5003);
	p32(o + 744, 5007);
	d[o + 756] = d[o + 757] = d[o + 758] = 1;
	d[o + 760] = 7;
	d[o + 761] = 6;
	d[o + 762] = 1;			/* TCP_NAGLE_OFF */
	p16(o + 654, 1460);
	p32(o + 768, 123456);		/* rcv_tsecr */
	p32(o + 632, 1001);		/* snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup */
	p32(o + 636, 65535);
	p32(o + 640, 65536);
	p32(o + 736, 43690);
	p32(o + 740, 1005);
}

/* A unix socket (or, @family 2, a TCP one) with index @idx. */
static size_t sock_obj(const struct gen *g, uint32_t idx, uint16_t family, uint16_t type,
		       uint8_t state, uint32_t peer, size_t file, const char *abstract)
{
	size_t o = obj_begin(8, g->sock_len, 1);

	p64(o + 16, file);
	p32(o + 24, UINT32_MAX);
	p32(o + 28, idx);
	p16(o + 40, type);
	p16(o + 42, family);
	d[o + 46] = state;
	p32(o + 68, 6);			/* SO_PRIORITY */
	p64(o + 80, NUL64);		/* no receive timeout */
	p64(o + 88, 2500);		/* a send timeout of 2.5 s at HZ 1000 */
	p32(o + 96, 65536);
	p32(o + 100, 32768);
	d[o + 50] = 1;			/* SOCK_SNDBUF_LOCK */
	p32(o + 396, peer);
	if (abstract) {
		p32(o + 132, 3 + strlen(abstract));
		p16(o + 136, 1);
		memcpy(d + o + 139, abstract, strlen(abstract));
	}
	if (opt.sk_addrlen && idx == 2)
		p32(o + 132, 200);
	return o;
}

/* SOCKET: a unix stream pair with data both ways, a datagram, a listener. */
void write_socks(const struct gen *g, struct refs *rf)
{
	size_t s = sect_begin(9), o;

	o = sock_obj(g, 0, 1, 1, 1, 1, rf->file[F_USK0], NULL);
	skb_obj(g, 1, "hello ", 16, 0);
	skb_obj(g, 1, "world", 0, 0);
	end(o);
	o = sock_obj(g, 1, 1, 1, 1, 0, rf->file[F_USK1], NULL);
	d[o + 49] = 2;			/* SEND_SHUTDOWN */
	skb_obj(g, 0, "fd", 0, rf->file[F_HOSTNAME]);
	end(o);
	o = sock_obj(g, 2, 1, 2, 7, UINT32_MAX, rf->file[F_USK2], "ovz-dgram");
	skb_obj(g, 3, "dgram1", 8, 0);
	end(o);
	o = sock_obj(g, 3, 1, 1, 10, UINT32_MAX, rf->file[F_USK3], "ovz-listen");
	p16(o + 64, 5);			/* backlog */
	end(o);
	o = sock_obj(g, 4, 2, 1, opt.socket ? 4 : 1, UINT32_MAX, rf->file[F_TCP], NULL);
	tcp_fields(o);
	skb_obj(g, 4, "abcde", 0, 0);
	p32(skb_obj(g, 4, "WXY", 20, 0) + 20, 2);	/* the write queue */
	p32(skb_obj(g, 4, "Z123", 0, 0) + 20, 2);
	p32(skb_obj(g, 4, "late", 0, 0) + 20, 3);	/* out of order: not kept */
	end(o);
	if (opt.sk_embryo)
		end(sock_obj(g, 5, 1, 1, 1, 3, NUL64, NULL));
	end(s);
}

/* The permissions part of a SysV record (ids and modes are u64). */
void ipc_perm(size_t o, uint64_t key, uint64_t mode, uint64_t id)
{
	p64(o + 16, key);
	p64(o + 24, 1000);		/* uid, gid, cuid, cgid */
	p64(o + 32, 100);
	p64(o + 40, 1000);
	p64(o + 48, 100);
	p64(o + 56, mode);
	p64(o + 72, id);
}

/* Message @text of type @type: the text unpadded (note section 1). */
static void sysv_msg(uint64_t type, const char *text)
{
	size_t o = obj_begin(1050, 32, 2), n = strlen(text);

	p64(o + 16, type);
	p64(o + 24, opt.ipc_msgsize ? 1 << 20 : n);
	memcpy(d + grow(n), text, n);
	end(o);
}

/* A semaphore set of three and a queue of two messages. */
void write_sysv(void)
{
	static const uint32_t vals[] = { 7, 0, 42 };
	size_t s = sect_begin(14), o;

	o = obj_begin(1029, 96, 8);
	ipc_perm(o, 0x5e11, 0640, 0);
	for (int i = 0; i < 3; i++) {
		size_t v = grow(8);

		p32(v, vals[i]);
		p32(v + 4, 42);		/* sempid */
	}
	end(o);
	end(s);
	s = sect_begin(30);
	o = obj_begin(1049, 128, 1);
	ipc_perm(o, 0x3e55, 0600, 32768);
	p64(o + 120, 16384);
	sysv_msg(1, "first");
	sysv_msg(5, "second-msg!");	/* ends the queue 8-aligned again */
	end(o);
	end(s);
}


/* One VFSMOUNT (RHEL6: 56 bytes with parent and bind refs; 2.6.18: 24). */
static size_t vfsmount(const struct gen *g, uint32_t mntflags, uint32_t sbflags, size_t parent,
		       size_t bind, const char *dev, const char *mp, const char *type,
		       const char *src)
{
	size_t o = obj_begin(1033, g->version >= 0x800 ? 56 : 24, 1);

	p32(o + 16, mntflags);
	p32(o + 20, sbflags);
	if (g->version >= 0x800) {
		p64(o + 24, bind);
		p64(o + 32, parent);
		p64(o + 40, NUL64);
		p64(o + 48, NUL64);
	}
	name_obj(dev);
	name_obj(mp);
	name_obj(type);
	if (src)
		name_obj(src);
	return o;
}

/* A ustar archive of one file, "hello.txt" (0644, 1000:100). */
static void tar_obj(void)
{
	static const char data[] = "tmpfs data\n";
	size_t o = obj_begin(4102, 24, 2), t;
	unsigned int sum = 0;
	char *h;

	p32(o + 16, 2048);
	t = grow(2048 + 8);	/* header, a block of data, two zero blocks; its NUL */
	h = (char *)d + t;
	strcpy(h, "hello.txt");
	strcpy(h + 100, "0000644");
	strcpy(h + 108, "0001750");
	strcpy(h + 116, "0000144");
	snprintf(h + 124, 12, "%011o", (unsigned int)strlen(data));
	strcpy(h + 136, "14500000000");
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar\00000", 8);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	memcpy(h + 512, data, strlen(data));
	end(o);
}

/* The CT's mounts: root, proc, sysfs (read-only), devpts, a tmpfs with a
 * file, a bind mount from the root file system. */
void write_mounts(const struct gen *g)
{
	size_t root, o;

	if (opt.mnt_noroot)
		end(vfsmount(g, 0x7, 0, NUL64, NUL64, "proc", "/proc", "proc", NULL));
	root = vfsmount(g, 0, 0, NUL64, NUL64, "/vz/private/101", "/", "simfs", NULL);
	end(root);
	end(vfsmount(g, 0x7, 0, root, NUL64, "proc", "/proc", "proc", NULL));
	end(vfsmount(g, 0x47, 1, root, NUL64, "sysfs", "/sys", "sysfs", NULL));
	end(vfsmount(g, 0x5, 0, root, NUL64, "devpts", "/dev/pts", "devpts", NULL));
	o = vfsmount(g, 0x3, 0, root, NUL64, "tmpfs", "/tmp", "tmpfs", NULL);
	tar_obj();
	end(o);
	end(vfsmount(g, 0x80000000U, 0, root, root, "/vz/private/101", "/mnt/data", "simfs",
		     "/srv/data"));
	if (opt.mounts)
		end(vfsmount(g, 0, 0, root, NUL64, "server:/export", "/mnt/nfs", "nfs", NULL));
}

static size_t netdev(const struct gen *g, uint32_t index, uint32_t flags, const char *name)
{
	size_t o = obj_begin(1036, g->version >= 0x800 ? 48 : 40, 1);

	p32(o + 16, index);
	p32(o + 20, flags);
	memcpy(d + o + 24, name, strlen(name));
	if (g->version >= 0x800)
		p32(o + 40, 1500);
	return o;
}

static void ifaddr(uint32_t index, uint32_t addr, uint8_t plen, uint8_t scope, const char *label)
{
	size_t o = obj_begin(1037, 96, 0);

	p32(o + 16, index);
	d[o + 20] = 2;			/* AF_INET */
	d[o + 21] = plen;
	d[o + 22] = 0x80;		/* IFA_F_PERMANENT */
	d[o + 23] = scope;
	p32(o + 24, htonl(addr));
	p32(o + 40, htonl(addr));
	memcpy(d + o + 72, label, strlen(label));
	end(o);
}

/* lo and venet0 (its address, a default route through it), as OpenVZ has. */
void write_net(const struct gen *g)
{
	size_t s = sect_begin(16), o;

	end(netdev(g, 1, 0x49, "lo"));			/* UP|LOOPBACK|RUNNING */
	end(netdev(g, 3, 0xd1 | 0x10, "venet0"));	/* UP|POINTOPOINT|RUNNING|NOARP */
	if (opt.netdev) {
		o = netdev(g, 4, 0x1, "tun0");
		end(obj_begin(4113, 72, 0));	/* NET_TUNTAP */
		end(o);
	}
	end(s);
	s = sect_begin(17);
	ifaddr(1, 0x7f000001, 8, 254, "lo");
	ifaddr(3, 0x0a4d0005, 32, 0, "venet0:0");
	end(s);
	s = sect_begin(18);
	o = obj_begin(1038, 16, 10);
	{
		/* RTM_NEWROUTE: default dev venet0 scope link, table main, proto boot */
		size_t m = grow(40);

		p32(m, opt.net_route ? 4000 : 36);
		p16(m + 4, 24);			/* RTM_NEWROUTE */
		d[m + 16] = 2;			/* rtm_family */
		d[m + 20] = 254;		/* RT_TABLE_MAIN */
		d[m + 21] = 3;			/* RTPROT_BOOT */
		d[m + 22] = 253;		/* RT_SCOPE_LINK */
		d[m + 23] = 1;			/* RTN_UNICAST */
		p16(m + 28, 8);			/* RTA_OIF = 3 */
		p16(m + 30, 4);
		p32(m + 32, 3);
	}
	end(o);
	end(s);
}

