/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vDSO across kernels: its ELF symbols, the dumped vDSO's bytes
 * (vzcr-vdso-PID.img), and the proxy that patches an old vDSO's entry
 * points into jumps to this kernel's (engine/vdso.c, vdso_restore.c).
 */
#ifndef VZCR_VDSO_H
#define VZCR_VDSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc_parse.h"

#define VDSO_MAX_SYMS	64
#define VDSO_MAX_SIZE	(1UL << 20)	/* far above any kernel's (8 KiB on 6.x) */

struct vdso_sym {
	char name[48];
	uint64_t off;			/* from the image's start */
	uint64_t size;			/* st_size: bytes of the function */
};

/* The functions a vDSO exports (global or weak, defined; aliases each). */
struct vdso_syms {
	struct vdso_sym s[VDSO_MAX_SYMS];
	int n;
};

/*
 * Parse the ELF image @img of @len bytes (a vDSO as mapped: file offset =
 * offset in the mapping) into @ret. @what names it in messages. 0, or
 * -EINVAL (logged, with the field) for anything out of bounds or malformed.
 */
int vdso_parse(const uint8_t *img, size_t len, const char *what, struct vdso_syms *ret);

/* The symbol called @name, or NULL. */
const struct vdso_sym *vdso_find(const struct vdso_syms *syms, const char *name);

/*
 * Patch every function of @old (the image @img of @len bytes, to be mapped
 * at @old_base) into a jump to the function of the same name in @cur, this
 * kernel's vDSO mapped at @cur_base. Entry points shared by aliases are
 * patched once. 0, or -EOPNOTSUPP naming a function @cur lacks or an entry
 * too short for a jump (logged for task @pid).
 */
int vdso_patch(uint8_t *img, size_t len, const struct vdso_syms *old, uint64_t old_base,
	       const struct vdso_syms *cur, uint64_t cur_base, pid_t pid);

/* This process's own vDSO (the running kernel's): 0 and its bytes, or -errno. */
int vdso_self(const uint8_t **ret_img, size_t *ret_len);

/*
 * vzcr-vdso-IMG_PID.img with the bytes of the [vdso] of @vmas (task @pid as
 * the host sees it), if it has one.
 */
int vdso_dump(int dfd, pid_t pid, pid_t img_pid, const struct vma_list *vmas);

struct rst_ctx;
struct rst_task;

/*
 * Restore side, after the skeleton's own mappings are gone: returns 0 when
 * the dumped vDSO is this kernel's or unknown (the caller moves this
 * kernel's areas to the dumped addresses), 1 when it set up the proxy (this
 * kernel's areas in a free hole, the old vDSO patched in place), or -errno.
 */
int vdso_restore(struct rst_ctx *c, struct rst_task *t, const struct vma_list *cur);

#endif /* VZCR_VDSO_H */
