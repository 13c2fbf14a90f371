/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VmaEntry.status bits of mm-ID.img: part of CRIU's image ABI, shared by the
 * engine's /proc reader (engine/proc_parse.h) and ovz2img (convert/xlate-mm.c).
 */
#ifndef VZCR_VMA_STATUS_H
#define VZCR_VMA_STATUS_H

#define VMA_AREA_REGULAR	(1U << 0)
#define VMA_AREA_STACK		(1U << 1)
#define VMA_AREA_VSYSCALL	(1U << 2)
#define VMA_AREA_VDSO		(1U << 3)
#define VMA_AREA_HEAP		(1U << 5)
#define VMA_FILE_PRIVATE	(1U << 6)
#define VMA_FILE_SHARED		(1U << 7)
#define VMA_ANON_SHARED		(1U << 8)
#define VMA_ANON_PRIVATE	(1U << 9)
#define VMA_AREA_SYSVIPC	(1U << 10)
#define VMA_AREA_SOCKET		(1U << 11)
#define VMA_AREA_VVAR		(1U << 12)
#define VMA_AREA_AIORING	(1U << 13)
#define VMA_AREA_MEMFD		(1U << 14)
/* vzcr's own: [vvar_vclock] of 6.13+ kernels, kept apart from VVAR */
#define VMA_AREA_VVAR_VCLOCK	(1U << 20)
#define VMA_UNSUPP		(1U << 31)

#endif
