/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * userfaultfd features newer than Debian 12's linux 6.1 headers
 * (include/uapi/linux/userfaultfd.h). The values are the kernel's uapi; a
 * kernel that lacks one refuses it in UFFDIO_API with EINVAL.
 */
#ifndef VZCR_COMPAT_USERFAULTFD_H
#define VZCR_COMPAT_USERFAULTFD_H

#include <linux/userfaultfd.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY		1	/* Linux 5.11 */
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED	(1 << 13)	/* Linux 6.4 */
#endif
#ifndef UFFD_FEATURE_POISON
#define UFFD_FEATURE_POISON		(1 << 14)	/* Linux 6.6 */
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
/* Write-protect faults resolved by the kernel, seen through PAGEMAP_SCAN (6.7) */
#define UFFD_FEATURE_WP_ASYNC		(1 << 15)
#endif
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE		(1 << 16)	/* Linux 6.8 */
#endif

#endif /* VZCR_COMPAT_USERFAULTFD_H */
