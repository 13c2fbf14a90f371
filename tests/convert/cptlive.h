/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cptlive's two halves: cptlive.c collects the state of a live tree
 * (ptrace, /proc, injected syscalls) into struct cptlive; cptlive-dump.c
 * writes it as the records of an OpenVZ cpt dump.
 */
#ifndef VZCR_TESTS_CPTLIVE_H
#define VZCR_TESTS_CPTLIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "arch.h"
#include "engine/proc_parse.h"

#define MAX_FILES	256
#define MAX_SIGS	64
#define MAX_TIMERS	32
#define MAX_PROCS	16
#define MAX_THREADS	16
#define PAGE		4096UL

struct lfile {
	char path[4096];
	uint32_t i_mode, flags;
	uint64_t fpos, ino;
	pid_t pid;		/* the process of the first fd of this description */
	int fd;			/* that fd, -1 for a mapping's own file */
	bool map_only;		/* a mapped file no fd holds */
	bool shm;		/* shared anonymous memory: "/dev/zero (deleted)" */
	bool deleted;		/* an unlinked regular file: its contents go in its INODE */
	uint64_t shm_start, shm_end, shm_pgoff;	/* a mapping of it, in process pid */
	size_t obj, inode_obj;
};

struct ltimer {
	uint32_t id, clock, signo, notify, tid;
	uint64_t value;
	struct itimerspec its;
	int overrun;
};

struct lthr {
	pid_t tid;
	arch_regs_t regs;
	uint8_t fpu[8192];
	size_t fpu_len;
	uint64_t blocked;
	siginfo_t priv[MAX_SIGS];
	int npriv;
	stack_t ss;
	uint64_t clear_tid, robust;
	size_t obj;		/* its TASK record */
};

struct lproc {
	pid_t pid;
	bool zombie;		/* dead, not reaped: a TASK record and nothing else */
	bool stopped;		/* in a group stop (SIGSTOP) */
	struct lthr th[MAX_THREADS];	/* the leader first */
	int nth;
	siginfo_t shared[MAX_SIGS];
	int nshared;
	struct arch_ksigaction sa[65];
	struct itimerval it[3];
	struct ltimer tm[MAX_TIMERS];
	int ntm;
	uint64_t brk;
	long pdeath, secbits;
	int fd_file[1024];	/* fd -> files[] index, -1 if none */
	uint32_t fd_cloexec[1024];
	struct vma_list vmas;
	size_t mm, files, fs, sighand, timers;	/* their records */
};

struct cptlive {
	bool rhel5;
	const char *old_vdso;	/* --old-vdso: vdso-edit.h's edits, or NULL */
	const char *vdso_out;	/* --vdso-out: the old vDSO's file, or NULL */
	struct lproc p[MAX_PROCS];	/* parents before children */
	int np;
	struct lfile files[MAX_FILES];
	int nfiles;
};

extern struct cptlive L;

/* Report, kill the tree, exit 1. */
void __attribute__((noreturn)) die(const char *what);
/* Field @idx of line @key: of /proc/PID/status (hex for Cap*, octal for Umask). */
uint64_t status_field(pid_t pid, const char *key, int idx);
/* Field @n of /proc/PID/stat, 1-based as proc(5) numbers them. */
uint64_t stat_field(pid_t pid, int n);
/* The bytes queued in the pipe or FIFO fd @fd of @pid, left in place. */
size_t pipe_bytes(pid_t pid, int fd, char *buf, size_t size);
struct cptw;
/* cptlive-vdso.c: the VSYSCALL section with the old vDSO (L.old_vdso). */
void sect_vsyscall(struct cptw *w);
/* cptlive-sock.c: the unix sockets among L.files, read from the live tree. */
void sock_collect(void);
/* The socket index of file @file (L.files index), or all-ones. */
uint64_t sock_index(int file);
/* The SOCKET section (after FILES: sockets point at their files). */
void sect_socks(struct cptw *w);
/* cptlive-tty.c: the pty pairs among L.files (consumes their queued bytes). */
void tty_collect(void);
/* The TTY record of file @file (L.files index), or all-ones; its CPT_DENTRY_* flags. */
uint64_t tty_obj(int file);
uint32_t tty_lflags(int file);
/* The TTY section (before FILES: files point at their ttys). */
void sect_ttys(struct cptw *w);
/* The cpt dump of L to @path; 0 or 1. */
int write_dump(const char *path);

#endif /* VZCR_TESTS_CPTLIVE_H */
