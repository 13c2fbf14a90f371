// SPDX-License-Identifier: GPL-2.0-only
/* vzcr restart: stop a container if it runs, then start it, under one lock. */
#define LOG_PREFIX "restart: "
#include <stdio.h>

#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char restart_usage[] =
	"Usage: vzcr restart [-t SECONDS] CTID\n"
	"\n"
	"Stop the container as `vzcr stop` does (if it runs), then start it.\n"
	"\n"
	"Options:\n"
	"  -t, --timeout SECONDS  wait this long before SIGKILL (default 10)\n"
	"  -h, --help             print this text and exit\n"
	"\n"
	"Exit status: 0 running again, 1 failure, 2 usage error.\n";

static int restart_run(int argc, char **argv);

const struct cmd cmd_restart = {
	.name = "restart",
	.summary = "stop and start a container",
	.usage = restart_usage,
	.run = restart_run,
};

static int restart_run(int argc, char **argv)
{
	struct ct ct;
	int timeout, ret;
	char *id;

	ret = cmd_stop_parse(&cmd_restart, argc, argv, &timeout, &id);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (ct_open(&ct, id) < 0)
		return 1;
	ret = ct_running(&ct, NULL);
	if (ret > 0)
		ret = ct_stop(&ct, timeout);
	if (ret == 0)
		ret = ct_start(&ct);
	ct_unlock(&ct);
	if (ret < 0)
		return 1;
	printf("CT %s restarted\n", ct.id);
	return 0;
}
