// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovz2img --ctid CTID: the set becomes a container's, as `vzcr checkpoint
 * CTID` writes it, with vzcr-ct.img (the engine's ct_image_write()): the
 * CTID, the dump's host name and its first IPv4 address outside 127/8
 * (venet's, normally). The rest already is as a CT's set wants it: pids as
 * the container saw them (init is 1), paths below its root.
 */
#define LOG_PREFIX "ovz2img: "

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctimg.h"
#include "log.h"
#include "xlate.h"

#define CPT_OBJ_NET_IFADDR	1037

int xl_ctid_check(const char *ctid)
{
	size_t n = strlen(ctid);

	if (!n || n >= sizeof(((struct ct_image *)0)->ctid) ||
	    strspn(ctid, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n ||
	    ctid[0] == '.' || ctid[0] == '-')
		return log_err(-EINVAL, "--ctid '%s': want 1..64 letters, digits, '.', '_' or '-', not starting with '.' or '-'",
			       ctid);
	return 0;
}

/* The first IPv4 address of NET_IFADDR outside 127/8, "" if none. */
static int first_addr(struct xlate *x, char *buf, size_t size)
{
	const struct cpt_section *s = xl_section(x, 17);
	struct cpt_obj_hdr h;
	uint8_t rec[40];
	int r;

	buf[0] = '\0';
	for (uint64_t p = s ? s->pos + s->hdrlen : 0; s && p < s->pos + s->len; p += h.next) {
		r = cpt_read_obj(x->f, p, s->pos + s->len, CPT_OBJ_NET_IFADDR, "NET_IFADDR", rec,
				 sizeof(rec), &h);
		if (r < 0)
			return r;
		if (rec[20] == AF_INET && rec[24] != 127) {
			inet_ntop(AF_INET, rec + 24, buf, size);
			return 0;
		}
	}
	return 0;
}

int xl_write_ct(struct xlate *x, const char *ctid)
{
	struct ct_image ci = {};
	int r;

	snprintf(ci.ctid, sizeof(ci.ctid), "%s", ctid);
	if (strlen(x->f->utsname[0]) < sizeof(ci.hostname))
		snprintf(ci.hostname, sizeof(ci.hostname), "%s", x->f->utsname[0]);
	r = first_addr(x, ci.ip_address, sizeof(ci.ip_address));
	return r ?: ct_image_write(x->dfd, &ci);
}
