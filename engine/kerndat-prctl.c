// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat prctl probes, in this process and without side effects: the size
 * query of PR_SET_MM_MAP, and the state query of PR_TIMER_CREATE_RESTORE_IDS.
 */
#define LOG_PREFIX "kerndat: "
#include <errno.h>
#include <sys/prctl.h>

#include "kerndat-probe.h"
#include "log.h"

#define PR_TIMER_CREATE_RESTORE_IDS_	77
#define PR_TIMER_CREATE_RESTORE_IDS_GET	2
#define MM_MAP_SIZE			104	/* struct prctl_mm_map */

void kd_probe_prctl(struct kerndat *kd)
{
	unsigned int size = 0;
	int r;

	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &size, 0, 0) < 0)
		kd_no(kd, KD_MM_MAP, -errno, "PR_SET_MM_MAP_SIZE");
	else if (size != MM_MAP_SIZE)
		kd_set(kd, KD_MM_MAP, false, "struct prctl_mm_map is %u bytes here, vzcr knows %u",
		       size, MM_MAP_SIZE);
	else
		kd_set(kd, KD_MM_MAP, true, "struct prctl_mm_map of %u bytes", size);
	r = prctl(PR_TIMER_CREATE_RESTORE_IDS_, PR_TIMER_CREATE_RESTORE_IDS_GET, 0, 0, 0);
	if (r < 0)
		kd_no(kd, KD_TIMER_IDS, -errno, "PR_TIMER_CREATE_RESTORE_IDS");
	else
		kd_set(kd, KD_TIMER_IDS, true, "timer_create takes the id it is given (now %s)",
		       r ? "on" : "off");
}
