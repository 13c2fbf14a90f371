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
 * Not installed; trusts its input (vzcr's own dump of this kernel's vDSO).
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "vzcr-vdso.pb-c.h"

#define SLOT	32

static Elf64_Shdr *section(uint8_t *img, uint32_t type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);

	for (int i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == type)
			return &sh[i];
	return NULL;
}

static void poison(uint8_t *img)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);

	for (int i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_flags & SHF_EXECINSTR)
			memset(img + sh[i].sh_offset, 0xcc, sh[i].sh_size);
}

/* Past every section and the section headers, rounded up to a slot. */
static uint64_t contents_end(uint8_t *img)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
	uint64_t end = eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize;

	for (int i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type != SHT_NOBITS && sh[i].sh_offset + sh[i].sh_size > end)
			end = sh[i].sh_offset + sh[i].sh_size;
	return (end + SLOT - 1) / SLOT * SLOT;
}

/* Each distinct entry point gets a SLOT of int3 of its own; aliases follow. */
static int shift(uint8_t *img, size_t len)
{
	Elf64_Shdr *dyn = section(img, SHT_DYNSYM);
	Elf64_Sym *sym = (Elf64_Sym *)(img + dyn->sh_offset);
	size_t n = dyn->sh_size / sizeof(*sym);
	uint64_t bias = dyn->sh_addr - dyn->sh_offset, next = contents_end(img), was[64];
	uint64_t now[64];
	int nr = 0;

	poison(img);
	for (size_t i = 1; i < n; i++) {
		int k;

		if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC)
			continue;
		for (k = 0; k < nr && was[k] != sym[i].st_value; k++)
			;
		if (k == nr) {
			if (nr == 64 || next + SLOT > len)
				return -1;
			was[nr] = sym[i].st_value;
			now[nr++] = next + bias;
			memset(img + next, 0xcc, SLOT);
			next += SLOT;
		}
		sym[i].st_value = now[k];
		sym[i].st_size = SLOT;
	}
	return 0;
}

static Elf64_Sym *find(uint8_t *img, const char *name)
{
	Elf64_Shdr *dyn = section(img, SHT_DYNSYM);
	Elf64_Shdr *str = (Elf64_Shdr *)(img + ((Elf64_Ehdr *)img)->e_shoff) + dyn->sh_link;
	Elf64_Sym *sym = (Elf64_Sym *)(img + dyn->sh_offset);

	for (size_t i = 1; i < dyn->sh_size / sizeof(*sym); i++)
		if (!strcmp((char *)img + str->sh_offset + sym[i].st_name, name))
			return &sym[i];
	return NULL;
}

static int edit(uint8_t *img, size_t len, char **argv)
{
	Elf64_Shdr *str;
	Elf64_Sym *s;

	if (!strcmp(argv[3], "poison")) {
		poison(img);
		return 0;
	}
	if (!strcmp(argv[3], "shift"))
		return shift(img, len);
	if (!argv[4] || !argv[5] || !(s = find(img, argv[4])))
		return -1;
	if (!strcmp(argv[3], "size")) {
		s->st_size = strtoull(argv[5], NULL, 0);
		return 0;
	}
	if (strcmp(argv[3], "rename") || strlen(argv[4]) != strlen(argv[5]))
		return -1;
	str = (Elf64_Shdr *)(img + ((Elf64_Ehdr *)img)->e_shoff) +
	      section(img, SHT_DYNSYM)->sh_link;
	memcpy(img + str->sh_offset + s->st_name, argv[5], strlen(argv[5]));
	return 0;
}

int main(int argc, char **argv)
{
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
	if (edit(e->text.data, e->text.len, argv)) {
		fprintf(stderr, "vdso-img: cannot %s\n", argv[3]);
		return 1;
	}
	img = img_open(dfd, IMG_VZCR_VDSO, O_WRONLY, atoi(argv[2]));
	if (!img || img_write(img, e) || img_close(img))
		return 1;
	return 0;
}
