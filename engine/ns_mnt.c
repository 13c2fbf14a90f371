// SPDX-License-Identifier: GPL-2.0-only
/* The mount namespace: not written yet. */
#define LOG_PREFIX "ns-mnt: "
#include "log.h"
#include "nsimg.h"

int ns_dump_mnt(pid_t pid, int dfd)
{
	(void)dfd;
	return log_err(-ENOSYS, "Failed to dump the mount namespace of task %d: not implemented", pid);
}

int ns_restore_mnt(int dfd, const char *root_src, const char *target)
{
	(void)dfd, (void)root_src;
	return log_err(-ENOSYS, "Failed to restore mounts at '%s': not implemented", target);
}
