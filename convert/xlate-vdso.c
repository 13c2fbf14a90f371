// SPDX-License-Identifier: GPL-2.0-only
/*
 * The old kernel's vDSO. The process holds pointers into it (glibc resolves
 * them once, at start), at that kernel's offsets. vzcr restore's vDSO proxy
 * (engine/README) puts the old vDSO's bytes back at the dumped address and
 * makes each of its functions jump to this kernel's: it needs the [vdso]
 * VMA as dumped (r-x, private, anonymous) and vzcr-vdso-PID.img with the
 * old kernel's vDSO ELF, zero-padded to the VMA's size. The ELF comes from
 * the dump's VSYSCALL section when that holds one (an x86_64 ELF header at
 * its start), else from --vdso FILE (the old host's vdso.so, stripped here
 * if it holds more than the mapping); without either
 * the vDSO is refused, or with --force laid out as this host has it (data
 * pages below it, no image: the process runs until its first vDSO call).
 * A dump with this kernel's [vvar] areas (tests' cptlive) and no ELF needs
 * nothing: restore moves this kernel's areas there. The old fixed vsyscall
 * page belongs to no mm; this kernel provides one at the same address.
 */
#define LOG_PREFIX "ovz2img: "

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "vzcr-vdso.pb-c.h"
#include "xlate.h"

#define VMA_AREA_REGULAR	(1U << 0)
#define VMA_AREA_VDSO		(1U << 3)
#define VMA_AREA_VVAR		(1U << 12)
#define VMA_AREA_VVAR_VCLOCK	(1U << 20)

#define SECT_VSYSCALL		28
#define CPT_OBJ_VSYSCALL	4107
#define VDSO_MAX		(1U << 20)	/* far above any kernel's vDSO */

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

/* Does @b (@len bytes) start with a 64-bit little-endian x86_64 ELF header? */
static bool x86_64_elf(const uint8_t *b, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;

	return len >= sizeof(*eh) && !memcmp(eh->e_ident, ELFMAG, SELFMAG) &&
	       eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_ident[EI_DATA] == ELFDATA2LSB &&
	       eh->e_machine == EM_X86_64;
}

/*
 * The payloads of the VSYSCALL section's objects, in order (page-block
 * records: start, end, then end - start bytes) into x->vdso. No section
 * (2.6.18 dumps have none) leaves it empty.
 */
static int read_vsyscall(struct xlate *x, const struct cpt_section *s)
{
	uint64_t pos = s->pos + s->hdrlen, end = s->pos + s->len;

	while (pos < end) {
		struct cpt_obj_hdr h;
		uint8_t rec[32];
		uint64_t len;
		uint8_t *n;
		int r;

		r = cpt_read_obj(x->f, pos, end, CPT_OBJ_VSYSCALL, "VSYSCALL", rec, sizeof(rec), &h);
		if (r < 0)
			return r;
		len = h.next - h.hdrlen;
		if (get64(rec, 24) - get64(rec, 16) != len || x->vdso_len + len > VDSO_MAX)
			return log_err(-EPROTO, "VSYSCALL at offset %#" PRIx64 ": %" PRIu64 " bytes of data for %#" PRIx64 "-%#" PRIx64 " (or more than %u in all)",
				       pos, len, get64(rec, 16), get64(rec, 24), VDSO_MAX);
		n = realloc(x->vdso, x->vdso_len + len + 1);
		if (!n)
			return -ENOMEM;
		x->vdso = n;
		r = cpt_pread(x->f, pos + h.hdrlen, n + x->vdso_len, len, "VSYSCALL");
		if (r < 0)
			return r;
		x->vdso_len += len;
		pos += h.next;
	}
	return 0;
}

/* The --vdso file into x->vdso: an x86_64 ELF of at most VDSO_MAX bytes. */
static int read_vdso_file(struct xlate *x)
{
	int fd = open(x->vdso_file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return log_perr(-errno, "Failed to open the vDSO file '%s'", x->vdso_file);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > VDSO_MAX) {
		close(fd);
		return log_err(-EINVAL, "Failed to read the vDSO file '%s': not a regular file of at most %u bytes",
			       x->vdso_file, VDSO_MAX);
	}
	free(x->vdso);
	x->vdso = malloc((size_t)st.st_size + 1);
	n = x->vdso ? read(fd, x->vdso, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size)
		return log_perr(n < 0 ? -errno : -EIO, "Failed to read the vDSO file '%s'", x->vdso_file);
	x->vdso_len = (size_t)n;
	if (!x86_64_elf(x->vdso, x->vdso_len))
		return log_err(-EINVAL, "Failed to use the vDSO file '%s': not a 64-bit x86_64 ELF", x->vdso_file);
	return 0;
}

/*
 * The old kernel's vDSO ELF, looked for once per dump: 1 with x->vdso set,
 * 0 when the dump has none and no --vdso was given (x->vdso_why says what
 * there was), or -errno.
 */
static int old_vdso(struct xlate *x)
{
	const struct cpt_section *s = xl_section(x, SECT_VSYSCALL);
	int r;

	if (x->vdso_state)
		return x->vdso_state < 0 ? x->vdso_state : x->vdso_state == 1;
	x->vdso_why = "the dump has no VSYSCALL section";
	r = s ? read_vsyscall(x, s) : 0;
	if (!r && x86_64_elf(x->vdso, x->vdso_len)) {
		pr_debug("The old kernel's vDSO: %zu bytes of the VSYSCALL section\n", x->vdso_len);
		x->vdso_state = 1;
		return 1;
	}
	if (s)
		x->vdso_why = "its VSYSCALL section holds no x86_64 ELF (the legacy vsyscall page?)";
	x->vdso_len = 0;
	if (!r && x->vdso_file)
		r = read_vdso_file(x);
	x->vdso_state = r < 0 ? r : x->vdso_file ? 1 : 2;
	return r < 0 ? r : x->vdso_state == 1;
}

