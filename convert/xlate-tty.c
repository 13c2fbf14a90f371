// SPDX-License-Identifier: GPL-2.0-only
/*
 * Terminals (note section 6.4): the files of a Unix98 pty pair (/dev/ptmx,
 * /dev/pts/N), /dev/tty and /dev/console become TTY file entries; each pair
 * met gets the engine's two tty-info entries (master id 2N+1, slave 2N+2,
 * both with the pair's state: the slave record's termios, window size,
 * session and foreground group, the master's lock and packet mode) and its
 * queued bytes go to tty-data.img (the master's read buffer as output, the
 * slave's as input). Other ttys (virtual consoles, serial lines, legacy BSD
 * ptys) have no faithful translation and are refused by name.
 */
#define LOG_PREFIX "ovz2img: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "fdinfo.pb-c.h"
#include "log.h"
#include "tty.pb-c.h"
#include "xlate.h"

#define CPT_OBJ_TTY	7
#define TTY_REC_LEN	720
#define TTY_NCC		19		/* control chars of the engine's (the kernel's) termios */
#define DRV_PTY		4
#define PTY_MASTER	1
#define PTY_SLAVE	2
#define TTY_EXCLUSIVE	(1ULL << 3)	/* tty->flags bits of 2.6.18/2.6.32 */
#define TTY_PTY_LOCK	(1ULL << 16)
#define MAX_TTY_DATA	(64U << 10)	/* far above an n_tty buffer (4 KiB) */
#define MAX_PTY_INDEX	(1U << 20)
#define INFO_CONSOLE	0xfffffff0U	/* engine/tty.h */
#define INFO_CTTY	0xfffffff2U

struct tty_rec {
	uint64_t pos;
	struct cpt_obj_hdr h;
	uint8_t rec[TTY_REC_LEN];
};

static uint32_t info_id(uint32_t index, bool master)
{
	return index * 2 + (master ? 1 : 2);
}

static int open_imgs(struct xlate *x)
{
	if (!x->tty_img)
		x->tty_img = img_open(x->dfd, IMG_TTY_INFO, O_WRONLY, 0);
	if (x->tty_img && !x->tty_data_img)
		x->tty_data_img = img_open(x->dfd, IMG_TTY_DATA, O_WRONLY, 0);
	return x->tty_data_img ? 0 : -errno;
}

/* The baud rate a c_cflag names (CBAUD, CBAUDEX); 0 for B0 or unknown. */
static uint32_t cflag_speed(uint32_t cflag)
{
	static const uint32_t low[] = { 0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800,
					2400, 4800, 9600, 19200, 38400 };
	static const uint32_t high[] = { 0, 57600, 115200, 230400, 460800, 500000, 576000,
					 921600, 1000000, 1152000, 1500000, 2000000, 2500000,
					 3000000, 3500000, 4000000 };
	uint32_t b = cflag & CBAUD;

	return b & CBAUDEX ? high[b & 017] : low[b & 017];
}

static TermiosEntry *termios_of(const uint8_t *rec, uint32_t *cc)
{
	TermiosEntry *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	termios_entry__init(t);
	t->c_iflag = get32(rec, 192);
	t->c_oflag = get32(rec, 196);
	t->c_cflag = get32(rec, 200);
	t->c_lflag = get32(rec, 204);
	t->c_line = get32(rec, 84);
	t->c_ispeed = t->c_ospeed = cflag_speed(t->c_cflag);
	for (int i = 0; i < TTY_NCC; i++)
		cc[i] = rec[160 + i];
	t->n_c_cc = TTY_NCC;
	t->c_cc = cc;
	return t;
}

/* The TTY record at @pos (referenced from field @field of the record at @from). */
static int read_tty(struct xlate *x, uint64_t pos, uint64_t from, const char *field,
		    struct tty_rec *t)
{
	int r = cpt_resolve(x->f, pos, CPT_OBJ_TTY, from, field);

	if (r <= 0)
		return r ?: log_err(-EPROTO, "FILE at offset %#" PRIx64 ": field %s is null for a pty",
				    from, field);
	t->pos = pos;
	r = cpt_read_obj(x->f, pos, x->f->size, CPT_OBJ_TTY, "TTY", t->rec, sizeof(t->rec), &t->h);
	if (!r && get32(t->rec, 28) >= MAX_PTY_INDEX)
		r = log_err(-EPROTO, "TTY at offset %#" PRIx64 ": field cpt_index %u is over %u",
			    pos, get32(t->rec, 28), MAX_PTY_INDEX);
	return r;
}

