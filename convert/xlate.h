/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Translation of a read cpt dump (cpt.h) into a vzcr image set: the state
 * shared by xlate*.c. xlate.c drives it (temporary directory, file ids,
 * skip list, pstree, inventory, rename); xlate-task.c writes core-TID.img,
 * xlate-mm.c mm/pagemap/pages, xlate-files.c files/fdinfo/fs/pipe data.
 * Only engine/include/image.h and the generated pb-c headers are used.
 */
#ifndef VZCR_CONVERT_XLATE_H
#define VZCR_CONVERT_XLATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpt-priv.h"
#include "image.h"
#include "core-x86.pb-c.h"
#include "fown.pb-c.h"
#include "vma.pb-c.h"

#define CPT_CONTENT_ARRAY	1
#define CPT_CONTENT_DATA	2
#define CPT_CONTENT_NAME	3
#define CPT_CONTENT_FPU_OLD	5
#define CPT_CONTENT_FPU		6
#define CPT_CONTENT_XSAVE	11
#define CPT_CONTENT_PRAM	12

/* object codes the translation reads beyond those cpt.h names */
#define CPT_OBJ_FILE		4
#define CPT_OBJ_INODE		12
#define CPT_OBJ_FILEDESC	1025
#define CPT_OBJ_SIGHANDLER	1026
#define CPT_OBJ_SIGINFO		1027
#define CPT_OBJ_LASTSIGINFO	1028
#define CPT_OBJ_SIGALTSTACK	1046
#define CPT_OBJ_MM_AUXV		1051
#define CPT_OBJ_PAGES		4098
#define CPT_OBJ_COPYPAGES	4099
#define CPT_OBJ_TASK_AUX	4112
#define CPT_OBJ_MOUNT_DATA	4122
#define CPT_OBJ_POSIX_TIMER	4123

#define XL_PAGE			4096ULL

/* one file object of the dump that became a file_entry */
struct xl_file {
	uint64_t pos;		/* of the CPT_OBJ_FILE */
	uint32_t id;		/* file_entry.id; 0: refused and skipped */
	int type;		/* FD_TYPES__* */
};

/* A socket whose receive queue is still to be written (xlate-sock.c). */
struct xl_sockq {
	uint64_t pos;		/* of the CPT_OBJ_SOCKET */
	uint32_t id;		/* its file_entry id */
};

/* Bytes of a process's memory to write over its dumped pages. */
struct xl_poke {
	uint32_t pid;
	uint64_t addr;
	uint8_t data[16];
	size_t len;
};

struct xlate {
	struct cpt_file *f;
	int dfd;		/* the temporary image directory */
	bool force;
	char **skipped;		/* what --force left out, one line each */
	size_t nskipped;
	struct xl_file *files;
	size_t nfiles;
	uint32_t next_id;
	struct img *files_img;	/* files.img, written as files are met */
	struct img *pipes_img;	/* pipes-data.img */
	uint32_t *pipes_done;	/* pipe ids whose data is written */
	size_t npipes_done;
	uint64_t page_bytes;	/* page contents written */
	uint64_t *shm;		/* INODEs of shared memory objects; SHMID = index + 1 */
	size_t nshm;
	struct img *remap_img;	/* remap-fpath.img, once a ghost needs it */
	struct img *fifo_img;	/* fifo-data.img, once a FIFO needs it */
	uint64_t *ghosts;	/* INODEs of deleted files; ghost id = index + 1 */
	size_t nghosts;
	struct xl_poke *pokes;	/* bytes to change in pages images */
	size_t npokes;
	const char *vdso_file;	/* --vdso: the old host's vdso.so, or NULL */
	uint8_t *vdso;		/* the old kernel's vDSO ELF (xlate-vdso.c) */
	size_t vdso_len;
	int vdso_state;		/* 0 not looked for, 1 found, 2 none, or -errno */
	const char *vdso_why;	/* why there is none */
	struct xl_sockq *sockq;	/* sockets with queues to write */
	size_t nsockq;
	struct img *skq_img;	/* sk-queues.img, once a queue has data */
	const char *ctid;	/* --ctid: a container's set, or NULL */
	struct img *tty_img;	/* tty-info.img, once a tty needs it (xlate-tty.c) */
	struct img *tty_data_img; /* tty-data.img, opened with it */
	uint32_t *ttys;		/* pty indices whose infos are written */
	size_t nttys;
	bool tty_console_done, tty_ctty_done;
};

/* A task record read whole (the grow-only rule: missing tail zeroed). */
#define XL_TASK_LEN	992
struct xl_task {
	uint64_t pos;
	struct cpt_obj_hdr h;
	uint8_t rec[XL_TASK_LEN];
	uint32_t pid, tgid, leader;
};

/*
 * Something the engine cannot restore: refused (-EOPNOTSUPP, logged with
 * @what) or, with --force, added to the skip list and 0. @what names it.
 */
