// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vDSO's ELF image: its exported functions, read with every offset
 * checked against the image (a dumped vDSO is untrusted input); the dump of
 * a task's vDSO bytes (vzcr-vdso-PID.img); and the patching of an old
 * kernel's vDSO into jumps to this kernel's. vdso_restore.c puts it in place.
 */
#define LOG_PREFIX "vdso: "
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arch.h"
#include "cleanup.h"
#include "image.h"
#include "kerndat.h"
#include "log.h"
#include "vdso.h"
#include "vzcr-vdso.pb-c.h"

/* [off, off + n) lies inside an image of @len bytes */
static bool in_image(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

/* The section header @i, bounds-checked by the caller through e_shnum. */
static const Elf64_Shdr *shdr(const uint8_t *img, const Elf64_Ehdr *eh, unsigned int i)
{
	return (const Elf64_Shdr *)(img + eh->e_shoff + (uint64_t)i * sizeof(Elf64_Shdr));
}

static int check_ehdr(const uint8_t *img, size_t len, const char *what)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return log_err(-EINVAL, "%s: not an ELF image (%zu bytes)", what, len);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != arch_vdso_machine())
		return log_err(-EINVAL, "%s: ELF class %u, data %u, machine %u: not this architecture's vDSO",
			       what, eh->e_ident[EI_CLASS], eh->e_ident[EI_DATA], eh->e_machine);
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_image(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), len))
		return log_err(-EINVAL, "%s: section headers (e_shoff %#llx, e_shnum %u, e_shentsize %u) out of the %zu-byte image",
			       what, (unsigned long long)eh->e_shoff, eh->e_shnum, eh->e_shentsize,
			       len);
	return 0;
}

/* One dynsym entry into @ret if it is an exported function. */
static int add_sym(size_t len, const Elf64_Sym *sym, const char *strtab,
		   uint64_t strsz, uint64_t bias, const char *what, struct vdso_syms *ret)
{
	struct vdso_sym *s;
	const char *name;
	size_t nlen;
	uint64_t off;

	if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_shndx == SHN_UNDEF ||
	    (ELF64_ST_BIND(sym->st_info) != STB_GLOBAL && ELF64_ST_BIND(sym->st_info) != STB_WEAK))
		return 0;
	if (sym->st_name >= strsz)
		return log_err(-EINVAL, "%s: symbol name at %u out of the %llu-byte string table",
			       what, sym->st_name, (unsigned long long)strsz);
	name = strtab + sym->st_name;
	nlen = strnlen(name, strsz - sym->st_name);
	if (nlen == strsz - sym->st_name || nlen >= sizeof(s->name))
		return log_err(-EINVAL, "%s: symbol name at %u unterminated or longer than %zu bytes",
			       what, sym->st_name, sizeof(s->name) - 1);
	off = sym->st_value - bias;
	if (!in_image(off, sym->st_size, len) || off == len)
		return log_err(-EINVAL, "%s: function '%s' at %#llx (%llu bytes) out of the %zu-byte image",
			       what, name, (unsigned long long)sym->st_value,
			       (unsigned long long)sym->st_size, len);
	if (ret->n == VDSO_MAX_SYMS)
		return log_err(-EINVAL, "%s: more than %d functions", what, VDSO_MAX_SYMS);
	s = &ret->s[ret->n++];
	memcpy(s->name, name, nlen + 1);
	s->off = off;
	s->size = sym->st_size;
	return 0;
}

int vdso_parse(const uint8_t *img, size_t len, const char *what, struct vdso_syms *ret)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Shdr *dyn = NULL, *str;
	uint64_t i, nsyms;
	int err;

	ret->n = 0;
	err = check_ehdr(img, len, what);
	if (err)
		return err;
	for (i = 0; i < eh->e_shnum && !dyn; i++)
		if (shdr(img, eh, i)->sh_type == SHT_DYNSYM)
			dyn = shdr(img, eh, i);
	if (!dyn)
		return log_err(-EINVAL, "%s: no .dynsym section", what);
	if (dyn->sh_entsize != sizeof(Elf64_Sym) || !in_image(dyn->sh_offset, dyn->sh_size, len) ||
	    dyn->sh_link >= eh->e_shnum)
		return log_err(-EINVAL, "%s: .dynsym (offset %#llx, size %llu, entsize %llu, link %u) out of bounds",
			       what, (unsigned long long)dyn->sh_offset,
			       (unsigned long long)dyn->sh_size, (unsigned long long)dyn->sh_entsize,
			       dyn->sh_link);
	str = shdr(img, eh, dyn->sh_link);
	if (str->sh_type != SHT_STRTAB || !in_image(str->sh_offset, str->sh_size, len))
		return log_err(-EINVAL, "%s: the string table of .dynsym (section %u) out of bounds",
			       what, dyn->sh_link);
	nsyms = dyn->sh_size / sizeof(Elf64_Sym);
	/* symbol values are addresses: the section's own tells the load bias */
	for (i = 1; i < nsyms; i++) {
		const Elf64_Sym *sym = (const Elf64_Sym *)(img + dyn->sh_offset) + i;

		err = add_sym(len, sym, (const char *)img + str->sh_offset, str->sh_size,
			      dyn->sh_addr - dyn->sh_offset, what, ret);
		if (err)
			return err;
	}
	return 0;
}

