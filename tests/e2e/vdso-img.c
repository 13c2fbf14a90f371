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
 * The edits are tests/lib/vdso-edit.c's. Not installed; trusts its input
 * (vzcr's own dump of this kernel's vDSO).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "vdso-edit.h"
#include "vzcr-vdso.pb-c.h"

int main(int argc, char **argv)
{
	char spec[256] = "";
	VzcrVdsoEntry *e;
	struct img *img;
	int dfd;

	if (argc < 4) {
		fprintf(stderr, "usage: vdso-img DIR PID poison|shift|rename A B|size NAME N\n");
		return 2;
	}
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY);
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
