// SPDX-License-Identifier: GPL-2.0-only
/* vzcr start: start a stopped container. */
#define LOG_PREFIX "start: "
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char start_usage[] =
	"Usage: vzcr start CTID\n"
	"\n"
	"Start the container: its init (busybox init for the busybox template) runs\n"
	"as PID 1 in new pid, mount, uts, ipc, net and cgroup namespaces, in a cgroup\n"
	"of its own, with its root, /proc, /sys, /dev and a veth pair (eth0 inside)\n"
	"set up. Returns once init runs. Exit status: 0 started, 1 failure (unknown\n"
	"CTID, already running, bad config), 2 usage error.\n";

static int start_run(int argc, char **argv);

const struct cmd cmd_start = {
	.name = "start",
	.summary = "start a container",
	.usage = start_usage,
	.run = start_run,
};

static int start_run(int argc, char **argv)
{
	struct ct ct;
	const char *id;
	int ret;

	ret = cmd_only_ctid(&cmd_start, argc, argv, &id);
	if (ret >= 0)
		return ret;
	if (ct_open(&ct, id) < 0)
		return 1;
	ret = ct_running(&ct, NULL);
	if (ret > 0)
		pr_err("CT %s is already running", ct.id);
	else if (ret == 0)
		ret = ct_start(&ct);
	ct_unlock(&ct);
	if (ret)
		return 1;
	printf("CT %s started\n", ct.id);
	return 0;
}
