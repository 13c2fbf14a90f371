// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkcpt: writes synthetic OpenVZ checkpoint files from the layout of
 * ../shared/notes/ovz-cpt-format.md (sections 2-4, 10 and the recipe of 14):
 * a valid small dump per kernel generation (three tasks: init, and a
 * two-thread sshd) and each malformed case of the note's checklist, made by
 * breaking one field of the valid RHEL6 dump.
 *
 *   mkcpt --list          one line per case: NAME, a tab, words its error must hold
 *   mkcpt NAME FILE       write one case
 *   mkcpt --all DIR       write every case as DIR/NAME.cpt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUL64 UINT64_MAX

static uint8_t *d;
static size_t len, cap;

struct gen {
	const char *name;
	uint16_t version;
	uint16_t task_len, mm_len, veinfo_len, signal_len;
	const char *release;
};

static const struct gen gens[] = {
	{ "rhel6", 0x803, 992, 136, 160, 456, "2.6.32-042stab120.11" },
	{ "rhel5", 0x304, 976, 128, 72, 448, "2.6.18-028stab101.1" },
	/* a future kernel: every record longer than the reader knows */
	{ "rhel6-grown", 0x803, 1024, 160, 192, 480, "2.6.32-042stab999.1" },
};

/* Offsets of the records the malformed cases break. */
static struct {
	size_t tasks_sect, mm_sect, task1, mm1, mm2, sighand, trail_sect, tail;
} at;
static uint64_t sect_pos[27];
static int nest;	/* extra ARRAY levels inside the NAMESPACE object */

static size_t grow(size_t n)
{
	size_t off = len;

	if (len + n > cap) {
		cap = (len + n) * 2;
		d = realloc(d, cap);
		if (!d)
			exit(1);
	}
	memset(d + len, 0, n);
	len += n;
	return off;
}

static void p16(size_t off, uint16_t v) { memcpy(d + off, &v, 2); }
static void p32(size_t off, uint32_t v) { memcpy(d + off, &v, 4); }
static void p64(size_t off, uint64_t v) { memcpy(d + off, &v, 8); }

static size_t sect_begin(uint32_t code)
{
	size_t pos = grow(16);

	p32(pos + 8, code);
	p16(pos + 12, 16);
	if (code < 27)
		sect_pos[code] = pos;
	return pos;
}

static void end(size_t pos) { p64(pos, len - pos); }

static size_t obj_begin(uint32_t type, uint16_t hdrlen, uint16_t content)
{
	size_t pos = grow(hdrlen);

	p64(pos, hdrlen);
	p32(pos + 8, type);
	p16(pos + 12, hdrlen);
	p16(pos + 14, content);
	/* bytes a newer kernel appended: this reader must skip them */
	for (size_t i = 992; i < hdrlen && type == 0; i++)
		d[pos + i] = 0xa5;
	return pos;
}

static void name_obj(const char *s)
{
	size_t pos = obj_begin(4102, 16, 3);
	size_t n = strlen(s) + 1;

	memcpy(d + grow((n + 7) & ~(size_t)7), s, n);
	end(pos);
}

struct task_spec {
	uint32_t pid, tgid, ppid, leader;
	const char *comm;
	int mm;			/* index into mms */
	int signal_owner;	/* the last thread of its group holds SIGNAL_STRUCT */
};

static const struct task_spec tasks[] = {
	{ 1, 1, 0, 1, "init", 0, 1 },
	{ 42, 42, 1, 42, "sshd", 1, 0 },
	{ 43, 42, 1, 42, "sshd", 1, 1 },
};

