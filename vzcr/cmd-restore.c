// SPDX-License-Identifier: GPL-2.0-only
/* vzcr restore: bring a dumped container or process tree back. */
#define LOG_PREFIX "restore: "
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "ct-cr.h"
#include "engine.h"
#include "log.h"

/* restore CTID [-D DIR] */
static int restore_ct(const char *id, const char *dir)
{
	char def[CT_PATH_MAX];
	struct ct ct;
	int err;

	if (ct_open(&ct, id) < 0) {
		fprintf(stderr, "vzcr restore: failed: %s\n", log_first_error());
		return 1;
	}
	err = dir ? 0 : ct_dump_dir(&ct, def, sizeof(def));
	if (!err)
		err = ct_restore(&ct, dir ? dir : def);
	ct_unlock(&ct);
	if (err < 0) {
		fprintf(stderr, "vzcr restore: failed: %s\n", log_first_error());
		return 1;
	}
	printf("CT %s restored\n", ct.id);
	return 0;
}

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
	if (optind + 1 < argc || (optind < argc && o.pidfile))
		return cmd_usage_error(&cmd_restore, "unexpected argument '%s'", argv[argc - 1]);
	if (optind < argc)
		return restore_ct(argv[optind], o.dir);
	if (!o.dir)
		return cmd_usage_error(&cmd_restore, "want a CTID, or -D");
	if (eng_restore(&o, &root) < 0) {
		fprintf(stderr, "vzcr restore: failed: %s\n", log_first_error());
		return 1;
	}
	pr_info("Restored the tree of %d", root);
	return 0;
}

const struct cmd cmd_restore = {
	.name = "restore",
	.summary = "restore a container or a process tree: restore CTID [-D DIR] | -D DIR",
	.usage = "Usage: vzcr restore CTID [-D DIR] [-v]\n"
		 "       vzcr restore -D DIR [--pidfile FILE] [-v]\n"
		 "Restore the container CTID, or the process tree checkpointed in DIR, with\n"
		 "its original pids and threads. vzcr returns once every task runs again; the\n"
		 "tree is not its child any more once vzcr has exited.\n\n"
		 "A container (DIR defaults to $VZCR_ROOT/vz/dump/CTID) must exist here (its\n"
		 "config and private area; copied from another host will do) and not run, and\n"
		 "DIR must hold a complete image set (inventory.img) of the same CTID. It comes\n"
		 "back in its cgroup, in new pid, mount, uts, ipc, net and cgroup namespaces\n"
		 "rebuilt from the images (host name, IPC, links, addresses, routes, nft\n"
		 "rules, mounts with tmpfs contents; the veth's host end as `vzcr start`\n"
		 "makes it), init as pid 1 and every task with its pid inside; its TCP\n"
		 "connections go on. `vzcr status/exec/stop` work on it.\n\n"
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
