/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test-only edits of this kernel's vDSO image that make it "another
 * kernel's" (its code poisoned, its functions at other offsets, a name
 * changed), for tests of the restore's vDSO proxy: tests/e2e/vdso-img
 * (vzcr's own dumps) and tests/convert/cptlive (an OpenVZ dump's vDSO).
 * They trust their input: a vDSO this kernel made.
 */
#ifndef VZCR_TESTS_VDSO_EDIT_H
#define VZCR_TESTS_VDSO_EDIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Apply @spec to the ELF image @img of @len bytes: edits separated by
 * commas, arguments by colons:
 *   poison         every executable byte becomes int3: only patched entry
 *                  points can work
 *   shift          poison, and every function moves to a new offset past
 *                  the image's contents (aliases with it)
 *   shift-names    poison, and only the __vdso_* names move: the plain
 *                  aliases (clock_gettime, ...) keep the old entry points,
 *                  so pointers taken before the edit still meet a function
 *   rename:A:B     the function name A becomes B (same length)
 *   size:NAME:N    the function NAME claims N bytes
 * 0, or -1 with a message on stderr.
 */
int vdso_edit(uint8_t *img, size_t len, const char *spec);

#endif /* VZCR_TESTS_VDSO_EDIT_H */
