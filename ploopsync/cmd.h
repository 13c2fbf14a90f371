/* SPDX-License-Identifier: GPL-2.0-only */
/* The ploopsync CLI's shared helpers and commands. */
#ifndef PLOOPSYNC_CMD_H
#define PLOOPSYNC_CMD_H

int ps_usage_error(const char *fmt, const char *arg);
int ps_parse_uint(const char *s, unsigned long long max, unsigned long long *ret);
int ps_run_cmd(const char *what, const char *cmd);
int ps_cmd_send(int argc, char **argv);

#endif /* PLOOPSYNC_CMD_H */
