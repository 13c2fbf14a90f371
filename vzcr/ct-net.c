// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CT's network: a veth pair, the host end "vzXXXXXXXX" with HOST_IP/32
 * and a /32 route to the CT, the CT end renamed eth0 with IP_ADDRESS/32, a
 * route to HOST_IP on the link and the default route via it. Done with `ip`
 * from iproute2; the CT side runs in the new net namespace before pivot_root.
 */
#define LOG_PREFIX "net: "
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ct.h"
#include "log.h"

#define IP_CMD "/sbin/ip"
#define DEFAULT_HOST_IP "169.254.0.1"

static const char *ip_cmd(void)
{
	return access(IP_CMD, X_OK) == 0 ? IP_CMD : "/usr/sbin/ip";
}

static const char *host_ip(const struct ct *ct)
{
	return ct->conf.host_ip[0] ? ct->conf.host_ip : DEFAULT_HOST_IP;
}

/* Names from $VZCR_ROOT and the CTID, so that two "hosts" never clash. */
void ct_veth_names(const struct ct *ct, char *host, char *peer)
{
	unsigned int h = ct_root_tag(ct);
	const char *p;

	for (p = ct->id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(host, 16, "vz%08x", h);
	snprintf(peer, 16, "vz%08xc", h);
}

/* ip ARGS...: 0, or -EIO with the command logged. */
static int ip(bool quiet, const char *a0, const char *a1, const char *a2, const char *a3,
	      const char *a4, const char *a5, const char *a6, const char *a7)
{
	char *argv[] = { (char *)ip_cmd(), (char *)a0, (char *)a1, (char *)a2, (char *)a3,
			 (char *)a4, (char *)a5, (char *)a6, (char *)a7, NULL };
	int ret = ct_run_prog(argv, quiet);

	if (ret < 0 && !quiet)
		pr_err("Failed to run 'ip %s %s %s %s %s %s %s %s'", a0, a1 ? a1 : "", a2 ? a2 : "",
		       a3 ? a3 : "", a4 ? a4 : "", a5 ? a5 : "", a6 ? a6 : "", a7 ? a7 : "");
	return ret < 0 ? -EIO : 0;
}

int ct_net_host_conf(const struct ct *ct, const char *host)
{
	char addr[24], ctaddr[24];

	snprintf(addr, sizeof(addr), "%s/32", host_ip(ct));
	snprintf(ctaddr, sizeof(ctaddr), "%s/32", ct->conf.ip_address);
	if (ip(false, "addr", "add", addr, "dev", host, NULL, NULL, NULL) < 0 ||
	    ip(false, "link", "set", host, "up", NULL, NULL, NULL, NULL) < 0 ||
	    ip(false, "route", "add", ctaddr, "dev", host, NULL, NULL, NULL) < 0)
		return -EIO;
	return 0;
}

int ct_net_host_setup(const struct ct *ct, pid_t pid, const char *host, const char *peer)
{
	char pidstr[16];

	if (!ct->conf.ip_address[0])
		return 0;
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	if (ip(false, "link", "add", host, "type", "veth", "peer", "name", peer) < 0)
		return -EIO;
	if (ip(false, "link", "set", peer, "netns", pidstr, NULL, NULL, NULL) < 0 ||
	    ct_net_host_conf(ct, host) < 0) {
		ct_net_host_cleanup(host);
		return -EIO;
	}
	return 0;
}

int ct_net_ct_setup(const struct ct *ct, const char *peer)
{
	char ctaddr[24];
	const char *hip = host_ip(ct);

	if (ip(false, "link", "set", "lo", "up", NULL, NULL, NULL, NULL) < 0)
		return -EIO;
	if (!ct->conf.ip_address[0])
		return 0;
	snprintf(ctaddr, sizeof(ctaddr), "%s/32", ct->conf.ip_address);
	if (ip(false, "link", "set", peer, "name", "eth0", NULL, NULL, NULL) < 0 ||
	    ip(false, "addr", "add", ctaddr, "dev", "eth0", NULL, NULL, NULL) < 0 ||
	    ip(false, "link", "set", "eth0", "up", NULL, NULL, NULL, NULL) < 0 ||
	    ip(false, "route", "add", hip, "dev", "eth0", NULL, NULL, NULL) < 0 ||
	    ip(false, "route", "add", "default", "via", hip, NULL, NULL, NULL) < 0)
		return -EIO;
	return 0;
}

/* Remove the host end (the peer goes with it); quiet when already gone. */
void ct_net_host_cleanup(const char *host)
{
	if (host && host[0])
		ip(true, "link", "del", host, NULL, NULL, NULL, NULL, NULL);
}

const char *ct_host_ip(const struct ct *ct)
{
	return host_ip(ct);
}
