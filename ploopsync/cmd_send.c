// SPDX-License-Identifier: GPL-2.0-only
/* `ploopsync send`: the passes, the stop rule, the freeze command, the end. */
#define LOG_PREFIX "ploopsync: "
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "monotime.h"
#include "ploopsync.h"

struct send_args {
	struct ploopsync_opts o;
	const char *to_file, *to_cmd, *freeze_cmd;
	int to_fd;
	bool json;
	bool tty;		/* one status line, redrawn, on stderr */
	bool tty_drawn;		/* it holds text: end it before other output */
	uint64_t freeze_us;	/* when the freeze command started, 0 before */
	pid_t child;
};

/* SIGINT or SIGTERM asked send to stop (the library's cancel flag), 0 if not */
static volatile sig_atomic_t arg_stop_signal;

static void on_stop_signal(int sig)
{
	arg_stop_signal = sig;
}

/* No SA_RESTART: a write blocked on a slow receiver returns, and the copy stops. */
static int catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return log_perr(-errno, "Failed to catch SIGINT and SIGTERM");
	return 0;
}

static double frozen_seconds(const struct send_args *a)
{
	return a->freeze_us ? (now_us() - a->freeze_us) / 1e6 : 0;
}

/* The TTY line: pass, dirty bytes, bytes sent, rate, ETA of the pass, frozen time. */
static void tty_line(void *arg, const struct ploopsync_stats *st)
{
	struct send_args *a = arg;
	double left = (double)(st->dirty_bytes - st->done_bytes), eta = -1;
	char frozen[48] = "";

	if (st->done_bytes && st->seconds > 0)
		eta = left * st->seconds / st->done_bytes;
	else if (!left)
		eta = 0;
	if (a->freeze_us)
		snprintf(frozen, sizeof(frozen), ", frozen %.3f s", frozen_seconds(a));
	dprintf(STDERR_FILENO, "\rpass %u%s: dirty %.1f MiB, sent %.1f MiB, %.1f MB/s, ETA %s%.1f s%s\033[K",
		st->pass, st->frozen ? " (frozen)" : "", st->dirty_bytes / 1048576.0,
		st->total_sent / 1048576.0, st->rate / 1e6, eta < 0 ? "~" : "", eta < 0 ? 0 : eta,
		frozen);
	a->tty_drawn = true;
}

/* Log hook: a log line (a warning, the first error) starts on a cleared line. */
static void tty_clear(void *arg)
{
	struct send_args *a = arg;

	if (a->tty_drawn)
		dprintf(STDERR_FILENO, "\r\033[K");
	a->tty_drawn = false;
}

static void tty_end(struct send_args *a)
{
	if (a->tty_drawn)
		dprintf(STDERR_FILENO, "\n");
	a->tty_drawn = false;
}

static void progress(struct send_args *a, const struct ploopsync *ps,
		     const struct ploopsync_stats *st)
{
	/* progress never goes where the stream goes */
	int fd = a->o.out_fd == STDOUT_FILENO ? STDERR_FILENO : STDOUT_FILENO;
	/* eta: the next pass at the measured rate (what the stop rule expects), 0 once frozen */
	double eta = !st->frozen && st->rate > 0 ? st->dirty_bytes / st->rate : 0;

	if (a->json)
		dprintf(fd, "{\"pass\":%u,\"tracker\":\"%s\",\"frozen\":%s,\"dirty_bytes\":%llu,"
			"\"sent_bytes\":%llu,\"total_sent\":%llu,\"seconds\":%.6f,\"track_seconds\":%.6f,"
			"\"rate\":%.0f,\"eta\":%.6f,\"frozen_seconds\":%.6f,\"full\":%s}\n",
			st->pass, ploopsync_tracker(ps), st->frozen ? "true" : "false",
			(unsigned long long)st->dirty_bytes, (unsigned long long)st->sent_bytes,
			(unsigned long long)st->total_sent, st->seconds, st->track_seconds, st->rate,
			eta, frozen_seconds(a), st->full ? "true" : "false");
	else if (a->tty)
		tty_line(a, &(struct ploopsync_stats){ .pass = st->pass, .frozen = st->frozen,
			 .dirty_bytes = st->dirty_bytes, .done_bytes = st->dirty_bytes,
			 .total_sent = st->total_sent, .rate = st->rate, .seconds = st->seconds });
	else
		pr_info("pass %u%s: %llu dirty bytes, %llu sent in %.3f s (%.1f MiB/s)", st->pass,
			st->frozen ? " (frozen)" : "", (unsigned long long)st->dirty_bytes,
			(unsigned long long)st->sent_bytes, st->seconds, st->rate / (1 << 20));
}

