// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkcpt's ttys (note section 6.4): a TTY section with a Unix98 pty pair
 * (index 3; the slave with its termios, window size, session, exclusive
 * mode and unread input, the master with unread output), the files
 * /dev/ptmx, /dev/pts/3, /dev/console and /dev/tty on fds 20..23, and the
 * broken variants of the --list-xlate cases tty_*.
 */
#include <string.h>

#include "mkcpt.h"

void filedesc(uint32_t fd, uint32_t cloexec, size_t file);

static int on(void)
{
	return opt.pty || opt.tty_bits || opt.tty_index || opt.tty_priv || opt.tty_nopeer ||
	       opt.tty_bsd;
}

/* A BITS child with the bytes of @s, its cpt_size @size. */
static void bits(const char *s, uint32_t size)
{
	size_t o = obj_begin(4103, 24, 2), n = strlen(s);

	p32(o + 16, size);
	memcpy(d + grow((n + 7) & ~(size_t)7), s, n);
	end(o);
}

static size_t tty_obj(const struct gen *g, uint32_t subtype, uint32_t index)
{
	/* VINTR VQUIT VERASE VKILL VEOF VTIME VMIN VSWTC VSTART VSTOP VSUSP VEOL ... */
	static const uint8_t cc[17] = { 3, 034, 010, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017,
					027, 026, 0 };
	size_t o = obj_begin(7, g->tty_len, 1);

	p32(o + 24, index);
	p32(o + 28, index);
	p32(o + 32, 4);
	p32(o + 36, subtype);
	memcpy(d + o + 88, subtype == 1 ? "ptm3" : "pts3", 4);
	if (subtype == 1)
		return o;
	p64(o + 16, 1ULL << 3);		/* TTY_EXCLUSIVE */
	p32(o + 76, 42);
	p32(o + 80, 42);
	p16(o + 152, 33);
	p16(o + 154, 101);
	p16(o + 156, 5);
	p16(o + 158, 7);
	memcpy(d + o + 160, cc, sizeof(cc));
	p32(o + 192, 0x500);		/* ICRNL IXON */
	p32(o + 196, 0x5);		/* OPOST ONLCR */
	p32(o + 200, 0xbd);		/* B9600 CS8 CREAD */
	p32(o + 204, 0x8a3b);		/* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */
	return o;
}

void write_ttys(const struct gen *g, struct refs *rf)
{
	size_t s;

	if (!on())
		return;
	s = sect_begin(8);
	rf->tty[0] = tty_obj(g, 1, opt.tty_index ? 0xffffffff : 3);
	bits("hello\r\n", 7);		/* output the master did not read */
	end(rf->tty[0]);
	if (!opt.tty_nopeer) {
		rf->tty[1] = tty_obj(g, 2, 3);
		bits("ls -l\nwho\npart", opt.tty_bits ? 100000 : 14);
		end(rf->tty[1]);
	}
	end(s);
}

static size_t tty_file(const char *name, uint32_t i_mode, uint32_t lflags, uint64_t priv)
{
	size_t o = obj_begin(4, 96, 1);

	p32(o + 16, 02 | 0400);		/* O_RDWR O_NOCTTY */
	p32(o + 20, 3);
	p32(o + 40, i_mode);
	p32(o + 44, lflags);
	p64(o + 48, NUL64);
	p64(o + 56, priv);
	p64(o + 88, NUL64);
	name_obj(name);
	end(o);
	return o;
}

void write_tty_files(struct refs *rf)
{
	if (!on())
		return;
	rf->ttyf[0] = tty_file("/dev/ptmx", 0020666, 0x4, opt.tty_priv ? rf->ns : rf->tty[0]);
	if (!opt.tty_nopeer)
		rf->ttyf[1] = tty_file(opt.tty_bsd ? "/dev/ttyp3" : "/dev/pts/3", 0020620, 0,
				       rf->tty[1]);
	rf->ttyf[2] = tty_file("/dev/console", 0020600, 0, NUL64);
	rf->ttyf[3] = tty_file("/dev/tty", 0020666, 0, NUL64);
}

void write_tty_fds(struct refs *rf)
{
	if (!on())
		return;
	for (int i = 0; i < 4; i++)
		if (i != 1 || !opt.tty_nopeer)
			filedesc(20 + i, 0, rf->ttyf[i]);
}
