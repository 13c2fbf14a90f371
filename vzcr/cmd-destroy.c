// SPDX-License-Identifier: GPL-2.0-only
/* vzcr destroy: remove a stopped container, its private area and config. */
#define LOG_PREFIX "destroy: "
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char destroy_usage[] =
	"Usage: vzcr destroy CTID\n"
	"\n"
	"Remove a stopped container: its private area (VE_PRIVATE), its root mount\n"
	"point (VE_ROOT), its config and runtime files. Refused while it runs.\n"
	"Exit status: 0 removed, 1 failure, 2 usage error.\n";

static int destroy_run(int argc, char **argv);

const struct cmd cmd_destroy = {
	.name = "destroy",
	.summary = "remove a stopped container",
	.usage = destroy_usage,
	.run = destroy_run,
};

static int destroy_files(struct ct *ct)
{
	static const char *const files[] = {
		"/var/run/vzcr/%s.console", "/var/run/vzcr/%s.lock", "/etc/vzcr/conf/%s.conf",
	};
	char path[CT_PATH_MAX];
	size_t i;
	int ret;

	ret = ct_rootfs_destroy(ct);
	if (ret < 0)
		return ret;
	/* the config last: a half-destroyed CT can be destroyed again */
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ret = ct_path(ct, path, sizeof(path), files[i], ct->id);
		if (ret < 0)
			return ret;
		if (unlink(path) < 0 && errno != ENOENT)
			return log_perr(-errno, "Failed to remove '%s'", path);
	}
	return 0;
}

static int destroy_run(int argc, char **argv)
{
	struct ct ct;
	const char *id;
	int ret;

	ret = cmd_only_ctid(&cmd_destroy, argc, argv, &id);
	if (ret >= 0)
		return ret;
	if (ct_open(&ct, id) < 0)
		return 1;
	ret = ct_running(&ct, NULL);
	if (ret > 0)
		ret = log_err(-EBUSY, "CT %s is running: stop it first", ct.id);
	else if (ret == 0)
		ret = destroy_files(&ct);
	ct_unlock(&ct);
	if (ret < 0)
		return 1;
	printf("CT %s destroyed\n", ct.id);
	return 0;
}
