// SPDX-License-Identifier: GPL-2.0-only
/* vzcr checkpoint: dump a process tree to an image directory. */
#define LOG_PREFIX "checkpoint: "
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
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
	if (optind < argc)
		return cmd_usage_error(&cmd_checkpoint, "unexpected argument '%s'", argv[optind]);
	if (!o.pid || !o.dir)
		return cmd_usage_error(&cmd_checkpoint, "--pid and -D are required");
	if (eng_dump(&o, &st) < 0) {
		fprintf(stderr, "vzcr checkpoint: failed: %s\n", log_first_error());
		return 1;
	}
	print_stats(&st);
	return 0;
}

const struct cmd cmd_checkpoint = {
	.name = "checkpoint",
	.summary = "dump a process tree: checkpoint --pid PID -D DIR [--leave-running]",
	.usage = "Usage: vzcr checkpoint --pid PID -D DIR [--leave-running] [-v]\n"
		 "Dump the process PID, all its threads and all its descendants to image\n"
		 "files in DIR (CRIU's format; created if missing, must be empty).\n\n"
		 "  -p, --pid PID          root of the tree to dump\n"
		 "  -D, --images-dir DIR   where the images go\n"
		 "  -R, --leave-running    let the tree run on after the dump (default: kill it\n"
		 "                         once the images are complete)\n"
		 "  -v, --verbose          say more (repeat for debug)\n"
		 "  -h, --help             this text\n\n"
		 "The tree is stopped (ptrace) for the whole dump. inventory.img is written\n"
		 "last: a directory without it is not a checkpoint. On any failure the tree\n"
		 "runs on untouched, DIR is emptied again, and the error names the task, the\n"
		 "object and the reason.\n\n"
		 "Exit status: 0 dumped, 1 failed, 2 usage error.\n",
	.run = checkpoint_run,
};
