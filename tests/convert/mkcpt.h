/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mkcpt's two halves: mkcpt.c (the writer, the process tree, files,
 * memory, the malformed cases, the CLI) and mkcpt-ct.c (the container-level
 * records: sockets, SysV IPC, mounts, network).
 */
#ifndef VZCR_TESTS_MKCPT_H
#define VZCR_TESTS_MKCPT_H

#include <stddef.h>
#include <stdint.h>

#define NUL64 UINT64_MAX

/* Record sizes of one kernel generation. */
struct gen {
	const char *name;
	uint16_t version;
	uint16_t task_len, mm_len, veinfo_len, signal_len;
	const char *release;
	uint16_t sock_len, skb_len;
	uint16_t tty_len;
};

/* What the translation cases change (mkcpt --list-xlate). */
struct mkopt {
	int i386, socket, netdev, sysv, tty, shm, pages_len, noexe, late_exe, oldvdso, lost, orphan, rhel5vdso, signo;
	int sk_embryo, sk_addrlen, sk_skb, sk_priv, sk_seq, ipc_msgsize, mounts, mnt_noroot, net_route;
	int pty, tty_bits, tty_index, tty_priv, tty_nopeer, tty_bsd;
};
extern struct mkopt opt;

enum { F_SH, F_HOSTNAME, F_PIPE_R, F_PIPE_W, F_TTY, F_SHM, F_GONE, F_MOVED, F_LOST, F_FIFO,
       F_USK0, F_USK1, F_USK2, F_USK3, F_TCP, NFILES };

/* Positions of the records the tasks and the cases refer to. */
struct refs {
	size_t ns, fs, files, sighand, timers, inode, shm_inode, gone_inode, moved_inode, fifo_inode;
	size_t file[NFILES], mms[2];
	size_t task_at[3], sig_at[2];
	size_t tty[2], ttyf[4];		/* pty master, slave; their files, /dev/console, /dev/tty */
};

/* The dump being built: @len bytes at @d. */
extern uint8_t *d;
extern size_t len;

/* @n zeroed bytes at the end; their offset. */
size_t grow(size_t n);
void p16(size_t off, uint16_t v);
void p32(size_t off, uint32_t v);
void p64(size_t off, uint64_t v);
/* A section or object opened at the end; end() closes it (cpt_next). */
size_t sect_begin(uint32_t code);
size_t obj_begin(uint32_t type, uint16_t hdrlen, uint16_t content);
void end(size_t pos);
/* A NAME object; @n bytes of @c as a DATA payload (padded to 8). */
void name_obj(const char *s);
void fill_data(int c, size_t n);

/* mkcpt-ct.c */
void write_socks(const struct gen *g, struct refs *rf);
void ipc_perm(size_t o, uint64_t key, uint64_t mode, uint64_t id);
void write_sysv(void);
void write_mounts(const struct gen *g);
void write_net(const struct gen *g);

/* mkcpt-tty.c: the TTY section, the tty FILEs (in FILES), their fds (in a FILES object) */
void write_ttys(const struct gen *g, struct refs *rf);
void write_tty_files(struct refs *rf);
void write_tty_fds(struct refs *rf);

#endif /* VZCR_TESTS_MKCPT_H */
