// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OpenVZ ploop kernel write tracker (PLOOP_IOC_TRACK_*). It needs the
 * ploop block driver, which no mainline kernel has: until a host with it is
 * at hand this backend only says clearly that it cannot run.
 */
#define LOG_PREFIX "ploopsync: "
#include <errno.h>
#include <unistd.h>

#include "log.h"
#include "tracker.h"

static int ploop_probe(struct ps_tracker *t, bool verbose)
{
	(void)t;
	if (access("/sys/module/ploop", F_OK) && access("/dev/ploop0", F_OK)) {
		if (verbose)
			pr_err("Tracker ploop: the OpenVZ ploop kernel driver is absent on this host (no /sys/module/ploop, no /dev/ploop0); use --tracker reflink or scan");
		return -ENODEV;
	}
	if (verbose)
		pr_err("Tracker ploop: the ploop driver is present but this build has no PLOOP_IOC_TRACK support yet");
	return -EOPNOTSUPP;
}

static int ploop_start(struct ps_tracker *t)
{
	(void)t;
	return -EOPNOTSUPP;
}

static int ploop_pass(struct ps_tracker *t, uint8_t *dirty, int *ret_data_fd)
{
	(void)t;
	(void)dirty;
	(void)ret_data_fd;
	return -EOPNOTSUPP;
}

const struct ps_tracker_ops ps_tracker_ploop = {
	.name = "ploop",
	.probe = ploop_probe,
	.start = ploop_start,
	.pass = ploop_pass,
};
