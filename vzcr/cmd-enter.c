// SPDX-License-Identifier: GPL-2.0-only
/* vzcr enter: a shell inside a running container. */
#define LOG_PREFIX "enter: "
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "log.h"

static const char enter_usage[] =
	"Usage: vzcr enter CTID\n"
	"\n"
	"Run a shell (/bin/sh) in the running container, entered as `vzcr exec`\n"
	"does. Exit status: the shell's, 1 when it could not be run, 2 usage error.\n";

static int enter_run(int argc, char **argv);

const struct cmd cmd_enter = {
	.name = "enter",
	.summary = "open a shell in a container",
	.usage = enter_usage,
	.run = enter_run,
};

static int enter_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *sh[] = { "/bin/sh", NULL };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cmd_usage(&cmd_enter, stdout);
			return 0;
		}
		return cmd_usage_error(&cmd_enter, "unknown option");
	}
	if (optind + 1 != argc)
		return cmd_usage_error(&cmd_enter, "want one CTID");
	return cmd_exec_in(argv[optind], sh, false);
}