const struct vdso_sym *vdso_find(const struct vdso_syms *syms, const char *name)
{
	int i;

	for (i = 0; i < syms->n; i++)
		if (!strcmp(syms->s[i].name, name))
			return &syms->s[i];
	return NULL;
}

/* Was the entry at @k's offset patched already, by an alias before it? */
static bool patched_alias(const struct vdso_syms *old, int k)
{
	int i;

	for (i = 0; i < k; i++)
		if (old->s[i].off == old->s[k].off)
			return true;
	return false;
}

int vdso_patch(uint8_t *img, size_t len, const struct vdso_syms *old, uint64_t old_base,
	       const struct vdso_syms *cur, uint64_t cur_base, pid_t pid)
{
	int i, n = 0, r;

	for (i = 0; i < old->n; i++) {
		const struct vdso_sym *o = &old->s[i], *c = vdso_find(cur, o->name);

		if (!c)
			return log_err(-EOPNOTSUPP,
				       "Task %d: the checkpoint's vDSO has the function '%s', this kernel's vDSO does not: not supported",
				       pid, o->name);
		if (patched_alias(old, i))
			continue;
		if (!in_image(o->off, o->size, len))
			return log_err(-EINVAL, "Task %d: vDSO function '%s' out of the image", pid,
				       o->name);
		r = arch_vdso_jump(img + o->off, o->size, old_base + o->off, cur_base + c->off);
		if (r < 0)
			return log_err(-EOPNOTSUPP,
				       "Task %d: the checkpoint's vDSO function '%s' is %llu bytes, too short for a jump: not supported",
				       pid, o->name, (unsigned long long)o->size);
		pr_debug("Task %d: vDSO %s at %#llx jumps to %#llx\n", pid, o->name,
			 (unsigned long long)(old_base + o->off),
			 (unsigned long long)(cur_base + c->off));
		n++;
	}
	return n;
}

int vdso_self(const uint8_t **ret_img, size_t *ret_len)
{
	const struct kd_range *r = &kerndat_get()->vma[KD_VMA_VDSO];
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);

	if (!r->end || ehdr != r->start)
		return log_err(-ENOENT, "This kernel's vDSO is not where AT_SYSINFO_EHDR says (%#lx)",
			       ehdr);
	*ret_img = (const uint8_t *)ehdr;
	*ret_len = r->end - r->start;
	return 0;
}

/* The bytes of @pid's mapping @v, through process_vm_readv. */
static int read_area(pid_t pid, const struct vma_area *v, uint8_t *buf)
{
	size_t len = v->end - v->start;
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)v->start, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return log_perr(-errno, "Failed to read the vDSO of task %d at %#llx", pid,
				(unsigned long long)v->start);
	if ((size_t)n != len)
		return log_err(-EIO, "Failed to read the vDSO of task %d: %zd of %zu bytes", pid, n,
			       len);
	return 0;
}

int vdso_dump(int dfd, pid_t pid, pid_t img_pid, const struct vma_list *vmas)
{
	VzcrVdsoEntry e = VZCR_VDSO_ENTRY__INIT;
	const struct vma_area *v = NULL;
	_cleanup_free_ uint8_t *buf = NULL;
	struct vdso_syms syms;
	struct img *img;
	size_t i;
	int err;

	for (i = 0; i < vmas->n && !v; i++)
		if (vmas->v[i].status & VMA_AREA_VDSO)
			v = &vmas->v[i];
	if (!v)
		return 0;
	if (v->end - v->start > VDSO_MAX_SIZE)
		return log_err(-EFBIG, "Task %d: the vDSO is %llu bytes, more than %lu", pid,
			       (unsigned long long)(v->end - v->start), VDSO_MAX_SIZE);
	buf = malloc(v->end - v->start);
	if (!buf)
		return -ENOMEM;
	err = read_area(pid, v, buf);
	if (err)
		return err;
	/* only to tell: a restore on another kernel parses the image again */
	if (!vdso_parse(buf, v->end - v->start, "the vDSO", &syms))
		pr_debug("Task %d: vDSO of %llu bytes, %d functions\n", pid,
			 (unsigned long long)(v->end - v->start), syms.n);
	e.start = v->start;
	e.text.data = buf;
	e.text.len = v->end - v->start;
	img = img_open(dfd, IMG_VZCR_VDSO, O_WRONLY, img_pid);
	if (!img)
		return -errno;
	err = img_write(img, &e);
	if (err) {
		img_abort(img);
		return err;
	}
	return img_close(img);
}
