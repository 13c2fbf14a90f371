// SPDX-License-Identifier: GPL-2.0-only
/* vzcr exec: run a command inside a running container. */
#define LOG_PREFIX "exec: "
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char exec_usage[] =
	"Usage: vzcr exec [--detach] CTID COMMAND [ARG]...\n"
	"\n"
	"Run COMMAND in the running container: in its cgroup, its cgroup, ipc, uts,\n"
	"net, pid and mount namespaces and under its root, with PATH=/sbin:/bin:...\n"
	"  -d, --detach  start COMMAND as a daemon of the CT: a session of its own,\n"
	"                the CT's /dev/null as stdin, stdout and stderr, no other fd\n"
	"                (a checkpoint refuses files of the host); exit 0 at once\n"
	"Exit status: that of COMMAND (128+N if killed by signal N), 1 when it\n"
	"could not be run (unknown CTID, not running), 2 usage error.\n";

static int exec_run(int argc, char **argv);

const struct cmd cmd_exec = {
	.name = "exec",
	.summary = "run a command in a container",
	.usage = exec_usage,
	.run = exec_run,
};

/* Shared with enter: lock, check that @id runs, unlock, run @cmd_argv in it. */
int cmd_exec_in(const char *id, char *const cmd_argv[], bool detached)
{
	struct ct_state st;
	struct ct ct;
	int ret;

	if (ct_open(&ct, id) < 0)
		return 1;
	ret = ct_running(&ct, &st);
	/* not held while the command runs: `enter` may last for hours */
	ct_unlock(&ct);
	if (ret == 0)
		pr_err("CT %s is not running", ct.id);
	if (ret <= 0)
		return 1;
	ret = ct_exec(&ct, &st, cmd_argv, detached);
	return ret < 0 ? 1 : ret;
}

static int exec_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "detach", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	bool detached = false;
	int c;

	/* '+': the command's own options are not ours */
	while ((c = getopt_long(argc, argv, "+hd", opts, NULL)) != -1) {
		if (c == 'h') {
			cmd_usage(&cmd_exec, stdout);
			return 0;
		}
		if (c == 'd') {
			detached = true;
			continue;
		}
		return cmd_usage_error(&cmd_exec, "unknown option");
	}
	if (optind + 2 > argc)
		return cmd_usage_error(&cmd_exec, "want a CTID and a command");
	return cmd_exec_in(argv[optind], argv + optind + 1, detached);
}