/* The other end of the pair of @t in the TTY section; 0 if it has none there. */
static int find_peer(struct xlate *x, const struct tty_rec *t, struct tty_rec *peer)
{
	const struct cpt_section *s = xl_section(x, 8);
	uint32_t sub = get32(t->rec, 36) == PTY_MASTER ? PTY_SLAVE : PTY_MASTER;
	uint64_t p, end;

	if (!s)
		return 0;
	end = s->pos + s->len;
	for (p = s->pos + s->hdrlen; p < end; p += peer->h.next) {
		int r = cpt_read_obj(x->f, p, end, CPT_OBJ_TTY, "TTY", peer->rec, sizeof(peer->rec),
				     &peer->h);

		if (r < 0)
			return r;
		peer->pos = p;
		if (get32(peer->rec, 32) == DRV_PTY && get32(peer->rec, 36) == sub &&
		    get32(peer->rec, 28) == get32(t->rec, 28))
			return 1;
	}
	return 0;
}

/*
 * The BITS child of @t (its read buffer) as tty-data entry @id. Canonical
 * input keeps its complete lines only: the engine cannot queue a line not
 * ended yet (its own dump cannot see one either).
 */
static int put_data(struct xlate *x, const struct tty_rec *t, uint32_t id, const TermiosEntry *canon)
{
	TtyDataEntry de = TTY_DATA_ENTRY__INIT;
	uint64_t p = t->pos + t->h.hdrlen, end = t->pos + t->h.next;
	struct cpt_obj_hdr h;
	uint8_t bits[24], *buf;
	uint32_t size;
	int r;

	if (p >= end)
		return 0;
	r = cpt_read_obj(x->f, p, end, CPT_OBJ_BITS, "tty data BITS", bits, sizeof(bits), &h);
	size = r ? 0 : get32(bits, 16);
	if (!r && (size > h.next - h.hdrlen || size > MAX_TTY_DATA))
		r = log_err(-EPROTO, "tty data BITS at offset %#" PRIx64 ": field cpt_size %u is past the record or over %u",
			    p, size, MAX_TTY_DATA);
	if (r || !size)
		return r;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	r = cpt_pread(x->f, p + h.hdrlen, buf, size, "tty data");
	while (!r && canon && size && buf[size - 1] != '\n' &&
	       (!canon->c_cc[VEOL] || buf[size - 1] != canon->c_cc[VEOL]) &&
	       (!canon->c_cc[VEOL2] || buf[size - 1] != canon->c_cc[VEOL2]))
		size--;
	if (!r && canon && size < get32(bits, 16))
		pr_warn("pty %u: %u bytes of a line not ended yet left out",
			get32(t->rec, 28), get32(bits, 16) - size);
	de.tty_id = id;
	de.data.data = buf;
	de.data.len = size;
	if (!r && size)
		r = img_write(x->tty_data_img, &de);
	free(buf);
	return r;
}

/* Both tty-info entries of the pair @m (master) + @s (slave), and its queued bytes. */
static int write_pair(struct xlate *x, const struct tty_rec *m, const struct tty_rec *s)
{
	TtyInfoEntry ti = TTY_INFO_ENTRY__INIT;
	TtyPtyEntry pty = TTY_PTY_ENTRY__INIT;
	WinsizeEntry ws = WINSIZE_ENTRY__INIT;
	uint32_t cc[TTY_NCC], index = get32(m->rec, 28);
	TermiosEntry *t = termios_of(s->rec, cc);
	int r;

	if (!t)
		return -ENOMEM;
	ti.type = TTY_TYPE__PTY;
	ti.locked = !!(get64(m->rec, 16) & TTY_PTY_LOCK);
	ti.exclusive = !!(get64(s->rec, 16) & TTY_EXCLUSIVE);
	ti.packet_mode = m->rec[44];
	ti.sid = get32(s->rec, 80);
	ti.pgrp = ti.sid ? get32(s->rec, 76) : 0;
	ti.termios = t;
	ws.ws_row = get16(s->rec, 152);
	ws.ws_col = get16(s->rec, 154);
	ws.ws_xpixel = get16(s->rec, 156);
	ws.ws_ypixel = get16(s->rec, 158);
	ti.winsize = &ws;
	pty.index = index;
	ti.pty = &pty;
	ti.id = info_id(index, true);
	ti.rdev = makedev(5, 2);
	r = img_write(x->tty_img, &ti);
	ti.id = info_id(index, false);
	ti.rdev = makedev(136 + index / 256, index % 256);
	r = r ?: img_write(x->tty_img, &ti);
	r = r ?: put_data(x, m, info_id(index, false), NULL);
	r = r ?: put_data(x, s, info_id(index, true), (t->c_lflag & ICANON) ? t : NULL);
	free(t);
	return r;
}

/* tty-info entry of /dev/console or /dev/tty, once: their state is the host's or the session's */
static int write_special(struct xlate *x, uint32_t id)
{
	TtyInfoEntry ti = TTY_INFO_ENTRY__INIT;
	bool *done = id == INFO_CTTY ? &x->tty_ctty_done : &x->tty_console_done;
	int r;

	if (*done)
		return 0;
	ti.id = id;
	ti.type = id == INFO_CTTY ? TTY_TYPE__CTTY : TTY_TYPE__CONSOLE;
	ti.rdev = id == INFO_CTTY ? makedev(5, 0) : makedev(5, 1);
	r = img_write(x->tty_img, &ti);
	*done = !r;
	return r;
}

