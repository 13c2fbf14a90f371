// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tracker selection: by name, or "auto" (reflink when FICLONE works, else
 * tracepoint when a loop device holds the image, else scan).
 */
#define LOG_PREFIX "ploopsync: "
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "tracker.h"

static const struct ps_tracker_ops *const backends[] = {
	&ps_tracker_reflink,
	&ps_tracker_scan,
	&ps_tracker_ploop,
	&ps_tracker_tracepoint,
};

int ps_tracker_open(struct ps_tracker *t, const char *name)
{
	const struct ps_tracker_ops *ops = NULL;
	size_t i;
	int ret;

	if (!strcmp(name, "auto")) {
		ret = ps_tracker_reflink.probe(t, false);
		ops = ret ? &ps_tracker_scan : &ps_tracker_reflink;
		if (ret && !ps_tracker_tracepoint.probe(t, false))
			ops = &ps_tracker_tracepoint;
		pr_info("tracker: auto picked %s (%s)", ops->name,
			!ret ? "the image's filesystem supports FICLONE" :
			ops == &ps_tracker_tracepoint ?
			"the image's filesystem cannot FICLONE it; a loop device holds it, its writes are traced" :
			"the image's filesystem cannot FICLONE it and no loop device holds it");
	} else {
		for (i = 0; i < ARRAY_SIZE(backends); i++)
			if (!strcmp(backends[i]->name, name))
				ops = backends[i];
		if (!ops)
			return log_err(-EINVAL, "Unknown tracker '%s' (auto, reflink, scan, ploop, tracepoint)", name);
		ret = ops->probe(t, true);
		if (ret)
			return ret;
		pr_info("tracker: %s", ops->name);
	}
	t->ops = ops;
	return ops->start(t);
}

void ps_tracker_close(struct ps_tracker *t)
{
	if (t->ops && t->ops->stop)
		t->ops->stop(t);
	t->ops = NULL;
}
