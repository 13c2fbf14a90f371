// SPDX-License-Identifier: GPL-2.0-only
/* vzcr restore: bring a dumped process tree back. */
#define LOG_PREFIX "restore: "
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "engine.h"
#include "log.h"

static int restore_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "images-dir", required_argument, NULL, 'D' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct restore_opts o = {};
	pid_t root;
	int c;

	while ((c = getopt_long(argc, argv, "D:p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			o.dir = optarg;
			break;
		case 'p':
			o.pidfile = optarg;
			break;
		case 'v':
			cmd_more_verbose();
			break;
		case 'h':
			cmd_usage(&cmd_restore, stdout);
			return 0;
		default:
			return cmd_usage_error(&cmd_restore, "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_restore, "unexpected argument '%s'", argv[optind]);
	if (!o.dir)
		return cmd_usage_error(&cmd_restore, "-D is required");
	if (eng_restore(&o, &root) < 0) {
		fprintf(stderr, "vzcr restore: failed: %s\n", log_first_error());
		return 1;
	}
	pr_info("Restored the tree of %d", root);
	return 0;
}

const struct cmd cmd_restore = {
	.name = "restore",
	.summary = "restore a dumped process tree: restore -D DIR [--pidfile FILE]",
	.usage = "Usage: vzcr restore -D DIR [--pidfile FILE] [-v]\n"
		 "Restore the process tree checkpointed in DIR with its original pids and\n"
		 "threads. vzcr returns once every task runs again; the tree is not its child\n"
		 "any more once vzcr has exited.\n\n"
		 "  -D, --images-dir DIR   the checkpoint (must hold inventory.img)\n"
		 "  -p, --pidfile FILE     write the pid of the root task to FILE\n"
		 "  -v, --verbose          say more (repeat for debug)\n"
		 "  -h, --help             this text\n\n"
		 "Every pid of the checkpoint must be free: outside a pid namespace, wait until\n"
		 "the dumped tree is gone. On failure, every task made so far is killed and\n"
		 "the error names the task and the object.\n\n"
		 "Exit status: 0 restored, 1 failed, 2 usage error.\n",
	.run = restore_run,
};