static void write_task(const struct gen *g, const struct task_spec *t, size_t *mms,
		       size_t *sig_at, size_t ns, size_t fs, size_t files, size_t sighand)
{
	size_t pos = obj_begin(0, g->task_len, 1), r;

	if (t->pid == 1)
		at.task1 = pos;
	p64(pos + 16, 2);
	p64(pos + 56, NUL64);
	p64(pos + 80, NUL64);
	p64(pos + 96, mms[t->mm]);
	p64(pos + 104, files);
	p64(pos + 112, fs);
	p64(pos + 120, sig_at[t->tgid == 1 ? 0 : 1]);
	p64(pos + 128, sighand);
	p64(pos + 160, ns);
	p64(pos + 168, NUL64);
	p32(pos + 176, t->pid);
	p32(pos + 180, t->tgid);
	p32(pos + 184, t->ppid);
	p32(pos + 188, t->ppid);
	p32(pos + 192, t->tgid);
	p32(pos + 196, t->tgid);
	p32(pos + 208, t->leader);
	d[pos + 215] = 1;
	p32(pos + 248, t->pid == 1 ? 0 : 74);
	strncpy((char *)d + pos + 440, t->comm, 16);
	for (int i = 944; i < 976; i += 8)
		p64(pos + i, NUL64);
	if (g->task_len >= 984)
		p64(pos + 976, NUL64);	/* cpt_posix_timers */
	r = obj_begin(4097, 280, 0);	/* registers: cs 0x33, ss 0x2b */
	p64(r + 16 + 8 * 17, 0x33);
	p64(r + 16 + 8 * 20, 0x2b);
	if (t->signal_owner) {
		size_t s = obj_begin(6, g->signal_len, 1);

		end(s);
	}
	end(pos);
}

/* Where each thread group's SIGNAL_STRUCT lands: computed before writing. */
static void signal_positions(const struct gen *g, size_t base, size_t *sig_at)
{
	size_t pos = base;
	int grp = 0;

	for (size_t i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++) {
		pos += g->task_len + 280;
		if (tasks[i].signal_owner) {
			sig_at[grp++] = pos;
			pos += g->signal_len;
		}
	}
}

static void build(const struct gen *g)
{
	size_t s, o, ns, fs, files, mms[2], sig_at[2];

	len = 0;
	memset(sect_pos, 0xff, sizeof(sect_pos));
	o = grow(80);
	memcpy(d, "\x79\x1c\x01\x63", 4);
	p16(o + 4, 80);
	p16(o + 6, g->version);
	p16(o + 8, 1);
	p16(o + 20, 4096);
	p16(o + 22, 1000);
	p32(o + 32, 1700000000);

	s = sect_begin(1);
	end(obj_begin(1042, g->veinfo_len, 0));
	end(s);
	s = sect_begin(10);
	ns = obj_begin(10, 24, 1);
	{
		size_t lv[16];

		for (int i = 0; i < nest; i++)
			lv[i] = obj_begin(1033, 24, 1);	/* VFSMOUNT */
		for (int i = nest - 1; i >= 0; i--)
			end(lv[i]);
	}
	end(ns);
	end(s);
	s = sect_begin(6);
	fs = obj_begin(2, 24, 1);
	end(fs);
	end(s);
	s = sect_begin(5);
	files = obj_begin(3, 32, 1);
	end(files);
	end(s);
	s = sect_begin(7);
	at.sighand = obj_begin(5, 24, 1);
	end(at.sighand);
	end(s);
	at.mm_sect = sect_begin(4);
	for (int i = 0; i < 2; i++) {
		mms[i] = obj_begin(1, g->mm_len, 1);
		o = obj_begin(1024, 80, 1);	/* one VMA, no pages */
		p64(o + 32, 0x400000);
		p64(o + 40, 0x401000);
		end(o);
		end(mms[i]);
	}
	at.mm1 = mms[0];
	at.mm2 = mms[1];
	end(at.mm_sect);
	at.tasks_sect = sect_begin(3);
	signal_positions(g, len, sig_at);
	for (size_t i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++)
		write_task(g, &tasks[i], mms, sig_at, ns, fs, files, at.sighand);
	end(at.tasks_sect);
	s = sect_begin(22);
	name_obj("ct101.example.org");
	name_obj("(none)");
	name_obj(g->release);
	end(s);
	at.trail_sect = sect_begin(23);
	at.tail = obj_begin(1034, 248, 0);
	p32(at.tail + 20, 3);
	for (int i = 0; i < 27; i++)
		p64(at.tail + 24 + 8 * i, sect_pos[i]);
	p32(at.tail + 240, 27);
	memcpy(d + at.tail + 244, "\x79\x1c\x01\x63", 4);
	end(at.trail_sect);
}

struct bad {
	const char *name;
	const char *words;	/* what the error message must say */
	void (*fn)(void);
};

