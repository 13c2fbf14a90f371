// SPDX-License-Identifier: GPL-2.0-only
/*
 * cptlive --old-vdso: the dump's vDSO as an old kernel would have it. Its
 * bytes are this kernel's vDSO (read from the dumped process) edited by
 * tests/lib/vdso-edit.c into "another kernel's" (functions at other
 * offsets); they go to the VSYSCALL section (note section 9: page-block
 * records, one per page, start/end the page's address), or with
 * --vdso-out to a file while the section holds a page that is no ELF (as
 * the legacy vsyscall page would be). cptlive-dump.c leaves out this
 * kernel's [vvar] areas then: an old kernel names the vDSO alone.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cptlive.h"
#include "cptw.h"
#include "vdso-edit.h"

#define SECT_VSYSCALL		28
#define CPT_OBJ_VSYSCALL	4107

/* The [vdso] of the first live process: its bytes into @buf, its start. */
static size_t read_vdso(uint8_t *buf, size_t size, uint64_t *ret_start)
{
	for (int i = 0; i < L.np; i++) {
		const struct lproc *P = &L.p[i];
		char p[64];
		ssize_t n;
		int fd;

		for (size_t k = 0; k < P->vmas.n && !P->zombie; k++) {
			const struct vma_area *v = &P->vmas.v[k];

			if (!(v->status & VMA_AREA_VDSO) || v->end - v->start > size)
				continue;
			snprintf(p, sizeof(p), "/proc/%d/mem", P->pid);
			fd = open(p, O_RDONLY);
			n = fd < 0 ? -1 : pread(fd, buf, v->end - v->start, (off_t)v->start);
			if (fd >= 0)
				close(fd);
			if (n != (ssize_t)(v->end - v->start))
				die("read the vDSO");
			*ret_start = v->start;
			return (size_t)n;
		}
	}
	die("no [vdso] in the tree");
}

/* One VSYSCALL object per page of @b, addressed from @start. */
static void pages(struct cptw *w, const uint8_t *b, size_t len, uint64_t start)
{
	for (size_t off = 0; off < len; off += PAGE) {
		size_t o = w_obj(w, CPT_OBJ_VSYSCALL, 32, 2);

		w64(w, o + 16, start + off);
		w64(w, o + 24, start + off + PAGE);
		w_data(w, b + off, PAGE);
		w_end(w, o);
	}
}

void sect_vsyscall(struct cptw *w)
{
	static uint8_t img[1 << 16], legacy[PAGE];
	uint64_t start;
	size_t len = read_vdso(img, sizeof(img), &start), s;
	FILE *f;

	if (vdso_edit(img, len, L.old_vdso))
		die("edit the vDSO");
	if (L.vdso_out) {
		f = fopen(L.vdso_out, "w");
		if (!f || fwrite(img, 1, len, f) != len || fclose(f))
			die(L.vdso_out);
		memset(legacy, 0xcc, sizeof(legacy));	/* code, no ELF header */
	}
	if (L.rhel5)
		return;	/* 2.6.18 wrote no VSYSCALL section */
	s = w_sect(w, SECT_VSYSCALL);
	if (L.vdso_out)
		pages(w, legacy, PAGE, 0xffffffffff600000ULL);
	else
		pages(w, img, len, start);
	w_end(w, s);
}
