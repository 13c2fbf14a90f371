/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Receiving the streams of OpenVZ's `ploop copy` (../shared/notes/ploop-copy.md):
 * the 1.x format (16-byte packets, marker 0x4cc0ac3d) and the 7.x typed
 * format (24-byte packets, marker 0x4cc0ac3e), told from the first 4 bytes.
 */
#ifndef PLOOPSYNC_COMPAT_OVZ_H
#define PLOOPSYNC_COMPAT_OVZ_H

#include <stdint.h>

#include "ploopsync.h"

#define PS_OVZ_DETECT		4		/* bytes ps_ovz_detect() looks at */
#define PS_OVZ_MARKER_V1	0x4cc0ac3du
#define PS_OVZ_MARKER_V7	0x4cc0ac3eu
#define PS_OVZ_DATA_MAX		(16u << 20)	/* one packet's payload */
#define PS_OVZ_IMAGE_MAX	(16ULL << 40)	/* no packet may end past 16 TiB */

enum ps_ovz_kind {
	PS_OVZ_NONE = 0,	/* not a ploop copy stream (maybe ploopsync's) */
	PS_OVZ_V1 = 1,
	PS_OVZ_V7 = 7,
};

/* The stream kind from its first 4 bytes; -EPROTO (named) for a big-endian sender. */
int ps_ovz_detect(const unsigned char head[PS_OVZ_DETECT]);
/*
 * Receive a ploop copy stream whose first 4 bytes (@head) were read, into
 * a temporary file renamed over @image only after the end packet. When
 * @in_fd is a socket, the replies the sender waits for go back on it.
 */
int ps_ovz_recv(const char *image, int in_fd, int kind, const unsigned char head[PS_OVZ_DETECT],
		struct ploopsync_recv_stats *ret_stats);

#endif /* PLOOPSYNC_COMPAT_OVZ_H */
