// SPDX-License-Identifier: GPL-2.0-only
/*
 * kerndat vDSO probe: the special mappings of this process from
 * /proc/self/maps ([vvar], [vvar_vclock] since Linux 6.13, [vdso],
 * [vsyscall]), checked against the auxiliary vector: restore must move or
 * proxy a dumped task's areas onto this kernel's layout.
 */
#define LOG_PREFIX "kerndat: "
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "cleanup.h"
#include "kerndat-probe.h"
#include "log.h"

static int parse_maps(struct kerndat *kd)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/maps", "re");
	char line[4096], name[256];
	unsigned long start, end;
	int v;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &start, &end, name) != 3)
			continue;
		for (v = 0; v < KD_VMA_NR; v++) {
			if (strcmp(name, kerndat_vma_name(v)))
				continue;
			kd->vma[v].start = start;
			kd->vma[v].end = end;
		}
	}
	return 0;
}

/* "vvar 16K, vvar_vclock 8K, vdso 8K, vsyscall 4K" for what exists. */
static void vdso_detail(const struct kerndat *kd, char *buf, size_t len)
{
	size_t off = 0;
	int v;

	buf[0] = '\0';
	for (v = 0; v < KD_VMA_NR && off < len; v++) {
		if (!kd->vma[v].end)
			continue;
		/* the name without its brackets */
		off += snprintf(buf + off, len - off, "%s%.*s %luK", off ? ", " : "",
				(int)strlen(kerndat_vma_name(v)) - 2, kerndat_vma_name(v) + 1,
				(kd->vma[v].end - kd->vma[v].start) >> 10);
	}
}

void kd_probe_vdso(struct kerndat *kd)
{
	const struct kd_range *vdso = &kd->vma[KD_VMA_VDSO];
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);
	char detail[160];
	int r;

	r = parse_maps(kd);
	if (r) {
		kd_no(kd, KD_VDSO, r, "/proc/self/maps");
		return;
	}
	vdso_detail(kd, detail, sizeof(detail));
	if (!vdso->end)
		kd_set(kd, KD_VDSO, false, "no [vdso] in /proc/self/maps%s%s",
		       detail[0] ? ": " : "", detail);
	else if (ehdr != vdso->start || memcmp((void *)ehdr, ELFMAG, SELFMAG))
		kd_set(kd, KD_VDSO, false, "[vdso] at %#lx, but AT_SYSINFO_EHDR is %#lx",
		       vdso->start, ehdr);
	else if (!kd->vma[KD_VMA_VVAR].end)
		kd_set(kd, KD_VDSO, false, "no [vvar] next to the vDSO: %s", detail);
	else
		kd_set(kd, KD_VDSO, true, "%s", detail);
}
