// SPDX-License-Identifier: GPL-2.0-only
/*
 * vzcr checkpoint CTID: dump a running CT through its frozen cgroup with
 * the pids and paths it sees, plus vzcr-ct.img; then stop it the way
 * `vzcr stop` cleans up (its tasks are killed by the engine), or let it run
 * on with --leave-running. A failure leaves the CT running and thawed.
 */
#define LOG_PREFIX "checkpoint: "
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ct-cr.h"
#include "ctimg.h"
#include "log.h"

int ct_dump_dir(const struct ct *ct, char *buf, size_t len)
{
	return ct_path(ct, buf, len, "/vz/dump/%s", ct->id);
}

static void fill_image(const struct ct *ct, const struct ct_state *st, struct ct_image *ci)
{
	char p[CT_PATH_MAX + 16];

	memset(ci, 0, sizeof(*ci));
	snprintf(ci->ctid, sizeof(ci->ctid), "%s", ct->id);
	snprintf(ci->hostname, sizeof(ci->hostname), "%s", ct->conf.hostname);
	snprintf(ci->ip_address, sizeof(ci->ip_address), "%s", ct->conf.ip_address);
	snprintf(ci->host_ip, sizeof(ci->host_ip), "%s", ct_host_ip(ct));
	ci->init_host_pid = st->init_pid;
	snprintf(p, sizeof(p), "%s/cgroup.freeze", st->cgroup);
	snprintf(ci->cgroup, sizeof(ci->cgroup), "%s", access(p, F_OK) == 0 ? "v2" : "v1");
}

int ct_checkpoint(struct ct *ct, const char *dir, bool leave_running, struct dump_stats *ret)
{
	char console[CT_PATH_MAX];
	struct eng_ext_file ext = { .name = CT_CONSOLE_NAME, .host_path = console, .fd = -1 };
	struct dump_opts o = { .dir = dir, .leave_running = leave_running, .ext = &ext,
			       .nr_ext = 1 };
	struct ct_image ci;
	struct ct_state st;
	int err;

	err = ct_running(ct, &st);
	if (err < 0)
		return err;
	if (!err)
		return log_err(-ESRCH, "CT %s is not running", ct->id);
	err = ct_path(ct, console, sizeof(console), "/var/run/vzcr/%s.console", ct->id);
	if (err < 0)
		return err;
	fill_image(ct, &st, &ci);
	o.pid = st.init_pid;
	o.cgroup = st.cgroup;
	o.ct = &ci;
	err = eng_dump(&o, ret);
	if (err < 0)
		return err;
	if (leave_running) {
		pr_info("CT %s checkpointed to '%s', left running", ct->id, dir);
		return 0;
	}
	/* the engine killed and reaped its tasks: what `vzcr stop` does after init */
	err = ct_stop_cleanup(ct, &st);
	if (err == 0)
		pr_info("CT %s checkpointed to '%s' and stopped", ct->id, dir);
	return err;
}
