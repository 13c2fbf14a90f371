// SPDX-License-Identifier: GPL-2.0-only
/*
 * Edits of this kernel's vDSO image for the vDSO proxy's tests: see
 * vdso-edit.h. The image is trusted (a vDSO this kernel made).
 */
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdso-edit.h"

#define SLOT	32	/* bytes each moved function gets: room for any jump */
#define MAX_FNS	64

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

static const char *sym_name(uint8_t *img, const Elf64_Sym *s)
{
	Elf64_Shdr *dyn = section(img, SHT_DYNSYM);
	Elf64_Shdr *str = (Elf64_Shdr *)(img + ((Elf64_Ehdr *)img)->e_shoff) + dyn->sh_link;

	return (const char *)img + str->sh_offset + s->st_name;
}

/*
 * Each distinct entry point (of the __vdso_* names only with @names_only)
 * gets a SLOT of int3 of its own past the contents; aliases follow it.
 */
static int shift(uint8_t *img, size_t len, bool names_only)
{
	Elf64_Shdr *dyn = section(img, SHT_DYNSYM);
	Elf64_Sym *sym = (Elf64_Sym *)(img + dyn->sh_offset);
	size_t n = dyn->sh_size / sizeof(*sym);
	uint64_t bias = dyn->sh_addr - dyn->sh_offset, next = contents_end(img);
	uint64_t was[MAX_FNS], now[MAX_FNS];
	int nr = 0;

	poison(img);
	for (size_t i = 1; i < n; i++) {
		int k;

		if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC ||
		    (names_only && strncmp(sym_name(img, &sym[i]), "__vdso_", 7)))
			continue;
		for (k = 0; k < nr && was[k] != sym[i].st_value; k++)
			;
		if (k == nr) {
			if (nr == MAX_FNS || next + SLOT > len)
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
	Elf64_Sym *sym = (Elf64_Sym *)(img + dyn->sh_offset);

	for (size_t i = 1; i < dyn->sh_size / sizeof(*sym); i++)
		if (!strcmp(sym_name(img, &sym[i]), name))
			return &sym[i];
	return NULL;
}

/* One edit: @how with up to two arguments @a, @b (NULL if absent). */
static int edit_one(uint8_t *img, size_t len, const char *how, const char *a, const char *b)
{
	Elf64_Sym *s;

	if (!strcmp(how, "poison")) {
		poison(img);
		return 0;
	}
	if (!strcmp(how, "shift") || !strcmp(how, "shift-names"))
		return shift(img, len, how[5] == '-');
	if (!a || !b || !(s = find(img, a)))
		return -1;
	if (!strcmp(how, "size")) {
		s->st_size = strtoull(b, NULL, 0);
		return 0;
	}
	if (strcmp(how, "rename") || strlen(a) != strlen(b))
		return -1;
	memcpy((char *)sym_name(img, s), b, strlen(b));
	return 0;
}

int vdso_edit(uint8_t *img, size_t len, const char *spec)
{
	char *copy = strdup(spec), *save = NULL, *item;
	int r = copy ? 0 : -1;

	if (!section(img, SHT_DYNSYM))
		r = -1;
	for (item = strtok_r(copy, ",", &save); !r && item; item = strtok_r(NULL, ",", &save)) {
		char *how = strtok(item, ":"), *a = strtok(NULL, ":"), *b = strtok(NULL, ":");

		r = edit_one(img, len, how, a, b);
		if (r)
			fprintf(stderr, "vdso-edit: cannot %s\n", how);
	}
	free(copy);
	return r;
}
