// SPDX-License-Identifier: GPL-2.0-only
/* vzcr stop: stop a running container cleanly. */
#define LOG_PREFIX "stop: "
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char stop_usage[] =
	"Usage: vzcr stop [-t SECONDS] CTID\n"
	"\n"
	"Stop the container: its init is asked to power off (SIGUSR2 to busybox\n"
	"init), and killed if it still runs after the timeout; then its veth,\n"
	"cgroup and runtime state are removed.\n"
	"\n"
	"Options:\n"
	"  -t, --timeout SECONDS  wait this long before SIGKILL (default 10)\n"
	"  -h, --help             print this text and exit\n"
	"\n"
	"Exit status: 0 stopped, 1 failure (unknown CTID, not running), 2 usage error.\n";

static int stop_run(int argc, char **argv);

const struct cmd cmd_stop = {
	.name = "stop",
	.summary = "stop a container",
	.usage = stop_usage,
	.run = stop_run,
};

/* Shared with restart: parse [-t N] CTID; returns 0 or an exit status. */
int cmd_stop_parse(const struct cmd *cmd, int argc, char **argv, int *timeout, char **id)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*timeout = 10;
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			*timeout = strtol(optarg, &end, 10);
			if (*end || *timeout < 0 || *timeout > 3600)
				return cmd_usage_error(cmd, "bad timeout '%s'", optarg);
			break;
		case 'h':
			cmd_usage(cmd, stdout);
			return -1;
		default:
			return cmd_usage_error(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(cmd, "want one CTID");
	*id = argv[optind];
	return 0;
}

static int stop_run(int argc, char **argv)
{
	struct ct ct;
	int timeout, ret;
	char *id;

	ret = cmd_stop_parse(&cmd_stop, argc, argv, &timeout, &id);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (ct_open(&ct, id) < 0)
		return 1;
	ret = ct_stop(&ct, timeout);
	ct_unlock(&ct);
	if (ret < 0)
		return 1;
	printf("CT %s stopped\n", ct.id);
	return 0;
}
