// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkcpt: writes synthetic OpenVZ checkpoint files from the layout of
 * ../shared/notes/ovz-cpt-format.md (sections 2-4, 10 and the recipe of 14):
 * a valid small dump per kernel generation (three tasks: init, and a
 * two-thread sshd) and each malformed case of the note's checklist, made by
 * breaking one field of the valid RHEL6 dump.
 *
 *   mkcpt --list          one line per case: NAME, a tab, words its error must hold
 *   mkcpt --list-xlate    dumps the reader takes and ovz2img refuses: NAME, whether
 *                         --force translates it, the words of the refusal
 *   mkcpt NAME FILE       write one case
 *   mkcpt --all DIR       write every case as DIR/NAME.cpt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkcpt.h"

uint8_t *d;
size_t len;
static size_t cap;

static const struct gen gens[] = {
	{ "rhel6", 0x803, 992, 136, 160, 456, "2.6.32-042stab120.11", 1048, 168, 720 },
	{ "rhel5", 0x304, 976, 128, 72, 448, "2.6.18-028stab101.1", 912, 120, 720 },
	/* a future kernel: every record longer than the reader knows */
	{ "rhel6-grown", 0x803, 1024, 160, 192, 480, "2.6.32-042stab999.1", 1104, 200, 744 },
};

/* Offsets of the records the malformed cases break. */
static struct {
	size_t tasks_sect, mm_sect, task1, mm1, mm2, sighand, trail_sect, tail;
} at;
static uint64_t sect_pos[27];
static int nest;	/* extra ARRAY levels inside the NAMESPACE object */

size_t grow(size_t n)
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

void p16(size_t off, uint16_t v) { memcpy(d + off, &v, 2); }
void p32(size_t off, uint32_t v) { memcpy(d + off, &v, 4); }
void p64(size_t off, uint64_t v) { memcpy(d + off, &v, 8); }

size_t sect_begin(uint32_t code)
{
	size_t pos = grow(16);

	p32(pos + 8, code);
	p16(pos + 12, 16);
	if (code < 27)
		sect_pos[code] = pos;
	return pos;
}

void end(size_t pos) { p64(pos, len - pos); }

size_t obj_begin(uint32_t type, uint16_t hdrlen, uint16_t content)
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

void name_obj(const char *s)
{
	size_t pos = obj_begin(4102, 16, 3);
	size_t n = strlen(s) + 1, off = grow((n + 7) & ~(size_t)7);

	memcpy(d + off, s, n);
	end(pos);
}