/* The end of the PT_LOAD segments of the ELF @b (@len bytes), or 0. */
static uint64_t loaded_end(const uint8_t *b, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;
	uint64_t end = 0;

	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return 0;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(b + eh->e_phoff) + i;

		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > end)
			end = ph->p_offset + ph->p_filesz;
	}
	return end <= len ? end : 0;
}

/*
 * An unstripped vdso.so (what the kernel's vdso_install puts in
 * /lib/modules) into @out of @size bytes the way the kernel's build strips
 * it: the loaded bytes, the section name table and the headers of the
 * allocated sections (which must come first, as ld lays them out). 0, or
 * -EOPNOTSUPP naming what does not fit.
 */
static int strip_into(struct xlate *x, uint8_t *out, uint64_t size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)x->vdso;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(x->vdso + eh->e_shoff);
	uint64_t load = loaded_end(x->vdso, x->vdso_len), k = 1, at;
	Elf64_Ehdr *oh = (Elf64_Ehdr *)out;
	Elf64_Shdr *osh, str;

	if (!load || load > size || eh->e_shentsize != sizeof(*sh) || eh->e_shoff > x->vdso_len ||
	    (uint64_t)eh->e_shnum * sizeof(*sh) > x->vdso_len - eh->e_shoff ||
	    eh->e_shstrndx >= eh->e_shnum)
		return log_err(-EOPNOTSUPP, "Failed to strip the vDSO file '%s' to %" PRIu64 " bytes: its program or section headers are out of the file or its segments larger",
			       x->vdso_file, size);
	while (k < eh->e_shnum && (sh[k].sh_flags & SHF_ALLOC))
		k++;
	str = sh[eh->e_shstrndx];
	at = (load + str.sh_size + 7) & ~7ULL;
	if (str.sh_offset > x->vdso_len || str.sh_size > x->vdso_len - str.sh_offset ||
	    at + (k + 1) * sizeof(*sh) > size)
		return log_err(-EOPNOTSUPP, "Failed to strip the vDSO file '%s': %" PRIu64 " loaded bytes, %" PRIu64 " section headers and the name table do not fit in %" PRIu64 " bytes",
			       x->vdso_file, load, k + 1, size);
	memcpy(out, x->vdso, load);
	memcpy(out + load, x->vdso + str.sh_offset, str.sh_size);
	osh = (Elf64_Shdr *)(out + at);
	memcpy(osh, sh, k * sizeof(*sh));
	str.sh_offset = load;
	osh[k] = str;
	oh->e_shoff = at;
	oh->e_shnum = (uint16_t)(k + 1);
	oh->e_shstrndx = (uint16_t)k;
	pr_info("Stripped the vDSO file '%s' (%zu bytes) to %" PRIu64 " bytes and %" PRIu64 " sections\n",
		x->vdso_file, x->vdso_len, at + (k + 1) * sizeof(*sh), k + 1);
	return 0;
}

/* vzcr-vdso-PID.img: the old ELF at the VMA's start, zero-padded to its size. */
static int write_vdso(struct xlate *x, uint32_t pid, VmaEntry *v)
{
	VzcrVdsoEntry e = VZCR_VDSO_ENTRY__INIT;
	uint64_t size = v->end - v->start;
	int r;

	if (x->vdso_len > size && !x->vdso_file)
		return log_err(-EOPNOTSUPP, "Failed to translate the vDSO of process %u: the VSYSCALL section holds %zu bytes, more than its [vdso] VMA %#" PRIx64 "-%#" PRIx64,
			       pid, x->vdso_len, v->start, v->end);
	e.start = v->start;
	e.text.len = size;
	e.text.data = calloc(1, size);
	if (!e.text.data)
		return -ENOMEM;
	r = 0;
	if (x->vdso_len > size)
		r = strip_into(x, e.text.data, size);
	else
		memcpy(e.text.data, x->vdso, x->vdso_len);
	if (!r)
		r = img_write_single(x->dfd, IMG_VZCR_VDSO, pid, &e);
	free(e.text.data);
	/* what the proxy maps back: the old code, read-execute, anonymous */
	v->prot = PROT_READ | PROT_EXEC;
	v->flags = MAP_PRIVATE | MAP_ANONYMOUS;
	v->status = VMA_AREA_REGULAR | VMA_AREA_VDSO;
	return r;
}

int xl_vdso_fixup(struct xlate *x, uint32_t pid, VmaEntry *vmas, VmaEntry **vp, size_t *n,
		  size_t max)
{
	VmaEntry *vdso = find(vp, *n, VMA_AREA_VDSO);
	int r;

	if (!vdso)
		return 0;
	r = old_vdso(x);
	if (r)
		return r < 0 ? r : write_vdso(x, pid, vdso);
	if (find(vp, *n, VMA_AREA_VVAR))
		return 0;	/* the layout of a kernel like this one */
	r = xl_unsupported(x, "the old kernel's vDSO of process %u at %#" PRIx64 ": %s and no --vdso FILE was given",
			   pid, vdso->start, x->vdso_why);
	return r ?: add_data_areas(pid, vmas, vp, n, max, vdso);
}
