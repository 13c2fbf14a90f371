// SPDX-License-Identifier: GPL-2.0-only
/*
 * The old kernel's vDSO. vzcr restore keeps no vDSO code from a dump: it
 * moves this kernel's [vvar], [vvar_vclock] and [vdso] to the addresses the
 * dump names (engine/restore_mm.c), sizes equal. A dump made on this kernel
 * (tests' cptlive) names all three, and that works as for vzcr's own
 * dumps. A real RHEL5/6 dump names the vDSO only (VMA type 2/3, no pages,
 * data in a fixed vsyscall page): the process's resolved vDSO entry points
 * are the old kernel's, which this kernel's vDSO does not have at the same
 * offsets. That is refused, or with --force the areas are laid out as this
 * host has them (data pages just below the vDSO) and listed: the process
 * runs until its first vDSO call. The old fixed vsyscall page is not part of
 * any mm; this kernel emulates it (vsyscall=xonly) at the same address.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "xlate.h"

#define VMA_AREA_REGULAR	(1U << 0)
#define VMA_AREA_VDSO		(1U << 3)
#define VMA_AREA_VVAR		(1U << 12)
#define VMA_AREA_VVAR_VCLOCK	(1U << 20)

/* Sizes of this host's areas, from our own maps; 0 if absent. */
static void host_layout(uint64_t *vvar, uint64_t *vclock, uint64_t *vdso)
{
	char line[512], name[64];
	unsigned long long s, e;
	FILE *f = fopen("/proc/self/maps", "r");

	*vvar = *vclock = *vdso = 0;
	while (f && fgets(line, sizeof(line), f)) {
		name[0] = '\0';
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %63s", &s, &e, name) < 2)
			continue;
		if (!strcmp(name, "[vvar]"))
			*vvar = e - s;
		else if (!strcmp(name, "[vvar_vclock]"))
			*vclock = e - s;
		else if (!strcmp(name, "[vdso]"))
			*vdso = e - s;
	}
	if (f)
		fclose(f);
}

static VmaEntry *find(VmaEntry **vp, size_t n, uint32_t status)
{
	for (size_t i = 0; i < n; i++)
		if (vp[i]->status & status)
			return vp[i];
	return NULL;
}

/* [vvar] and [vvar_vclock] of this host's sizes, just below the vDSO. */
static int add_data_areas(uint32_t pid, VmaEntry *vmas, VmaEntry **vp, size_t *n, size_t max,
			  const VmaEntry *vdso)
{
	uint64_t vvar, vclock, vsize, at;

	host_layout(&vvar, &vclock, &vsize);
	at = vdso->start - vclock - vvar;
	if (!vvar || *n + 2 > max || at > vdso->start)
		return log_err(-EOPNOTSUPP, "Failed to lay out this kernel's vDSO data for process %u", pid);
	for (size_t i = 0; i < *n; i++)
		if (vp[i]->start < vdso->start && vp[i]->end > at)
			return log_err(-EOPNOTSUPP, "Failed to lay out this kernel's vDSO data for process %u: %#" PRIx64 "-%#" PRIx64 " is taken",
				       pid, at, vdso->start);
	for (int k = 0; k < 2; k++) {
		VmaEntry *v = &vmas[*n];

		if (k && !vclock)
			break;
		vma_entry__init(v);
		v->start = k ? at + vvar : at;
		v->end = k ? vdso->start : at + vvar;
		v->prot = 1;
		v->flags = vdso->flags;
		v->fd = -1;
		v->status = VMA_AREA_REGULAR | (k ? VMA_AREA_VVAR_VCLOCK : VMA_AREA_VVAR);
		vp[(*n)++] = v;
	}
	return 0;
}

int xl_vdso_fixup(struct xlate *x, uint32_t pid, VmaEntry *vmas, VmaEntry **vp, size_t *n,
		  size_t max)
{
	const VmaEntry *vdso = find(vp, *n, VMA_AREA_VDSO);
	uint64_t vvar, vclock, vsize;
	int r;

	if (!vdso)
		return 0;
	host_layout(&vvar, &vclock, &vsize);
	if (vdso->end - vdso->start != vsize)
		pr_warn("Process %u: the dumped vDSO is %" PRIu64 " bytes, this kernel's %" PRIu64 ": vzcr restore on this kernel will refuse it, ignoring",
			pid, vdso->end - vdso->start, vsize);
	if (find(vp, *n, VMA_AREA_VVAR))
		return 0;	/* the layout of a kernel like this one */
	r = xl_unsupported(x, "the old kernel's vDSO of process %u at %#" PRIx64 " (its entry points differ on this kernel)",
			   pid, vdso->start);
	return r ?: add_data_areas(pid, vmas, vp, n, max, vdso);
}
