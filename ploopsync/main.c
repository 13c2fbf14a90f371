// SPDX-License-Identifier: GPL-2.0-only
/* ploopsync CLI: `send` and `recv` over the library (include/ploopsync.h). */
#define LOG_PREFIX "ploopsync: "
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "ploopsync.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"Usage: ploopsync send IMAGE --to FD|--to-file PATH|--to-cmd CMD [--freeze-cmd CMD]\n"
	"                      [--tracker auto|reflink|tracepoint|scan|ploop] [--max-passes N] [--json]\n"
	"                      [--sync-fs PATH] [--block-size BYTES] [--freeze-ms MS]\n"
	"                      [--compress none|zstd|lz4]\n"
	"                      [--loop-dev DEV] [--trace-buffer-kb KIB]\n"
	"       ploopsync recv IMAGE [--from FD|--from-file PATH]\n"
	"Copy a live block image pass after pass while it is written to; see ploopsync(8).\n"
	"recv also reads OpenVZ `ploop copy` 1.x/7.x streams (told from their first bytes).\n"
	"send shows a status line when stderr is a terminal (unless --json).\n"
	"SIGINT/SIGTERM stop send without an end marker (exit 128+signal).\n"
	"Options: -v (more log), -q (errors only), -h (this text).\n";

int ps_usage_error(const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	dprintf(STDERR_FILENO, "ploopsync: %s\n%s", msg, usage_text);
	return EXIT_USAGE;
}

int ps_parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

/* Run CMD with sh -c and wait; 0 when it exits 0. */
int ps_run_cmd(const char *what, const char *cmd)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return log_perr(-errno, "Failed to fork for the %s command", what);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* a signal (send's SIGINT handler) must not leave the command running unseen */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return log_perr(-errno, "Failed to wait for the %s command", what);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return log_err(-ECHILD, "The %s command '%s' failed (status 0x%x)", what, cmd, status);
	return 0;
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "from-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct ploopsync_recv_stats st;
	unsigned long long v;
	int c, fd = STDIN_FILENO, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (ps_parse_uint(optarg, 1 << 20, &v))
				return ps_usage_error("recv: --from wants a file descriptor, not '%s'", optarg);
			fd = (int)v;
			break;
		case 'F':
			fd = open(optarg, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return log_perr(-errno, "Failed to open '%s'", optarg), 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return ps_usage_error("recv: %s", "bad option");
		}
	}
	if (optind != argc - 1)
		return ps_usage_error("recv: %s", "one IMAGE argument expected");
	ret = ploopsync_recv(argv[optind], fd, &st);
	if (ret) {
		pr_err("Failed to receive '%s', it is left as it was", argv[optind]);
		return 1;
	}
	if (strcmp(st.format, "ploopsync"))
		pr_info("received '%s' from an OpenVZ %s stream: %llu bytes, %llu syncs, end packet seen (that format has no checksums)",
			argv[optind], st.format, (unsigned long long)st.image_size,
			(unsigned long long)st.passes);
	else
		pr_info("received '%s': %llu bytes in %llu passes, end checksum verified", argv[optind],
			(unsigned long long)st.image_size, (unsigned long long)st.passes);
	return 0;
}

int main(int argc, char **argv)
{
	int level = LOG_INFO;

	signal(SIGPIPE, SIG_IGN);
	log_set_plain(true);
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-v"))
			level++;
		else if (!strcmp(argv[1], "-q"))
			level = LOG_ERROR;
		else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
			return fputs(usage_text, stdout), 0;
		else
			return ps_usage_error("unknown option '%s'", argv[1]);
		argc--;
		argv++;
	}
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_set_level(level);
	if (argc < 2)
		return ps_usage_error("%s", "no command (send or recv)");
	if (!strcmp(argv[1], "send"))
		return ps_cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	return ps_usage_error("unknown command '%s'", argv[1]);
}
