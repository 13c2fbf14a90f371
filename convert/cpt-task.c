// SPDX-License-Identifier: GPL-2.0-only
/*
 * Task records (TASKS section, note section 4.1), the UTSNAME names and the
 * resolution of references through the object index.
 */
#define LOG_PREFIX "cpt: "

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpt-priv.h"
#include "log.h"

#define TASK_REC_LEN	992	/* latest RHEL6 cpt_task_image */
#define TASK_MAX_GIDS	32

/* The references a task record holds: field, offset in the record, type. */
static const struct {
	const char *field;
	unsigned int off;
	uint32_t type;
} task_refs[] = {
	{ "cpt_mm", 96, CPT_OBJ_MM },
	{ "cpt_files", 104, CPT_OBJ_FILES },
	{ "cpt_fs", 112, CPT_OBJ_FS },
	{ "cpt_signal", 120, CPT_OBJ_SIGNAL_STRUCT },
	{ "cpt_sighand", 128, CPT_OBJ_SIGHAND_STRUCT },
	{ "cpt_namespace", 160, CPT_OBJ_NAMESPACE },
	{ "cpt_posix_timers", 976, CPT_OBJ_POSIX_TIMER_LIST },
};

static int index_cmp(const void *key, const void *ent)
{
	uint64_t pos = *(const uint64_t *)key;
	const struct cpt_index_ent *e = ent;

	return pos < e->pos ? -1 : pos > e->pos;
}

int cpt_resolve(struct cpt_file *f, uint64_t ref, uint32_t type, uint64_t from,
		const char *field)
{
	const struct cpt_index_ent *e;

	if (ref == CPT_NULL)
		return 0;
	if (ref >= f->size)
		return log_err(-EPROTO, "record at offset %#" PRIx64 ": field %s = %#" PRIx64 " points past the end of the file (size %" PRIu64 ")",
			       from, field, ref, f->size);
	e = bsearch(&ref, f->index, f->nindex, sizeof(*f->index), index_cmp);
	if (!e)
		return log_err(-EPROTO, "record at offset %#" PRIx64 ": field %s = %#" PRIx64 " does not point at the start of an object",
			       from, field, ref);
	if (e->type != type)
		return log_err(-EPROTO, "record at offset %#" PRIx64 ": field %s = %#" PRIx64 " points at a %s, expected a %s",
			       from, field, ref, cpt_obj_name(e->type), cpt_obj_name(type));
	return 1;
}

/* Printable copy of at most @len bytes of @src, NUL-terminated in @dst. */
static void copy_name(char *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len && src[i]; i++)
		dst[i] = (src[i] < 0x20 || src[i] >= 0x7f) ? '?' : (char)src[i];
	dst[i] = '\0';
}

static int parse_task(struct cpt_file *f, uint64_t pos, const uint8_t *rec, uint16_t hdrlen,
		      struct cpt_task *t)
{
	int r;

	t->pos = pos;
	t->hdrlen = hdrlen;
	t->state = get64(rec, 16);
	t->pid = get32(rec, 176);
	t->tgid = get32(rec, 180);
	t->ppid = get32(rec, 184);
	t->rppid = get32(rec, 188);
	t->pgrp = get32(rec, 192);
	t->session = get32(rec, 196);
	t->leader = get32(rec, 208);
	t->is64 = rec[215] != 0;
	t->uid = get32(rec, 248);
	t->gid = get32(rec, 264);
	t->ngids = get32(rec, 280);
	copy_name(t->comm, rec + 440, 16);
	if (hdrlen < 216)
		return log_err(-EPROTO, "TASK at offset %#" PRIx64 ": cpt_hdrlen %u is too short to hold the pids (216)",
			       pos, hdrlen);
	if (t->pid == 0 || t->tgid == 0)
		return log_err(-EPROTO, "TASK at offset %#" PRIx64 ": field cpt_pid %u / cpt_tgid %u is zero",
			       pos, t->pid, t->tgid);
	if (t->ngids > TASK_MAX_GIDS)
		return log_err(-EPROTO, "TASK at offset %#" PRIx64 ": field cpt_ngids (offset %#" PRIx64 ") is %u, more than %d supplementary groups",
			       pos, pos + 280, t->ngids, TASK_MAX_GIDS);
	for (size_t i = 0; i < sizeof(task_refs) / sizeof(task_refs[0]); i++) {
		char field[48];

		if (task_refs[i].off + 8 > hdrlen)
			continue;	/* an older record: the field is absent */

		snprintf(field, sizeof(field), "%s of TASK pid %u", task_refs[i].field, t->pid);
		r = cpt_resolve(f, get64(rec, task_refs[i].off), task_refs[i].type, pos, field);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_section_tasks(struct cpt_file *f, const struct cpt_section *s)
{
	uint8_t rec[TASK_REC_LEN];
	uint64_t end = s->pos + s->len;
	uint64_t pos = s->pos + s->hdrlen;

	/* the walk checked every header already; read them again by type */
	for (uint64_t i = 0; i < s->nobjs; i++) {
		struct cpt_obj_hdr h;
		struct cpt_task *n;
		int r;

		r = cpt_read_obj(f, pos, end, CPT_OBJ_TASK, "in section TASKS", rec,
				 sizeof(rec), &h);
		if (r < 0)
			return r;
		n = reallocarray(f->tasks, f->ntasks + 1, sizeof(*n));
		if (!n)
			return log_err(-ENOMEM, "Failed to grow the task table");
		f->tasks = n;
		r = parse_task(f, pos, rec, h.hdrlen, &f->tasks[f->ntasks]);
		if (r < 0)
			return r;
		f->ntasks++;
		pos += h.next;
	}
	return 0;
}

int cpt_load_tasks(struct cpt_file *f)
{
	size_t n64 = 0;

	for (size_t i = 0; i < f->nsects; i++) {
		int r;

		if (f->sects[i].code != CPT_SECT_TASKS)
			continue;
		r = load_section_tasks(f, &f->sects[i]);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < f->ntasks; i++)
		n64 += f->tasks[i].is64;
	if (n64 != f->tail_64bit)
		pr_warn("trailer: field cpt_64bit says %u 64-bit tasks, the task records %zu, ignoring",
			f->tail_64bit, n64);
	return 0;
}

int cpt_load_utsname(struct cpt_file *f)
{
	for (size_t i = 0; i < f->nsects; i++) {
		const struct cpt_section *s = &f->sects[i];
		uint64_t pos = s->pos + s->hdrlen, end = s->pos + s->len;

		if (s->code != CPT_SECT_UTSNAME)
			continue;
		for (int k = 0; k < 3 && pos < end; k++) {
			uint8_t buf[64];
			struct cpt_obj_hdr h;
			uint64_t len;
			int r;

			r = cpt_read_obj(f, pos, end, CPT_OBJ_NAME, "in section UTSNAME", NULL,
					 0, &h);
			if (r < 0)
				return r;
			len = h.next - h.hdrlen;
			if (len > sizeof(buf))
				len = sizeof(buf);
			r = cpt_pread(f, pos + h.hdrlen, buf, len, "UTSNAME name");
			if (r < 0)
				return r;
			copy_name(f->utsname[k], buf, len);
			pos += h.next;
		}
	}
	return 0;
}