bool xl_is_tty(const uint8_t *rec, const char *name)
{
	if (!S_ISCHR(get32(rec, 40)))
		return false;
	return get64(rec, 56) != CPT_NULL || (get32(rec, 44) & 0x4) ||
	       !strncmp(name, "/dev/tty", 8) || !strncmp(name, "/dev/pts/", 9) ||
	       !strcmp(name, "/dev/console") || !strcmp(name, "/dev/ptmx") ||
	       !strncmp(name, "/dev/pty", 8);
}

/*
 * The tty FILE at @pos: its tty-info id in *ret_id and 0; 1 with what it is
 * in *why when it has no faithful translation; or -errno. The pair's
 * records go to @m (master) and @s (slave).
 */
static int classify(struct xlate *x, uint64_t pos, const uint8_t *rec, const char *name,
		    uint32_t *ret_id, const char **why, struct tty_rec *m, struct tty_rec *s)
{
	bool master;
	int r;

	if (!strcmp(name, "/dev/console") || !strcmp(name, "/dev/tty")) {
		*ret_id = name[5] == 'c' ? INFO_CONSOLE : INFO_CTTY;
		return 0;
	}
	*why = "a tty other than a pty, /dev/tty or /dev/console";
	if (get64(rec, 56) == CPT_NULL)
		return 1;
	r = read_tty(x, get64(rec, 56), pos, "cpt_priv", m);
	if (r < 0 || get32(m->rec, 32) != DRV_PTY)
		return r < 0 ? r : 1;
	master = get32(m->rec, 36) == PTY_MASTER;
	*why = "a legacy BSD pty";
	if (master ? strcmp(name, "/dev/ptmx") && !(get32(rec, 44) & 0x4) :
		     strncmp(name, "/dev/pts/", 9) || get32(m->rec, 36) != PTY_SLAVE)
		return 1;
	r = find_peer(x, m, s);
	*why = "a pty whose other end is not in the TTY section";
	if (r <= 0)
		return r < 0 ? r : 1;
	*ret_id = info_id(get32(m->rec, 28), master);
	if (!master) {	/* @m and @s as their names say */
		struct tty_rec tmp = *m;

		*m = *s;
		*s = tmp;
	}
	return 0;
}

int xl_tty_check(struct xlate *x, uint64_t pos, const uint8_t *rec, const char *name,
		 const char **why)
{
	struct tty_rec *m = malloc(2 * sizeof(*m));
	uint32_t id;
	int r;

	if (!m)
		return -ENOMEM;
	r = classify(x, pos, rec, name, &id, why, m, m + 1);
	if (r == 0)
		*why = NULL;
	free(m);
	return r < 0 ? r : 0;
}

/* Has the pair of pty @index had its infos written? Marks it if not. */
static int pair_done(struct xlate *x, uint32_t index, bool *done)
{
	uint32_t *n;

	for (size_t i = 0; i < x->nttys; i++)
		if (x->ttys[i] == index)
			return *done = true, 0;
	n = realloc(x->ttys, (x->nttys + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->ttys = n;
	n[x->nttys++] = index;
	*done = false;
	return 0;
}

int xl_tty_write(struct xlate *x, uint64_t pos, const uint8_t *rec, const char *name,
		 struct xl_file *xf, FownEntry *fown)
{
	FileEntry fe = FILE_ENTRY__INIT;
	TtyFileEntry tf = TTY_FILE_ENTRY__INIT;
	struct tty_rec *m = malloc(2 * sizeof(*m));
	const char *why = NULL;
	bool done = true;
	int r;

	if (!m)
		return -ENOMEM;
	r = open_imgs(x) ?: classify(x, pos, rec, name, &tf.tty_info_id, &why, m, m + 1);
	if (r > 0)	/* xl_tty_check() said yes */
		r = log_err(-EPROTO, "FILE at offset %#" PRIx64 ": %s", pos, why);
	if (!r && tf.tty_info_id >= INFO_CONSOLE)
		r = write_special(x, tf.tty_info_id);
	else if (!r)
		r = pair_done(x, get32(m->rec, 28), &done);
	if (!r && !done)
		r = write_pair(x, m, m + 1);
	free(m);
	fe.type = xf->type = FD_TYPES__TTY;
	fe.id = tf.id = xf->id;
	fe.tty = &tf;
	tf.flags = get32(rec, 16);
	tf.fown = fown;
	return r ?: img_write(x->files_img, &fe);
}

int xl_tty_end(struct xlate *x)
{
	int r = img_close(x->tty_img);

	r = img_close(x->tty_data_img) ?: r;
	x->tty_img = x->tty_data_img = NULL;
	free(x->ttys);
	x->ttys = NULL;
	return r;
}