int xl_unsupported(struct xlate *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read the name (CPT_OBJ_NAME) at @pos < @end into @buf; 0 or -EPROTO. */
int xl_read_name(struct xlate *x, uint64_t pos, uint64_t end, char *buf, size_t size);

/*
 * Walk the children of the object at @pos (header @h): calls @fn for each
 * with its position and header; stops at the first negative return.
 */
int xl_children(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h,
		int (*fn)(struct xlate *x, uint64_t pos, const struct cpt_obj_hdr *h, void *arg),
		void *arg);

/* The section with @code, or NULL. */
const struct cpt_section *xl_section(struct xlate *x, uint32_t code);

/*
 * xlate-restart.c: registers @g of thread @t (of process @pid) frozen in a
 * syscall, made to run it again on resume (an interrupted nanosleep for
 * what was left of it). 0 or -errno.
 */
int xl_restart(struct xlate *x, const struct xl_task *t, uint32_t pid, UserX86RegsEntry *g);
/*
 * xlate-mm.c: have the @len bytes at @addr of process @pid (MM at @mm)
 * replaced by @data in its pages image: 1 when a page block of the dump
 * holds them, 0 when none does, or -errno.
 */
int xl_mm_poke(struct xlate *x, uint64_t mm, uint32_t pid, uint64_t addr, const void *data,
	       size_t len);
/* xlate-task.c: core-TID.img of every thread of the process @t (leader). */
int xl_write_cores(struct xlate *x, const struct xl_task *t, const struct xl_task *all,
		   size_t n);
/* xlate-mm.c: mm-PID.img, pagemap-PID.img, pages-PID.img of process @t. */
int xl_write_mm(struct xlate *x, const struct xl_task *t);
/*
 * xlate-vdso.c: the vDSO VMA among the @n in @vp (storage @vmas, room for
 * @max): with the old kernel's vDSO ELF known (VSYSCALL section or --vdso),
 * vzcr-vdso-PID.img for the restore's proxy; else a lone old vDSO is
 * refused, or with --force [vvar] areas are added.
 */
int xl_vdso_fixup(struct xlate *x, uint32_t pid, VmaEntry *vmas, VmaEntry **vp, size_t *n,
		  size_t max);
/* xlate-files.c: fdinfo-PID.img and fs-PID.img of process @t. */
int xl_write_files(struct xlate *x, const struct xl_task *t);
/*
 * The file_entry id of the FILE at @pos, written to files.img on first use;
 * 0 if --force skipped it. Its FD_TYPES__* goes to *ret_type if not NULL.
 */
int xl_file_id(struct xlate *x, uint64_t pos, uint32_t *ret_id, int *ret_type);
/*
 * Is the FILE at @pos shared anonymous memory ("/dev/zero (deleted)")? 1 and
 * its INODE's position in *ret_ino, 0 if not, or -errno.
 */
int xl_file_is_shmem(struct xlate *x, uint64_t pos, uint64_t *ret_ino);
/*
 * xlate-shmem.c: the SHMID of the shared memory object whose contents are
 * the INODE at @ino (of the FILE at @file), its images written on first use.
 */
int xl_shmem_id(struct xlate *x, uint64_t file, uint64_t ino, uint32_t *ret_id);
/*
 * xlate-ghost.c: a deleted file (FILE at @file, INODE at @ino, file_entry id
 * @file_id): 1 when its contents went to a ghost image (remapped by id), 2
 * when the INODE names a path still linked (in @alt), 0 when the dump has
 * nothing to rebuild it from, or -errno.
 */
int xl_ghost(struct xlate *x, uint64_t file, uint64_t ino, uint32_t file_id, char *alt,
	     size_t altsz);
/*
 * xlate-ipc.c: ipcns-var/shm/sem/msg-1.img, the CT's SysV IPC (restored
 * with its ipc namespace). 0 or -errno.
 */
int xl_write_ipc(struct xlate *x);
/* xlate-mnt.c: mountpoints-1.img and the tmpfs archives. 0 or -errno. */
int xl_write_mounts(struct xlate *x);
/* xlate-ct.c: is @ctid a CT id vzcr takes? 0 or -EINVAL (logged). */
int xl_ctid_check(const char *ctid);
/* xlate-ct.c: vzcr-ct.img for CT @ctid. 0 or -errno. */
int xl_write_ct(struct xlate *x, const char *ctid);
/* xlate-net.c: netdev/ifaddr/route/route6/netns-1.img. 0 or -errno. */
int xl_write_net(struct xlate *x);
/* xlate-tty.c: is the FILE record @rec (path @name) a tty? */
bool xl_is_tty(const uint8_t *rec, const char *name);
/*
 * xlate-tty.c: *why is NULL when the tty FILE at @pos translates, else what
 * it is (for the refusal); 0 or -errno.
 */
int xl_tty_check(struct xlate *x, uint64_t pos, const uint8_t *rec, const char *name,
		 const char **why);
/* xlate-tty.c: its TTY file entry, and the tty-info/tty-data of its pair once. */
int xl_tty_write(struct xlate *x, uint64_t pos, const uint8_t *rec, const char *name,
		 struct xl_file *xf, FownEntry *fown);
/* xlate-tty.c: close tty-info.img and tty-data.img; 0 or -errno. */
int xl_tty_end(struct xlate *x);
/* Open files.img and pipes-data.img; close them (0 or -errno). */
int xl_files_begin(struct xlate *x);
int xl_files_end(struct xlate *x);

/*
 * Translate @f into a new image directory @outdir (absent or empty), with
 * @vdso_file (or NULL) as the old kernel's vDSO if the dump has none: the
 * set is written to a temporary directory beside it and renamed at the end,
 * inventory.img last, so @outdir never holds a partial set. A report (what
 * was written, what --force skipped) goes to @out, as JSON with @json.
 * With @ctid (else NULL) it is the set of container @ctid (vzcr-ct.img).
 */
int xlate_dump(struct cpt_file *f, const char *outdir, bool force, bool json, FILE *out,
	       const char *vdso_file, const char *ctid);

#endif /* VZCR_CONVERT_XLATE_H */
