// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine/vdso.c and arch_vdso_jump(): this kernel's vDSO parses into the
 * functions readelf would list; every malformed image is refused with
 * -EINVAL, never read out of bounds; patching jumps to the right addresses
 * and refuses a missing function or a short entry.
 */
#define LOG_PREFIX "test-vdso: "
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "engine/vdso.h"
#include "log.h"
#include "tap.h"

static const uint8_t *self;
static size_t self_len;

static Elf64_Shdr *dynsym(uint8_t *img)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);

	for (int i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_DYNSYM)
			return &sh[i];
	return NULL;
}

/* A copy of this kernel's vDSO for a test to break. */
static uint8_t *copy(void)
{
	uint8_t *c = malloc(self_len);

	memcpy(c, self, self_len);
	return c;
}

static void test_self(void)
{
	struct vdso_syms s;
	static const char *names[] = { "__vdso_clock_gettime", "__vdso_gettimeofday",
				       "__vdso_time", "__vdso_getcpu", "__vdso_clock_getres",
				       "clock_gettime", "gettimeofday", "time", "getcpu" };

	is_int(vdso_parse(self, self_len, "self", &s), 0, "this kernel's vDSO parses");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok(vdso_find(&s, names[i]) && vdso_find(&s, names[i])->size >= 5,
		   "%s is there", names[i]);
	ok(vdso_find(&s, "time")->off == vdso_find(&s, "__vdso_time")->off,
	   "an alias has its function's offset");
	ok(!vdso_find(&s, "LINUX_2.6"), "the version symbol is no function");
}

/* Each breakage of a fresh copy must be refused. */
static void test_malformed(void)
{
	struct vdso_syms s;
	uint8_t *c;
	Elf64_Shdr *d;

	is_int(vdso_parse(self, 40, "short", &s), -EINVAL, "a truncated header");
	c = copy();
	c[EI_CLASS] = ELFCLASS32;
	is_int(vdso_parse(c, self_len, "class", &s), -EINVAL, "a 32-bit image");
	free(c), c = copy();
	((Elf64_Ehdr *)c)->e_shoff = self_len - 64;
	is_int(vdso_parse(c, self_len, "shoff", &s), -EINVAL, "section headers past the end");
	free(c), c = copy();
	((Elf64_Ehdr *)c)->e_shoff = ~0ULL - 10;
	is_int(vdso_parse(c, self_len, "shoff", &s), -EINVAL, "section headers wrapping around");
	free(c), c = copy();
	dynsym(c)->sh_size = self_len;
	is_int(vdso_parse(c, self_len, "dynsym", &s), -EINVAL, ".dynsym past the end");
	free(c), c = copy();
	dynsym(c)->sh_link = 999;
	is_int(vdso_parse(c, self_len, "link", &s), -EINVAL, "a string table that does not exist");
	free(c), c = copy();
	d = dynsym(c);
	((Elf64_Sym *)(c + d->sh_offset))[1].st_name = 1U << 30;
	is_int(vdso_parse(c, self_len, "name", &s), -EINVAL, "a name out of the string table");
	free(c), c = copy();
	d = dynsym(c);
	((Elf64_Sym *)(c + d->sh_offset))[1].st_value = 1ULL << 40;
	is_int(vdso_parse(c, self_len, "value", &s), -EINVAL, "a function out of the image");
	free(c), c = copy();
	d = dynsym(c);
	((Elf64_Sym *)(c + d->sh_offset))[1].st_size = self_len;
	is_int(vdso_parse(c, self_len, "size", &s), -EINVAL, "a function longer than the image");
	free(c);
}

static void test_jump(void)
{
	uint8_t b[16];
	uint64_t to;
	int32_t rel;

	is_int(arch_vdso_jump(b, 16, 0x1000, 0x2000), 5, "near: jmp rel32");
	memcpy(&rel, b + 1, 4);
	ok(b[0] == 0xe9 && rel == 0x2000 - 0x1005, "rel32 counts from the end of the jump");
	is_int(arch_vdso_jump(b, 16, 0x1000, 0x7f0000000000ULL), 14, "far: jmp *0(%%rip)");
	memcpy(&to, b + 6, 8);
	ok(b[0] == 0xff && b[1] == 0x25 && !b[2] && !b[5] && to == 0x7f0000000000ULL,
	   "the absolute address follows the jump");
	is_int(arch_vdso_jump(b, 13, 0x1000, 0x7f0000000000ULL), -ENOSPC, "13 bytes: too short");
	is_int(arch_vdso_jump(b, 4, 0x1000, 0x2000), -ENOSPC, "4 bytes: too short");
}

static void test_patch(void)
{
	struct vdso_syms old, cur;
	uint8_t *c = copy();
	const struct vdso_sym *t;
	uint64_t to;
	int n;

	vdso_parse(self, self_len, "self", &cur);
	vdso_parse(c, self_len, "old", &old);
	n = vdso_patch(c, self_len, &old, 0x10000000, &cur, 0x7f0000000000ULL, 1);
	ok(n >= 5, "%d distinct entry points patched", n);
	t = vdso_find(&old, "__vdso_time");
	memcpy(&to, c + t->off + 6, 8);
	ok(c[t->off] == 0xff && to == 0x7f0000000000ULL + vdso_find(&cur, "time")->off,
	   "__vdso_time jumps to this kernel's __vdso_time");
	old.s[0].size = 4;
	memcpy(c, self, self_len);
	is_int(vdso_patch(c, self_len, &old, 0x10000000, &cur, 0x7f0000000000ULL, 1),
	       -EOPNOTSUPP, "an entry of 4 bytes is refused");
	vdso_parse(self, self_len, "old", &old);
	strcpy(cur.s[0].name, "gone");
	is_int(vdso_patch(c, self_len, &old, 0x10000000, &cur, 0x7f0000000000ULL, 1),
	       -EOPNOTSUPP, "a function this kernel lacks is refused");
	free(c);
}

int main(void)
{
	if (vdso_self(&self, &self_len))
		skip_all("this kernel maps no vDSO (vdso=0)");
	test_self();
	test_malformed();
	test_jump();
	test_patch();
	return done_testing();
}