#define BAD(n, body) static void bad_##n(void) { body; }
BAD(magic, d[0] = 0x7f)
BAD(version, p16(6, 0x900))
BAD(oldversion, p16(6, 0x101))
BAD(arch, p16(8, 9))
BAD(hdrlen, p16(4, 3))
BAD(trunc_hdr, len = 40)
BAD(size8, grow(4))
BAD(trunc, len -= 8)
BAD(nsect, p32(at.tail + 240, 28))
BAD(sect_eof, p64(at.tasks_sect, (uint64_t)1 << 40))
BAD(sect_zero, p64(at.tasks_sect, 0))
BAD(sect_hdrlen, p16(at.tasks_sect + 12, 8))
BAD(sect_code, p32(at.tasks_sect + 8, 99))
BAD(obj_self, p64(at.task1, 0))
BAD(obj_back, p64(at.task1, (uint64_t)-16))
BAD(obj_hdrlen_next, p64(at.task1, 512))
BAD(obj_hdrlen_small, p16(at.task1 + 12, 8))
BAD(obj_past_sect, p64(at.mm2, len))
BAD(obj_type, p32(at.task1 + 8, 777))
BAD(ref_range, p64(at.task1 + 96, len + 4096))
BAD(ref_null_ish, p64(at.task1 + 96, 0))
BAD(ref_inside, p64(at.task1 + 96, at.mm1 + 8))
BAD(ref_type, p64(at.task1 + 96, at.sighand))
BAD(ngids, p32(at.task1 + 280, 0xffffffff))
BAD(pid0, p32(at.task1 + 176, 0))
BAD(tail_table, p64(at.tail + 24 + 8 * 3, 8))
BAD(tail_table_huge, p64(at.tail + 24 + 8 * 4, (uint64_t)1 << 62))
BAD(ref_self, p64(at.task1 + 96, at.task1))
BAD(deep, nest = 12; build(&gens[0]); nest = 0)
BAD(no_trailer_sect, p32(at.trail_sect + 8, 22))

#define B(n, w) { #n, w, bad_##n }
static const struct bad bads[] = {
	B(magic, "bad magic"),
	B(version, "unknown image version"),
	B(oldversion, "is not supported"),
	B(arch, "unknown architecture"),
	B(hdrlen, "cpt_hdrlen"),
	B(trunc_hdr, "shorter than"),
	B(size8, "multiple of 8"),
	B(trunc, "trailer"),
	B(nsect, "cpt_nsect"),
	B(sect_eof, "past the end of the file"),
	B(sect_zero, "cpt_hdrlen"),
	B(sect_hdrlen, "cpt_hdrlen"),
	B(sect_code, "unknown section code"),
	B(obj_self, "onto itself"),
	B(obj_back, "past the end of its container"),
	B(obj_hdrlen_next, "smaller than cpt_hdrlen"),
	B(obj_hdrlen_small, "smaller than the 16-byte"),
	B(obj_past_sect, "past the end of its container"),
	B(obj_type, "unknown object type"),
	B(ref_range, "points past the end"),
	B(ref_null_ish, "does not point at the start"),
	B(ref_inside, "does not point at the start"),
	B(ref_type, "points at a SIGHAND_STRUCT"),
	B(ngids, "cpt_ngids"),
	B(pid0, "cpt_pid"),
	B(tail_table, "cpt_sections[3]"),
	B(tail_table_huge, "cpt_sections[4]"),
	B(ref_self, "points at a TASK"),
	B(deep, "nested deeper than"),
	B(no_trailer_sect, "not a TRAILER"),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int write_case(const char *name, const char *path)
{
	FILE *f;

	for (size_t i = 0; i < N(gens); i++)
		if (!strcmp(name, gens[i].name)) {
			build(&gens[i]);
			goto out;
		}
	for (size_t i = 0; i < N(bads); i++)
		if (!strcmp(name, bads[i].name)) {
			build(&gens[0]);
			bads[i].fn();
			goto out;
		}
	fprintf(stderr, "mkcpt: unknown case '%s' (see --list)\n", name);
	return 2;
out:
	f = fopen(path, "w");
	if (!f || fwrite(d, 1, len, f) != len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096];
	int r = 0;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < N(gens); i++)
			printf("%s\t\n", gens[i].name);
		for (size_t i = 0; i < N(bads); i++)
			printf("%s\t%s\n", bads[i].name, bads[i].words);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--all")) {
		for (size_t i = 0; i < N(gens) + N(bads) && !r; i++) {
			const char *n = i < N(gens) ? gens[i].name : bads[i - N(gens)].name;

			snprintf(path, sizeof(path), "%s/%s.cpt", argv[2], n);
			r = write_case(n, path);
		}
		return r;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: mkcpt --list | mkcpt NAME FILE | mkcpt --all DIR\n");
		return 2;
	}
	return write_case(argv[1], argv[2]);
}
