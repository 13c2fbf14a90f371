// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network lock of a dumped tree's TCP connections. A socket closed in
 * repair mode sends nothing, but a packet the peer sends while the tree is
 * down finds no socket and the kernel answers it with a reset. So when the
 * tree dies with its dump, an nftables table "vzcr_lock_ROOTPID" (the pid the images give the root) in its
 * net namespace drops every packet that comes in for one of its
 * established connections: the peer retransmits until the restore has
 * made the socket again and removed the table. Without nft the dump warns
 * and goes on: a peer that stays quiet keeps its connection all the same.
 */
#define LOG_PREFIX "sk-lock: "
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "log.h"
#include "restore.h"
#include "sk-inet.pb-c.h"
#include "sk-priv.h"
#include "xmalloc.h"

#define RULE_MAX 256

/*
 * Run `nft -f -` with @script in the net namespace @netns (an fd, or -1
 * for ours); its exit status (0 ok), or -errno if it did not run.
 */
static int run_nft(int netns, const char *script, bool quiet)
{
	int in[2], status;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return log_perr(-errno, "Failed to make a pipe for nft");
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return log_perr(-errno, "Failed to fork nft");
	}
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		if (dup2(in[0], 0) < 0 || (netns >= 0 && setns(netns, CLONE_NEWNET) < 0))
			_exit(126);
		if (quiet && null >= 0)
			dup2(null, 2);
		if (null >= 0)
			dup2(null, 1);
		execlp("nft", "nft", "-f", "-", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	write_full(in[1], script, strlen(script));
	close(in[1]);
	if (waitpid(pid, &status, 0) < 0)
		return log_perr(-errno, "Failed to wait for nft");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Append to @s (of length *len) a drop rule for what comes in to @e from its peer. */
static int add_rule(char **s, size_t *len, const char *table, const InetSkEntry *e)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], rule[RULE_MAX];
	int af = e->family == AF_INET6 ? AF_INET6 : AF_INET;
	const char *ip = af == AF_INET6 ? "ip6" : "ip";
	char *n;
	int l;

	if (!inet_ntop(af, e->dst_addr, src, sizeof(src)) ||
	    !inet_ntop(af, e->src_addr, dst, sizeof(dst)))
		return log_err(-EINVAL, "Failed to write the address of inet socket %u", e->ino);
	l = snprintf(rule, sizeof(rule),
		     "add rule inet %s in %s saddr %s tcp sport %u %s daddr %s tcp dport %u drop\n",
		     table, ip, src, e->dst_port, ip, dst, e->src_port);
	n = xrealloc(*s, *len + l + 1);
	if (!n)
		return -ENOMEM;
	memcpy(n + *len, rule, l + 1);
	*s = n;
	*len += l;
	return 0;
}

static void table_name(char *buf, size_t len, pid_t root)
{
	snprintf(buf, len, "vzcr_lock_%d", root);
}

int sk_lock_tree(struct file_table *t, pid_t root, pid_t img_root)
{
	_cleanup_free_ char *script = NULL;
	_cleanup_close_ int ns = -EBADF;
	char name[32], path[64];
	size_t len = 0, i;
	int err, rules = 0;

	table_name(name, sizeof(name), img_root);	/* the restore knows only this pid */
	/* a drop before conntrack (-200) sees the packet first */
	len = asprintf(&script, "add table inet %s\n"
			       "add chain inet %s in { type filter hook input priority -300; }\n",
		       name, name);
	if ((int)len < 0)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		const InetSkEntry *e = t->v[i].fe && t->v[i].fe->type == FD_TYPES__INETSK ?
			t->v[i].fe->isk : NULL;

		if (!e || e->proto != IPPROTO_TCP || e->state != TCP_ESTABLISHED)
			continue;
		err = add_rule(&script, &len, name, e);
		if (err)
			return err;
		rules++;
	}
	if (!rules)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", root);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	err = run_nft(ns, script, false);
	if (err == -ENOENT) {
		pr_warn("No nft here: a peer that sends while the tree is down gets a reset, ignoring");
		return 0;
	}
	if (err)
		return log_err(err < 0 ? err : -EIO, "Failed to lock the TCP connections of the tree (nft table %s): nft exited with %d",
			       name, err);
	pr_debug("Locked %d TCP connections of the tree: nft table %s", rules, name);
	return 0;
}

void sk_unlock_tree(pid_t root, int netns)
{
	char name[32], script[64];
	int err;

	table_name(name, sizeof(name), root);
	snprintf(script, sizeof(script), "delete table inet %s\n", name);
	/* no such table: the dump had no nft, or no established connection */
	err = run_nft(netns, script, true);
	if (err == 0)
		pr_debug("Unlocked the TCP connections: nft table %s removed", name);
}
