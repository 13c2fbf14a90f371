// SPDX-License-Identifier: GPL-2.0-only
/* vzcr status: whether a container runs, and its init's pid. */
#define LOG_PREFIX "status: "
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char status_usage[] =
	"Usage: vzcr status CTID\n"
	"\n"
	"Print \"CT CTID running, init pid PID\" or \"CT CTID stopped\".\n"
	"Exit status: 0 (running or stopped), 1 failure (unknown CTID), 2 usage error.\n";

static int status_run(int argc, char **argv);

const struct cmd cmd_status = {
	.name = "status",
	.summary = "show whether a container runs",
	.usage = status_usage,
	.run = status_run,
};

static int status_run(int argc, char **argv)
{
	struct ct_state st;
	struct ct ct;
	const char *id;
	int ret;

	ret = cmd_only_ctid(&cmd_status, argc, argv, &id);
	if (ret >= 0)
		return ret;
	if (ct_open(&ct, id) < 0)
		return 1;
	ret = ct_running(&ct, &st);
	ct_unlock(&ct);
	if (ret < 0)
		return 1;
	if (ret)
		printf("CT %s running, init pid %d\n", ct.id, st.init_pid);
	else
		printf("CT %s stopped\n", ct.id);
	return 0;
}
