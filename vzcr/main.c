// SPDX-License-Identifier: GPL-2.0-only
/* vzcr: command dispatch, global options and help. */
#define LOG_PREFIX "vzcr: "
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "version.h"

static const struct cmd *const commands[] = {
	&cmd_check,
	&cmd_image,
	&cmd_checkpoint,
	&cmd_restore,
	&cmd_create,
	&cmd_start,
	&cmd_stop,
	&cmd_restart,
	&cmd_exec,
	&cmd_enter,
	&cmd_status,
	&cmd_list,
	&cmd_destroy,
	&cmd_set,
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: vzcr [-v|-q] COMMAND [ARGS]\n"
		   "Checkpoint, restore and live-migrate Linux containers.\n\n"
		   "Commands:\n");
	for (i = 0; i < (sizeof(commands) / sizeof(commands[0])); i++)
		fprintf(f, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nGlobal options:\n"
		   "  -v, --verbose  more log output (repeat for debug)\n"
		   "  -q, --quiet    errors only\n"
		   "  -h, --help     this text; 'vzcr COMMAND --help' for a command\n"
		   "  -V, --version  print the version\n"
		   "\nSee vzcr(8).\n");
}

void cmd_more_verbose(void)
{
	enum log_level level = log_get_level();

	if (level < LOG_DEBUG)
		log_set_level(level + 1);
	if (level + 1 >= LOG_DEBUG)
		log_set_plain(false);
}

int cmd_only_ctid(const struct cmd *cmd, int argc, char **argv, const char **ret_id)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cmd_usage(cmd, stdout);
			return 0;
		}
		return cmd_usage_error(cmd, "unknown option");
	}
	if (optind + 1 != argc)
		return cmd_usage_error(cmd, "want one CTID");
	*ret_id = argv[optind];
	return -1;
}

void cmd_usage(const struct cmd *cmd, FILE *f)
{
	fputs(cmd->usage, f);
}

int cmd_usage_error(const struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vzcr %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	cmd_usage(cmd, stderr);
	return EXIT_USAGE;
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < (sizeof(commands) / sizeof(commands[0])); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	enum log_level level = LOG_WARN;
	const struct cmd *cmd;
	int c;

	log_set_plain(true);
	/* '+': stop at the command name, its options are its own */
	while ((c = getopt_long(argc, argv, "+vqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (level < LOG_DEBUG)
				level++;
			break;
		case 'q':
			level = LOG_ERROR;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vzcr %s\n", VZCR_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vzcr: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "vzcr: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (level >= LOG_DEBUG)
		log_set_plain(false);
	log_set_level(level);
	argc -= optind;
	argv += optind;
	optind = 0;	/* commands run getopt again from argv[1] */
	return cmd->run(argc, argv);
}
