// SPDX-License-Identifier: GPL-2.0-only
/* vzcr checkpoint: dump a container, or a process tree, to an image directory. */
#define LOG_PREFIX "checkpoint: "
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ct-cr.h"
#include "engine.h"
#include "log.h"

static int parse_pid(const char *s, pid_t *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0 || v > (1 << 22))
		return -1;
	*ret = v;
	return 0;
}

static void print_stats(const struct dump_stats *st)
{
	pr_info("Dumped %u tasks (%u threads): %llu pages written, %llu zero pages skipped, "
		"%llu scanned; frozen %.3f s, memory %.3f s",
		st->nr_tasks, st->nr_threads, (unsigned long long)st->pages_written,
		(unsigned long long)st->pages_zero, (unsigned long long)st->pages_scanned,
		st->frozen_us / 1e6, st->memdump_us / 1e6);
}

/* checkpoint CTID [-D DIR] [--leave-running] */
static int checkpoint_ct(const char *id, struct dump_opts *o)
{
	char dir[CT_PATH_MAX];
	struct dump_stats st;
	struct ct ct;
	int err;

	if (ct_open(&ct, id) < 0) {
		fprintf(stderr, "vzcr checkpoint: failed: %s\n", log_first_error());
		return 1;
	}
	err = o->dir ? 0 : ct_dump_dir(&ct, dir, sizeof(dir));
	if (!err)
		err = ct_checkpoint(&ct, o->dir ? o->dir : dir, o->leave_running, &st);
	ct_unlock(&ct);
	if (err < 0) {
		fprintf(stderr, "vzcr checkpoint: failed: %s\n", log_first_error());
		return 1;
	}
	print_stats(&st);
	printf("CT %s checkpointed to %s\n", ct.id, o->dir ? o->dir : dir);
	return 0;
}

static int checkpoint_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "images-dir", required_argument, NULL, 'D' },
		{ "leave-running", no_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump_opts o = {};
	struct dump_stats st;
	int c;

	while ((c = getopt_long(argc, argv, "p:D:Rvh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_pid(optarg, &o.pid))
				return cmd_usage_error(&cmd_checkpoint, "bad pid '%s'", optarg);
			break;
		case 'D':
			o.dir = optarg;
			break;
		case 'R':
			o.leave_running = true;
			break;
		case 'v':
			cmd_more_verbose();
			break;
		case 'h':
			cmd_usage(&cmd_checkpoint, stdout);
			return 0;
		default:
			return cmd_usage_error(&cmd_checkpoint, "bad option");
		}
	}
	if (optind + 1 < argc || (optind < argc && o.pid))
		return cmd_usage_error(&cmd_checkpoint, "unexpected argument '%s'", argv[argc - 1]);
	if (optind < argc)
		return checkpoint_ct(argv[optind], &o);
	if (!o.pid || !o.dir)
		return cmd_usage_error(&cmd_checkpoint, "want a CTID, or --pid and -D");
	if (eng_dump(&o, &st) < 0) {
		fprintf(stderr, "vzcr checkpoint: failed: %s\n", log_first_error());
		return 1;
	}
	print_stats(&st);
	return 0;
}

const struct cmd cmd_checkpoint = {
	.name = "checkpoint",
	.summary = "dump a container or a process tree: checkpoint CTID | --pid PID -D DIR",
	.usage = "Usage: vzcr checkpoint CTID [-D DIR] [--leave-running] [-v]\n"
		 "       vzcr checkpoint --pid PID -D DIR [--leave-running] [-v]\n"
		 "Dump the running container CTID, or the process PID with all its threads\n"
		 "and descendants, to image files in DIR (CRIU's format; created if missing,\n"
		 "must be empty).\n\n"
		 "A container is frozen (its cgroup) while its tasks are seized, dumped with\n"
		 "the pids and paths it sees and its uts, ipc, net and mount namespaces, then\n"
		 "stopped as by `vzcr stop` (or thawed with --leave-running). Its images go to $VZCR_ROOT/vz/dump/CTID unless -D says\n"
		 "otherwise; vzcr-ct.img in them names the CT. A task in the CT's cgroup that\n"
		 "is not a descendant of its init (a `vzcr exec` session; start services with\n"
		 "`vzcr exec --detach`) is refused.\n\n"
		 "  -p, --pid PID          root of the tree to dump (no CTID)\n"
		 "  -D, --images-dir DIR   where the images go\n"
		 "  -R, --leave-running    let the tree run on after the dump (default: kill it\n"
		 "                         once the images are complete)\n"
		 "  -v, --verbose          say more (repeat for debug)\n"
		 "  -h, --help             this text\n\n"
		 "The tree is stopped (ptrace) for the whole dump. inventory.img is written\n"
		 "last: a directory without it is not a checkpoint. On any failure the tree\n"
		 "(the CT: running and thawed) runs on untouched, DIR is emptied again, and\n"
		 "the error names the task, the object and the reason.\n\n"
		 "Exit status: 0 dumped, 1 failed, 2 usage error.\n",
	.run = checkpoint_run,
};
