/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vzcr subcommands. Each lives in its own vzcr/cmd-NAME.c, parses its
 * own options into its own struct and returns the process exit status:
 * 0 success, 1 failure, 2 usage error (unknown option, missing argument).
 */
#ifndef VZCR_CMD_H
#define VZCR_CMD_H

#include <stdbool.h>
#include <stdio.h>

#define EXIT_USAGE 2

struct cmd {
	const char *name;
	const char *summary;	/* one line for "vzcr --help" */
	const char *usage;	/* full text for "vzcr NAME --help" */
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
};

extern const struct cmd cmd_check;
extern const struct cmd cmd_image;
extern const struct cmd cmd_checkpoint;
extern const struct cmd cmd_restore;
extern const struct cmd cmd_create;
extern const struct cmd cmd_start;
extern const struct cmd cmd_stop;
extern const struct cmd cmd_restart;
extern const struct cmd cmd_exec;
extern const struct cmd cmd_enter;
extern const struct cmd cmd_status;
extern const struct cmd cmd_list;
extern const struct cmd cmd_destroy;
extern const struct cmd cmd_set;

/* cmd-stop.c: [-t SECONDS] CTID for stop and restart; -1 after --help. */
int cmd_stop_parse(const struct cmd *cmd, int argc, char **argv, int *timeout, char **id);
/* cmd-exec.c: run @argv in running CT @id; returns the exit status. */
int cmd_exec_in(const char *id, char *const argv[], bool detached);

/* One -v more: info, then debug with timestamps and source locations. */
void cmd_more_verbose(void);
/*
 * Options of a command that takes a CTID and nothing else: -1 with
 * *ret_id set to go on, else the exit status (0 after --help, 2 on a
 * usage error).
 */
int cmd_only_ctid(const struct cmd *cmd, int argc, char **argv, const char **ret_id);
/* Print @cmd's usage to @f. */
void cmd_usage(const struct cmd *cmd, FILE *f);
/* Report a usage error for @cmd on stderr; returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* VZCR_CMD_H */
