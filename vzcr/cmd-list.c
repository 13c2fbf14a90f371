// SPDX-License-Identifier: GPL-2.0-only
/* vzcr list: every container of this $VZCR_ROOT, with state, init pid and IP. */
#define LOG_PREFIX "list: "
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char list_usage[] =
	"Usage: vzcr list\n"
	"\n"
	"One line per container configured under $VZCR_ROOT/etc/vzcr/conf, sorted:\n"
	"CTID, state (running or stopped), pid of init (\"-\" if stopped) and IP.\n"
	"Exit status: 0, or 1 if some container could not be read.\n";

static int list_run(int argc, char **argv);

const struct cmd cmd_list = {
	.name = "list",
	.summary = "list containers",
	.usage = list_usage,
	.run = list_run,
};

static int list_one(const char *id)
{
	struct ct_state st;
	struct ct ct;
	int ret;

	if (ct_open(&ct, id) < 0)
		return -EINVAL;
	ret = ct_running(&ct, &st);
	ct_unlock(&ct);
	if (ret < 0)
		return ret;
	if (ret)
		printf("%-12s %-8s %-8d %s\n", ct.id, "running", st.init_pid,
		       ct.conf.ip_address[0] ? ct.conf.ip_address : "-");
	else
		printf("%-12s %-8s %-8s %s\n", ct.id, "stopped", "-",
		       ct.conf.ip_address[0] ? ct.conf.ip_address : "-");
	return 0;
}

static int list_run(int argc, char **argv)
{
	struct dirent **names = NULL;
	char dir[CT_PATH_MAX];
	struct ct host;
	int c, n, i, ret = 0;

	while ((c = getopt(argc, argv, "h")) != -1) {
		if (c == 'h') {
			cmd_usage(&cmd_list, stdout);
			return 0;
		}
		return cmd_usage_error(&cmd_list, "unknown option");
	}
	if (optind != argc)
		return cmd_usage_error(&cmd_list, "no arguments expected");
	if (ct_init(&host, "0") < 0 || ct_path(&host, dir, sizeof(dir), "/etc/vzcr/conf") < 0)
		return 1;
	printf("%-12s %-8s %-8s %s\n", "CTID", "STATE", "PID", "IP");
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : (log_perr(-errno, "Failed to read '%s'", dir), 1);
	for (i = 0; i < n; i++) {
		char *name = names[i]->d_name, *dot = strrchr(name, '.');

		if (dot && !strcmp(dot, ".conf")) {
			*dot = '\0';
			if (ct_id_valid(name) && list_one(name) < 0)
				ret = 1;
		}
		free(names[i]);
	}
	free(names);
	return ret;
}