static int open_output(struct send_args *a)
{
	int p[2];

	if (a->to_file) {
		a->o.out_fd = open(a->to_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (a->o.out_fd < 0)
			return log_perr(-errno, "Failed to open '%s'", a->to_file);
		return 0;
	}
	if (!a->to_cmd) {
		a->o.out_fd = a->to_fd;
		return 0;
	}
	if (pipe2(p, O_CLOEXEC))
		return log_perr(-errno, "Failed to make a pipe for '%s'", a->to_cmd);
	a->child = fork();
	if (a->child < 0)
		return log_perr(-errno, "Failed to fork for '%s'", a->to_cmd);
	if (a->child == 0) {
		dup2(p[0], STDIN_FILENO);
		execl("/bin/sh", "sh", "-c", a->to_cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	a->o.out_fd = p[1];
	return 0;
}

static int close_output(struct send_args *a, int ret)
{
	int status;

	if (a->o.out_fd >= 0 && a->o.out_fd != a->to_fd && close(a->o.out_fd) && !ret)
		ret = log_perr(-errno, "Failed to close the stream");
	if (a->child > 0) {
		while (waitpid(a->child, &status, 0) < 0)
			if (errno != EINTR)
				return log_perr(-errno, "Failed to wait for '%s'", a->to_cmd);
		if ((!WIFEXITED(status) || WEXITSTATUS(status)) && !ret)
			ret = log_err(-ECHILD, "The --to-cmd command '%s' failed (status 0x%x)",
				      a->to_cmd, status);
	}
	return ret;
}

static int run_passes(struct send_args *a)
{
	struct ploopsync_stats st;
	struct ploopsync *ps;
	int ret;

	ret = ploopsync_start(&a->o, &ps);
	if (ret)
		return ret;
	do {
		ret = ploopsync_next_pass(ps, &st);
		if (ret)
			goto out;
		progress(a, ps, &st);
	} while (!ploopsync_should_freeze(ps));
	a->freeze_us = now_us();
	if (a->freeze_cmd) {
		tty_clear(a);	/* its output starts on a line of its own */
		ret = ps_run_cmd("freeze", a->freeze_cmd);
		if (ret)
			goto out;
	}
	ret = ploopsync_final_pass(ps, &st);
	if (ret)
		goto out;
	progress(a, ps, &st);
	ret = ploopsync_finish(ps);
	if (!ret && a->tty)
		tty_line(a, &(struct ploopsync_stats){ .pass = st.pass, .frozen = true,
			 .dirty_bytes = st.dirty_bytes, .done_bytes = st.dirty_bytes,
			 .total_sent = st.total_sent, .rate = st.rate });
out:
	tty_end(a);
	ploopsync_free(ps);
	return ret;
}

static int parse_send(struct send_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "to-file", required_argument, NULL, 'T' },
		{ "to-cmd", required_argument, NULL, 'C' },
		{ "freeze-cmd", required_argument, NULL, 'z' },
		{ "tracker", required_argument, NULL, 'k' },
		{ "max-passes", required_argument, NULL, 'm' },
		{ "sync-fs", required_argument, NULL, 's' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "freeze-ms", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "compress", required_argument, NULL, 'c' },
		{ "loop-dev", required_argument, NULL, 'L' },
		{ "trace-buffer-kb", required_argument, NULL, 'K' },
		{}
	};
	unsigned long long v;
	int c, outs = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (strchr("tmbfK", c) && ps_parse_uint(optarg, 1u << 30, &v))
			return ps_usage_error("send: '%s' is not a number", optarg);
		switch (c) {
		case 't': a->to_fd = (int)v; outs++; break;
		case 'T': a->to_file = optarg; outs++; break;
		case 'C': a->to_cmd = optarg; outs++; break;
		case 'z': a->freeze_cmd = optarg; break;
		case 'k': a->o.tracker = optarg; break;
		case 'm': a->o.max_passes = (unsigned int)(v ? v : 1); break;
		case 's': a->o.sync_fs = optarg; break;
		case 'b': a->o.block_size = (uint32_t)v; break;
		case 'f': a->o.target_freeze_ms = (unsigned int)(v ? v : 1); break;
		case 'j': a->json = true; break;
		case 'c': a->o.compress = optarg; break;
		case 'L': a->o.loop_dev = optarg; break;
		case 'K': a->o.trace_buffer_kb = (unsigned int)v; break;
		default: return ps_usage_error("send: %s", "bad option");
		}
	}
	if (a->o.compress && strcmp(a->o.compress, "none") && strcmp(a->o.compress, "zstd") &&
	    strcmp(a->o.compress, "lz4"))
		return ps_usage_error("send: --compress wants none, zstd or lz4, not '%s'", a->o.compress);
	if (outs != 1)
		return ps_usage_error("send: %s", "exactly one of --to, --to-file, --to-cmd is needed");
	if (optind != argc - 1)
		return ps_usage_error("send: %s", "one IMAGE argument expected");
	a->o.image = argv[optind];
	return 0;
}

int ps_cmd_send(int argc, char **argv)
{
	struct send_args a = { .to_fd = -1, .o.out_fd = -1 };
	int ret;

	ret = parse_send(&a, argc, argv);
	if (ret)
		return ret;
	a.tty = !a.json && isatty(STDERR_FILENO) && a.o.out_fd != STDERR_FILENO && a.to_fd != STDERR_FILENO;
	if (a.tty) {
		a.o.progress = tty_line;
		a.o.progress_arg = &a;
		log_set_pre_hook(tty_clear, &a);
	}
	a.o.cancel = &arg_stop_signal;
	ret = catch_stop_signals();
	if (!ret)
		ret = open_output(&a);
	if (!ret)
		ret = run_passes(&a);
	ret = close_output(&a, ret);
	log_set_pre_hook(NULL, NULL);
	if (ret && arg_stop_signal) {
		pr_err("Interrupted by %s: '%s' was not sent (no end marker: the receiver keeps its image)",
		       arg_stop_signal == SIGINT ? "SIGINT" : "SIGTERM", a.o.image);
		return 128 + arg_stop_signal;
	}
	if (ret) {
		pr_err("Failed to send '%s'", a.o.image);
		return 1;
	}
	return 0;
}