/* DATA payload: @n bytes of @c, padded to 8. */
void fill_data(int c, size_t n)
{
	size_t off = grow((n + 7) & ~(size_t)7);

	memset(d + off, c, n);
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

struct mkopt opt;

static void siginfo_obj(const struct gen *g, uint32_t signo, uint32_t pid)
{
	size_t o = obj_begin(1027, g->task_len >= 984 ? 184 : 72, 0);

	p32(o + 20, signo);
	p32(o + 28, 0);		/* SI_USER */
	p32(o + 40, pid);
	if (g->task_len >= 984) {
		p32(o + 72, pid);	/* the raw union: si_pid, si_uid */
		p32(o + 76, 0);
	}
}

static void write_regs(uint64_t rip, uint64_t rax, uint64_t orig)
{
	size_t r = obj_begin(opt.i386 ? 4096 : 4097, opt.i386 ? 120 : 280, 0), b;

	if (opt.i386)
		return;
	p64(r + 80, 0x7f0000001000);		/* fs base */
	p64(r + 112 + 8 * 10, rax);
	p64(r + 112 + 8 * 15, orig);
	p64(r + 112 + 8 * 16, rip);
	p64(r + 112 + 8 * 17, 7);		/* CPT_SEG USER64_CS */
	p64(r + 112 + 8 * 18, 0x246);
	p64(r + 112 + 8 * 19, 0x601ff0);
	p64(r + 112 + 8 * 20, 6);		/* USER64_DS */
	b = obj_begin(4103, 24, 6);		/* fxsave */
	p32(b + 16, 512);
	grow(512);
	p16(b + 24, 0x37f);
	p32(b + 24 + 24, 0x1fa0);
	p32(b + 24 + 28, 0xffff);
	memset(d + b + 24 + 160, 0x11, 16);	/* xmm0 */
	end(b);
}

static void write_task(const struct gen *g, const struct task_spec *t, struct refs *rf, size_t i)
{
	size_t pos = obj_begin(0, g->task_len, 1), s;

	rf->task_at[i] = pos;
	if (t->pid == 1)
		at.task1 = pos;
	p64(pos + 16, 2);
	p64(pos + 56, NUL64);
	p64(pos + 80, NUL64);
	p64(pos + 96, rf->mms[t->mm]);
	p64(pos + 104, rf->files);
	p64(pos + 112, rf->fs);
	p64(pos + 128, rf->sighand);
	p64(pos + 136, t->pid == 42 ? 1ULL << 9 : 0);	/* SIGUSR1 blocked */
	p64(pos + 152, t->pid == 42 ? 1ULL << 9 : 0);	/* and pending */
	p64(pos + 160, rf->ns);
	p64(pos + 168, NUL64);
	p32(pos + 176, t->pid);
	p32(pos + 180, opt.orphan && t->pid == 43 ? 44 : t->tgid);
	p32(pos + 184, t->ppid);
	p32(pos + 188, t->ppid);
	p32(pos + 192, t->tgid);
	p32(pos + 196, t->tgid == 42 ? 42 : 1);
	p32(pos + 208, t->leader);
	d[pos + 215] = !opt.i386 || t->pid != 1;
	for (int k = 0; k < 8; k++)	/* uid, euid, suid, fsuid, gid, ... */
		p32(pos + 248 + 4 * k, t->pid == 1 ? 0 : 74);
	p32(pos + 44, 120);
	strncpy((char *)d + pos + 440, t->comm, 16);
	if (t->pid == 1) {
		p64(pos + 520, 3000000000ULL);	/* ITIMER_REAL: 3 s left */
		p64(pos + 528, 1000000000ULL);	/* every second */
	}
	for (int k = 944; k < 976; k += 8)
		p64(pos + k, NUL64);
	if (g->task_len >= 984)	/* cpt_posix_timers */
		p64(pos + 976, t->pid == 1 ? rf->timers : NUL64);
	if (g->task_len >= 992)
		p64(pos + 984, 0x1ffffffffULL);	/* bounding set */
	for (size_t k = 992; k < g->task_len; k++)
		d[pos + k] = 0xa5;	/* what a newer kernel appended: skipped */
	/*
	 * init and thread 43 sleep in nanosleep; init's restart block says 2.5 s
	 * are left, to be written at 0x601800 (RHEL6 and 2.6.18 argument orders);
	 * thread 43 has no restart block
	 */
	if (t->pid == 1) {
		p64(pos + 480, 1);
		p64(pos + (g->version >= 0x800 ? 488 : 512), 1);	/* CLOCK_MONOTONIC */
		p64(pos + (g->version >= 0x800 ? 496 : 504), 0x601800);
		p64(pos + (g->version >= 0x800 ? 512 : 488), 2500000000ULL);
	}
	if (t->pid == 42 && g->version >= 0x800) {	/* sshd in poll: 2 fds, 1.5 s left */
		p64(pos + 480, 3);
		p64(pos + 488, 0x601000);
		p64(pos + 496, (1ULL << 32) | 2);
		p64(pos + 504, 1500000000ULL);
	}
	write_regs(0x400102, (uint64_t)-516, t->pid == 42 ? 7 : 35);
	if (t->pid == 42)
		siginfo_obj(g, 10, 7);		/* private SIGUSR1 from pid 7 */
	if (t->signal_owner) {
		s = obj_begin(6, g->signal_len, 1);
		rf->sig_at[t->tgid == 1 ? 0 : 1] = s;
		for (int k = 0; k < 16; k++) {
			p64(s + 192 + 8 * k, k == 7 ? 1024 : NUL64);
			p64(s + 320 + 8 * k, k == 7 ? 4096 : NUL64);
		}
		p64(s + 56, NUL64);
		if (t->tgid == 1) {
			p64(s + 48, 1ULL << 14);	/* SIGTERM pending, shared */
			siginfo_obj(g, 15, 1);
		}
		end(s);
	}
	end(pos);
}

static void write_file(struct refs *rf, int k, const char *name, uint32_t i_mode, uint32_t flags,
		       uint64_t fpos)
{
	size_t o = obj_begin(4, 96, 1);

	rf->file[k] = o;
	p32(o + 16, flags);
	p32(o + 20, (flags & 3) == 0 ? 1 : 2);
	p64(o + 24, fpos);
	p32(o + 40, i_mode);
	p64(o + 48, k == F_FIFO ? rf->fifo_inode : (i_mode & 0170000) == 0010000 ? rf->inode :
		    k == F_SHM ? rf->shm_inode : k == F_GONE ? rf->gone_inode :
		    k == F_MOVED ? rf->moved_inode : NUL64);
	p32(o + 44, k >= F_SHM && k != F_FIFO);	/* CPT_DENTRY_DELETED */
	p64(o + 56, NUL64);
	p64(o + 88, NUL64);
	name_obj(name);
	end(o);
}


static void write_files(struct refs *rf)
{
	size_t s = sect_begin(12), b, o;

	rf->inode = obj_begin(12, 120, 1);
	p64(rf->inode + 24, 777);
	p32(rf->inode + 32, 0010600);
	b = obj_begin(4103, 24, 2);
	p32(b + 16, 6);
	o = grow(8);
	memcpy(d + o, "queued", 6);
	end(b);
	end(rf->inode);
	/* shared anonymous memory: its second page written, at object offsets */
	rf->shm_inode = obj_begin(12, 120, 1);
	p64(rf->shm_inode + 24, 888);
	p32(rf->shm_inode + 32, 0100666);
	b = obj_begin(4098, 32, 2);
	p64(b + 16, 4096);
	p64(b + 24, 8192);
	fill_data('S', 4096);
	end(b);
	end(rf->shm_inode);
	/* an unlinked file of 4100 bytes: two pages of data, the last one past its end */
	rf->gone_inode = obj_begin(12, 120, 1);
	p64(rf->gone_inode + 24, 999);
	p32(rf->gone_inode + 32, 0100600);
	p32(rf->gone_inode + 40, 74);
	p64(rf->gone_inode + 56, 4100);
	p64(rf->gone_inode + 80, (uint64_t)1600000000 << 32);
	for (int k = 0; k < 2; k++) {
		b = obj_begin(4098, 32, 2);
		p64(b + 16, 4096 * k);
		p64(b + 24, 4096 * (k + 1));
		fill_data(k ? 'H' : 'G', 4096);
		end(b);
	}
	end(rf->gone_inode);
	/* deleted, but linked elsewhere still: the INODE names where */
	rf->moved_inode = obj_begin(12, 120, 1);
	p64(rf->moved_inode + 24, 1000);
	p32(rf->moved_inode + 32, 0100644);
	p32(rf->moved_inode + 36, 1);
	name_obj("/tmp/new");
	end(rf->moved_inode);
	rf->fifo_inode = obj_begin(12, 120, 1);	/* a named FIFO with 5 bytes in it */
	p64(rf->fifo_inode + 24, 1111);
	p32(rf->fifo_inode + 32, 0010600);
	b = obj_begin(4103, 24, 2);
	p32(b + 16, 5);
	o = grow(8);
	memcpy(d + o, "fifo!", 5);
	end(b);
	end(rf->fifo_inode);
	o = obj_begin(12, 120, 1);	/* a SysV shm segment of 10000 bytes */
	p64(o + 24, 1212);
	p32(o + 32, 0100600);
	b = obj_begin(11, 128, 0);
	ipc_perm(b, 0x5a5a, 0600, 1);
	p32(b + 72, 1);
	p64(b + 80, 10000);
	end(b);
	b = obj_begin(4098, 32, 2);
	p64(b + 16, 4096);
	p64(b + 24, 8192);
	fill_data('M', 4096);
	end(b);
	end(o);
	end(s);
	s = sect_begin(2);
	write_file(rf, F_SH, "/bin/sh", 0100755, 0, 0);
	write_file(rf, F_HOSTNAME, "/etc/hostname", 0100644, 0, 3);
	write_file(rf, F_PIPE_R, "pipe:[777]", 0010600, 0, 0);
	write_file(rf, F_PIPE_W, "pipe:[777]", 0010600, 01 | 04000, 0);
	write_file(rf, F_TTY, "/dev/tty1", 0020620, 02, 0);
	write_file(rf, F_SHM, "/dev/zero (deleted)", 0100666, 02, 0);
	write_file(rf, F_GONE, "/tmp/gone (deleted)", 0100600, 02, 5);
	write_file(rf, F_MOVED, " (deleted)/tmp/old", 0100644, 0, 0);
	write_file(rf, F_LOST, "/tmp/lost (deleted)", 0100644, 0, 0);
	write_file(rf, F_FIFO, "/tmp/fifo", 0010600, 02 | 04000, 0);
	for (int k = F_USK0; k <= F_TCP; k++) {	/* sockets: cpt_priv is the socket index */
		write_file(rf, k, "socket:[4242]", 0140777, 02, 0);
		p64(rf->file[k] + 56, opt.sk_priv && k == F_USK0 ? 99 : (uint64_t)(k - F_USK0));
	}
	write_tty_files(rf);
	end(s);
}

void filedesc(uint32_t fd, uint32_t cloexec, size_t file)
{
	size_t o = obj_begin(1025, 40, 0);

	p32(o + 16, fd);
	p32(o + 20, cloexec);
	p64(o + 24, file);
}

static void write_fds_fs(struct refs *rf)
{
	size_t s = sect_begin(5), o;

	rf->files = obj_begin(3, 32, 1);
	filedesc(0, 0, rf->file[F_HOSTNAME]);
	filedesc(3, 1, rf->file[F_PIPE_R]);
	filedesc(4, 0, rf->file[F_PIPE_W]);
	filedesc(7, 0, rf->file[F_HOSTNAME]);	/* a dup: the same description */
	if (opt.tty)
		filedesc(5, 0, rf->file[F_TTY]);
	filedesc(9, 0, rf->file[F_GONE]);
	filedesc(10, 0, rf->file[F_MOVED]);
	filedesc(12, 0, rf->file[F_FIFO]);
	for (int k = F_USK0; k <= F_USK3; k++)
		filedesc(13 + k - F_USK0, 0, rf->file[k]);
	filedesc(17, 0, rf->file[F_TCP]);
	write_tty_fds(rf);
	if (opt.lost)
		filedesc(11, 0, rf->file[F_LOST]);
	end(rf->files);
	end(s);
	s = sect_begin(6);
	rf->fs = obj_begin(2, 24, 1);
	p32(rf->fs + 16, 022);
	for (int i = 0; i < 2; i++) {
		o = obj_begin(4, 96, 1);
		p32(o + 40, 0040755);
		p64(o + 48, NUL64);
		p64(o + 56, NUL64);
		name_obj(i ? "/tmp" : "/");
		end(o);
	}
	end(rf->fs);
	end(s);
}

static void write_sighand_timers(const struct gen *g, struct refs *rf)
{
	size_t s = sect_begin(7), h, t;

	rf->sighand = at.sighand = obj_begin(5, 24, 1);
	h = obj_begin(1026, 56, 0);		/* SIGUSR1: a handler */
	p32(h + 16, opt.signo ? UINT32_MAX : 9);	/* the fuzzer's find: all-ones */
	p64(h + 24, 0x400200);
	p64(h + 32, 0x400300);
	p64(h + 40, 0x04000004);		/* SA_RESTORER | SA_SIGINFO */
	p64(h + 48, 1);				/* SIGHUP masked */
	h = obj_begin(1026, 56, 0);		/* SIGINT: ignored */
	p32(h + 16, 1);
	p64(h + 24, 1);
	end(at.sighand);
	end(s);
	rf->timers = NUL64;
	if (g->task_len < 984)
		return;	/* 2.6.18: no POSIX timers in the format */
	s = sect_begin(33);
	rf->timers = obj_begin(20, 16, 1);
	t = obj_begin(4123, 88, 0);
	p32(t + 16, 3);				/* id */
	p32(t + 20, 1);				/* CLOCK_MONOTONIC */
	p32(t + 24, 2);				/* overrun */
	p32(t + 32, 1);				/* its signal is pending */
	p64(t + 40, (uint64_t)2 << 32);		/* every 2 s */
	p64(t + 48, ((uint64_t)5 << 32) + 250);	/* 5 s 250 ns left */
	p64(t + 56, 0x99);
	p32(t + 64, 40);
	end(rf->timers);
	end(s);
}

/* Page blocks of one VMA: MM 0 'A','B'; MM 1 'C' and a COPYPAGES of MM 0's 'B'. */
static void write_vmas(const struct gen *g, struct refs *rf, int i)
{
	size_t o, b;

	o = obj_begin(1024, 80, 1);		/* the exe */
	p64(o + 16, opt.noexe && i == opt.late_exe ? NUL64 : rf->file[F_SH]);
	p64(o + 40, 0x400000);
	p64(o + 48, 0x401000);
	p64(o + 56, 0x1 | 0x4 | 0x1000);
	end(o);
	o = obj_begin(1024, 80, 1);		/* data */
	p32(o + 24, opt.shm && i == 1 ? 1 : 0);
	p64(o + 16, opt.shm && i == 1 ? rf->file[F_HOSTNAME] : NUL64);
	p64(o + 40, 0x600000);
	p64(o + 48, 0x602000);
	p64(o + 56, 0x3);
	b = obj_begin(4098, 32, 2);
	p64(b + 16, 0x600000);
	p64(b + 24, i ? 0x601000 : 0x602000);
	fill_data(i ? 'C' : 'A', 4096);
	if (!i)
		fill_data('B', 4096);
	if (opt.pages_len && i)
		grow(8);	/* more data than the range holds */
	end(b);
	if (i) {
		b = obj_begin(4099, 40, 0);
		p64(b + 16, 0x601000);
		p64(b + 24, 0x602000);
		p64(b + 32, rf->mms[0]);
	}
	end(o);
	o = obj_begin(1024, 80, 1);		/* shared anonymous memory, both MMs */
	p64(o + 16, rf->file[F_SHM]);
	p64(o + 40, 0x700000);
	p64(o + 48, 0x702000);
	p64(o + 56, 0x3 | 0x8);
	end(o);
	for (int k = 0; k < 2 && !opt.oldvdso; k++) {	/* vvar, vvar_vclock: as cptlive writes */
		o = obj_begin(1024, 80, 1);
		p64(o + 16, NUL64);
		p32(o + 24, 2);
		p64(o + 40, k ? 0x7ffee000 : 0x7ffea000);
		p64(o + 48, k ? 0x7fff0000 : 0x7ffee000);
		p64(o + 56, 0x1);
		end(o);
	}
	o = obj_begin(1024, 80, 1);		/* the vDSO */
	p64(o + 16, NUL64);
	p32(o + 24, opt.rhel5vdso ? 0 : 2);	/* 2.6.18: type 0, no file, no pages */
	p64(o + 40, 0x7fff0000);
	p64(o + 48, 0x7fff2000);
	p64(o + 56, 0x1 | 0x4);
	end(o);
	if (g->mm_len >= 136) {
		o = obj_begin(1051, 16, 2);	/* auxv: AT_PAGESZ */
		p64(grow(16), 6);
		p64(o + 24, 4096);
		end(o);
	}
}

static void write_mms(const struct gen *g, struct refs *rf)
{
	at.mm_sect = sect_begin(4);
	for (int i = 0; i < 2; i++) {
		size_t o = rf->mms[i] = obj_begin(1, g->mm_len, 1);

		p64(o + 16, 0x400000);
		p64(o + 24, 0x401000);
		p64(o + 48, 0x600000);		/* the data VMA is the heap */
		p64(o + 56, 0x602000);
		write_vmas(g, rf, i);
		end(o);
	}
	at.mm1 = rf->mms[0];
	at.mm2 = rf->mms[1];
	end(at.mm_sect);
}

/* Sections the engine cannot restore, one object each, when asked. */
static void write_refused(void)
{
	size_t s;

	if (opt.sysv) {
		s = sect_begin(11);
		end(obj_begin(9, 16, 1));
		end(s);
	}
}

static void build(const struct gen *g)
{
	struct refs rf;
	size_t s, o;

	len = 0;
	memset(&rf, 0, sizeof(rf));
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
	rf.ns = obj_begin(10, 24, 1);
	{
		size_t lv[16];

		for (int i = 0; i < nest; i++)
			lv[i] = obj_begin(1033, 24, 1);	/* VFSMOUNT */
		for (int i = nest - 1; i >= 0; i--)
			end(lv[i]);
	}
	if (!nest)
		write_mounts(g);
	end(rf.ns);
	end(s);
	write_ttys(g, &rf);
	write_files(&rf);
	write_socks(g, &rf);
	write_refused();
	write_fds_fs(&rf);
	write_net(g);
	write_sighand_timers(g, &rf);
	write_sysv();
	write_mms(g, &rf);
	at.tasks_sect = sect_begin(3);
	for (size_t i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++)
		write_task(g, &tasks[i], &rf, i);
	for (size_t i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++)	/* forward refs */
		p64(rf.task_at[i] + 120, rf.sig_at[tasks[i].tgid == 1 ? 0 : 1]);
	end(at.tasks_sect);
	s = sect_begin(22);
	name_obj("ct101.example.org");
	name_obj("(none)");
	name_obj(g->release);
	end(s);
	at.trail_sect = sect_begin(23);
	at.tail = obj_begin(1034, 248, 0);
	p32(at.tail + 20, opt.i386 ? 2 : 3);
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

/* Dumps the reader takes and the translation refuses (or --force skips). */
struct xcase {
	const char *name;
	const char *words;	/* what the refusal must say */
	int *flag;
	int force_ok;		/* --force translates it, listing what it left out */
};

static const struct xcase xcases[] = {
	{ "i386", "32-bit (i386)", &opt.i386, 0 },
	{ "socket", "an AF_INET TCP socket in state FIN_WAIT1 (SOCKET index 4", &opt.socket, 1 },
	{ "ipc_msgsize", "SYSVMSG_MSG at offset", &opt.ipc_msgsize, 0 },
	{ "sk_seq", "cpt_rcv_nxt 1005 and cpt_copied_seq 990 disagree", &opt.sk_seq, 0 },
	{ "sk_embryo", "an AF_UNIX stream socket no file holds", &opt.sk_embryo, 1 },
	{ "sk_addrlen", "field cpt_laddrlen 200 is over 110", &opt.sk_addrlen, 0 },
	{ "sk_skb", "fields cpt_hspace 4096 + cpt_len", &opt.sk_skb, 0 },
	{ "sk_priv", "field cpt_priv 0x63 names no socket", &opt.sk_priv, 0 },
	{ "netdev", "the network device 'tun0' (NET_DEVICE at offset", &opt.netdev, 1 },
	{ "net_route", "NET_ROUTE at offset", &opt.net_route, 0 },
	{ "sysv", "SysV semaphore undo lists (SYSVSEM_UNDO section)", &opt.sysv, 1 },
	{ "tty", "a tty other than a pty, /dev/tty or /dev/console '/dev/tty1'", &opt.tty, 1 },
	{ "tty_bits", "tty data BITS at offset", &opt.tty_bits, 0 },
	{ "tty_index", "field cpt_index 4294967295 is over", &opt.tty_index, 0 },
	{ "tty_priv", "cpt_priv", &opt.tty_priv, 0 },
	{ "tty_nopeer", "a pty whose other end is not in the TTY section '/dev/ptmx'", &opt.tty_nopeer, 1 },
	{ "tty_bsd", "a legacy BSD pty '/dev/ttyp3'", &opt.tty_bsd, 1 },
	{ "shm", "SysV shared memory mapping", &opt.shm, 1 },
	{ "mounts", "the nfs mount at '/mnt/nfs'", &opt.mounts, 1 },
	{ "mnt_noroot", "the first mount is '/proc', not the root", &opt.mnt_noroot, 0 },
	{ "pages_len", "bytes of data for", &opt.pages_len, 0 },
	{ "noexe", "no file mapping holds its code", &opt.noexe, 0 },
	{ "oldvdso", "the old kernel's vDSO of process 1", &opt.oldvdso, 1 },
	{ "lost", "a deleted file '/tmp/lost'", &opt.lost, 1 },
	{ "orphan", "whose leader is not in the dump", &opt.orphan, 0 },
	{ "signo", "field cpt_signo 4294967295 is past the 64 signals", &opt.signo, 0 },
	{ "rhel5vdso", "the old kernel's vDSO of process 1", &opt.rhel5vdso, 1 },
};

static int write_case(const char *name, const char *path)
{
	FILE *f;

	for (size_t i = 0; i < N(gens); i++)
		if (!strcmp(name, gens[i].name)) {
			build(&gens[i]);
			goto out;
		}
	for (size_t i = 0; i < N(gens); i++)
		if (!strncmp(name, "pty-", 4) && !strcmp(name + 4, gens[i].name)) {
			opt.pty = 1;
			build(&gens[i]);
			opt.pty = 0;
			goto out;
		}
	for (size_t i = 0; i < N(bads); i++)
		if (!strcmp(name, bads[i].name)) {
			build(&gens[0]);
			bads[i].fn();
			goto out;
		}
	for (size_t i = 0; i < N(xcases); i++)
		if (!strcmp(name, xcases[i].name)) {
			*xcases[i].flag = 1;
			opt.late_exe = 1;
			opt.oldvdso |= opt.rhel5vdso;	/* a 2.6.18 dump: the vDSO alone */
			build(&gens[opt.rhel5vdso ? 1 : 0]);
			opt.oldvdso = 0;
			*xcases[i].flag = 0;
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
		for (size_t i = 0; i < N(gens); i++)
			printf("pty-%s\t\n", gens[i].name);
		for (size_t i = 0; i < N(bads); i++)
			printf("%s\t%s\n", bads[i].name, bads[i].words);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--list-xlate")) {
		for (size_t i = 0; i < N(xcases); i++)
			printf("%s\t%d\t%s\n", xcases[i].name, xcases[i].force_ok, xcases[i].words);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--all")) {
		for (size_t i = 0; i < N(gens) + N(bads) + N(xcases) && !r; i++) {
			const char *n = i < N(gens) ? gens[i].name :
					i < N(gens) + N(bads) ? bads[i - N(gens)].name :
					xcases[i - N(gens) - N(bads)].name;

			snprintf(path, sizeof(path), "%s/%s.cpt", argv[2], n);
			r = write_case(n, path);
		}
		return r;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: mkcpt --list | --list-xlate | NAME FILE | --all DIR\n");
		return 2;
	}
	return write_case(argv[1], argv[2]);
}
