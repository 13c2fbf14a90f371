/* SPDX-License-Identifier: GPL-2.0-only */
/* Microseconds of CLOCK_MONOTONIC, for durations in stats and logs. */
#ifndef VZCR_LIB_MONOTIME_H
#define VZCR_LIB_MONOTIME_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

#endif /* VZCR_LIB_MONOTIME_H */
