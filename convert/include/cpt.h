/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reader of legacy OpenVZ checkpoint files ("cpt" images written by
 * `vzctl chkpnt`). Layout and rules: ../shared/notes/ovz-cpt-format.md.
 *
 * cpt_open() checks the major header (magic, version, arch), the trailer,
 * walks every section by its own header and every top-level object (and the
 * their children when the content is an array) by cpt_next/cpt_hdrlen, and builds an index of
 * object positions for resolving references. A malformed file fails with
 * -EPROTO after one error naming the byte offset and the record.
 */
#ifndef VZCR_CONVERT_CPT_H
#define VZCR_CONVERT_CPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPT_NULL		UINT64_MAX
#define CPT_MAJOR_HDR_LEN	80
#define CPT_SECT_HDR_LEN	16
#define CPT_OBJ_HDR_LEN		16
#define CPT_TAIL_LEN		248
#define CPT_NSECT		27	/* slots in the trailer's section table */
#define CPT_SECT_TRAILER	23
#define CPT_SECT_TASKS		3
#define CPT_SECT_UTSNAME	22
#define CPT_SECT_MAX		35	/* codes 0..34 are known */

enum cpt_obj_type {
	CPT_OBJ_TASK = 0,
	CPT_OBJ_MM = 1,
	CPT_OBJ_FS = 2,
	CPT_OBJ_FILES = 3,
	CPT_OBJ_SIGHAND_STRUCT = 5,
	CPT_OBJ_SIGNAL_STRUCT = 6,
	CPT_OBJ_NAMESPACE = 10,
	CPT_OBJ_POSIX_TIMER_LIST = 20,
	CPT_OBJ_VMA = 1024,
	CPT_OBJ_TRAILER = 1034,
	CPT_OBJ_VEINFO = 1042,
	CPT_OBJ_X86_REGS = 4096,
	CPT_OBJ_X86_64_REGS = 4097,
	CPT_OBJ_NAME = 4102,
	CPT_OBJ_BITS = 4103,
};

/* The common 16-byte prefix of every object (and, reordered, of sections). */
struct cpt_obj_hdr {
	uint64_t next;		/* total length incl. children */
	uint32_t type;		/* CPT_OBJ_* */
	uint16_t hdrlen;	/* length of the fixed record */
	uint16_t content;	/* CPT_CONTENT_* */
};

struct cpt_version_info {
	uint16_t value;
	const char *name;	/* "VERSION_32_3" */
	const char *kernel;	/* "2.6.32 (RHEL6)" */
	bool readable;		/* record layouts known to this reader */
};

struct cpt_section {
	uint64_t pos;		/* offset of the section header */
	uint64_t len;		/* its cpt_next */
	uint32_t code;
	uint64_t nobjs;		/* top-level objects */
	uint16_t hdrlen;	/* objects start at pos + hdrlen */
};

struct cpt_task {
	uint64_t pos;
	uint32_t pid, tgid, ppid, rppid, pgrp, session, leader;
	uint32_t uid, gid, ngids;
	uint64_t state;
	bool is64;
	char comm[17];
	uint16_t hdrlen;	/* as written: tells the record generation */
};

struct cpt_header {
	uint16_t hdrlen;
	uint16_t version;
	uint16_t arch;		/* 0 i386, 1 x86_64, 2 ia64 */
	uint16_t pagesize;
	uint16_t hz;
	uint32_t start_sec;
	uint32_t cpu_caps;
	uint64_t iptables_mask;
	uint32_t ve_features_lo, ve_features_hi;
};

struct cpt_index_ent {
	uint64_t pos;
	uint32_t type;
	uint32_t sect;
};

struct cpt_file {
	int fd;
	uint64_t size;
	struct cpt_header hdr;
	const struct cpt_version_info *ver;
	uint32_t tail_64bit;	/* trailer: number of 64-bit tasks */
	struct cpt_section *sects;
	size_t nsects;
	struct cpt_index_ent *index;
	size_t nindex, index_cap;
	struct cpt_task *tasks;
	size_t ntasks;
	char utsname[3][65];	/* nodename, domainname, release; "" if absent */
};

/* Open and check @path; *ret_f is set only on success. */
int cpt_open(const char *path, struct cpt_file **ret_f);
/* The same on an open fd: on success it belongs to *ret_f (cpt_close closes it). */
int cpt_open_fd(int fd, struct cpt_file **ret_f);
struct cpt_file *cpt_close(struct cpt_file *f);

/* The version table of the note; NULL if @value is not in it. */
const struct cpt_version_info *cpt_version_lookup(uint16_t value);
const char *cpt_arch_name(uint16_t arch);
const char *cpt_section_name(uint32_t code);
const char *cpt_obj_name(uint32_t type);

/*
 * Read the object at @pos, which must lie in [@pos, @end): checks
 * 16 <= hdrlen <= next, pos + next <= end and (unless @type is UINT32_MAX)
 * the type; copies min(hdrlen, @known) bytes of the record into @rec and
 * zero-fills the rest up to @known (the grow-only rule). @what names the
 * record in errors. Returns 0 or -EPROTO/-EIO.
 */
int cpt_read_obj(struct cpt_file *f, uint64_t pos, uint64_t end, uint32_t type,
		 const char *what, void *rec, size_t known, struct cpt_obj_hdr *ret_hdr);

/*
 * Resolve the reference @ref (an absolute offset) found in field @field of the
 * record at @from: CPT_NULL gives 0 (none), an indexed object of @type gives 1,
 * anything else fails naming both offsets.
 */
int cpt_resolve(struct cpt_file *f, uint64_t ref, uint32_t type, uint64_t from,
		const char *field);

#endif /* VZCR_CONVERT_CPT_H */
