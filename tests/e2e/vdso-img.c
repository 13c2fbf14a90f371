// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper of cr-vdso.t: turns the vDSO a checkpoint recorded
 * (vzcr-vdso-PID.img) into "another kernel's" vDSO, so that the restore
 * must take the proxy path.
 *   vdso-img DIR PID poison        every executable byte becomes int3: only
 *                                  patched entry points can work
 *   vdso-img DIR PID shift         poison, and every function moves to a
 *                                  new offset past the image's contents
 *   vdso-img DIR PID rename A B    the function name A becomes B (same length)
 *   vdso-img DIR PID size NAME N   the function NAME claims N bytes
 *   vdso-img DIR PID novvar        mm-PID.img loses its [vvar] areas, as a set
 *                                  from a kernel without them (the vDSO stays)
 * The edits are tests/lib/vdso-edit.c's. Not installed; trusts its input
 * (vzcr's own dump of this kernel's vDSO).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "mm.pb-c.h"
#include "vdso-edit.h"
#include "vzcr-vdso.pb-c.h"

/* VMA status bits of the image format: CRIU's VVAR, vzcr's vvar_vclock (engine/images/README) */
#define IMG_VMA_VVAR		(1U << 12)
#define IMG_VMA_VVAR_VCLOCK	(1U << 20)

/* Drop the [vvar] and [vvar_vclock] VMAs of mm-@pid.img. */
static int drop_vvar(int dfd, int pid)
{
	struct img *img;
	MmEntry *mm;
	size_t i, n = 0;

	if (img_read_single(dfd, IMG_MM, pid, (void **)&mm))
		return 1;
	for (i = 0; i < mm->n_vmas; i++)
		if (!(mm->vmas[i]->status & (IMG_VMA_VVAR | IMG_VMA_VVAR_VCLOCK)))
			mm->vmas[n++] = mm->vmas[i];
	mm->n_vmas = n;
	img = img_open(dfd, IMG_MM, O_WRONLY, pid);
	return !img || img_write(img, mm) || img_close(img);
}

int main(int argc, char **argv)
{
	char spec[256] = "";
	VzcrVdsoEntry *e;
	struct img *img;
	int dfd;

	if (argc < 4) {
		fprintf(stderr, "usage: vdso-img DIR PID poison|shift|rename A B|size NAME N|novvar\n");
		return 2;
	}
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dfd >= 0 && !strcmp(argv[3], "novvar"))
		return drop_vvar(dfd, atoi(argv[2]));
	if (dfd < 0 || img_read_single(dfd, IMG_VZCR_VDSO, atoi(argv[2]), (void **)&e)) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 3; i < argc && i < 6; i++)	/* "rename A B" is rename:A:B */
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%s%s", i > 3 ? ":" : "",
			 argv[i]);
	if (vdso_edit(e->text.data, e->text.len, spec))
		return 1;
	img = img_open(dfd, IMG_VZCR_VDSO, O_WRONLY, atoi(argv[2]));
	if (!img || img_write(img, e) || img_close(img))
		return 1;
	return 0;
}
