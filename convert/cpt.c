// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cpt reader: major header, trailer, section walk, object walk and the
 * index of object positions. Every offset and length read from the file is
 * checked against the file size and against the extent of the record that
 * contains it before it is used; each step moves forward by at least 16
 * bytes, so a walk always ends. The note's section 2.7 lists the checks the
 * kernel's own restorer makes; this reader makes those and more.
 */
#define LOG_PREFIX "cpt: "

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-priv.h"
#include "log.h"

#define CPT_MAX_DEPTH	8	/* the writer nests at most 4 deep */

static const uint8_t cpt_magic[4] = { 0x79, 0x1c, 0x01, 0x63 };

int cpt_pread(struct cpt_file *f, uint64_t off, void *buf, size_t len, const char *what)
{
	size_t done = 0;

	if (off > f->size || len > f->size - off)
		return log_err(-EPROTO, "%s at offset %#" PRIx64 ": %zu bytes run past the end of the file (size %" PRIu64 ")",
			       what, off, len, f->size);
	while (done < len) {
		ssize_t n = pread(f->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return log_perr(-errno, "Failed to read %s at offset %#" PRIx64, what, off);
		if (n == 0)
			return log_err(-EIO, "Failed to read %s at offset %#" PRIx64 ": the file shrank while being read",
				       what, off);
		done += (size_t)n;
	}
	return 0;
}

int cpt_index_add(struct cpt_file *f, uint64_t pos, uint32_t type, uint32_t sect)
{
	if (f->nindex == f->index_cap) {
		size_t cap = f->index_cap ? f->index_cap * 2 : 64;
		struct cpt_index_ent *n;

		if (cap > SIZE_MAX / sizeof(*n))
			return log_err(-ENOMEM, "Failed to grow the object index to %zu entries", cap);
		n = realloc(f->index, cap * sizeof(*n));
		if (!n)
			return log_err(-ENOMEM, "Failed to grow the object index to %zu entries", cap);
		f->index = n;
		f->index_cap = cap;
	}
	f->index[f->nindex++] = (struct cpt_index_ent){ .pos = pos, .type = type, .sect = sect };
	return 0;
}

int cpt_read_obj(struct cpt_file *f, uint64_t pos, uint64_t end, uint32_t type,
		 const char *what, void *rec, size_t known, struct cpt_obj_hdr *ret_hdr)
{
	uint8_t raw[CPT_OBJ_HDR_LEN];
	struct cpt_obj_hdr h;
	const char *name;
	int r;

	if (pos > end || end - pos < CPT_OBJ_HDR_LEN)
		return log_err(-EPROTO, "object %s at offset %#" PRIx64 ": no room for a 16-byte object header before the end of its container at %#" PRIx64,
			       what, pos, end);
	r = cpt_pread(f, pos, raw, sizeof(raw), what);
	if (r < 0)
		return r;
	h = (struct cpt_obj_hdr){ get64(raw, 0), get32(raw, 8), get16(raw, 12), get16(raw, 14) };
	name = cpt_obj_name(h.type);
	if (!name)
		return log_err(-EPROTO, "object %s at offset %#" PRIx64 ": unknown object type %u in field cpt_object",
			       what, pos, h.type);
	if (type != UINT32_MAX && h.type != type)
		return log_err(-EPROTO, "object %s at offset %#" PRIx64 ": object is a %s, expected a %s",
			       what, pos, name, cpt_obj_name(type));
	if (h.hdrlen < CPT_OBJ_HDR_LEN)
		return log_err(-EPROTO, "%s object %s at offset %#" PRIx64 ": cpt_hdrlen %u is smaller than the 16-byte object header",
			       name, what, pos, h.hdrlen);
	if (h.next < h.hdrlen)
		return log_err(-EPROTO, "%s object %s at offset %#" PRIx64 ": cpt_next %" PRIu64 " is smaller than cpt_hdrlen %u (a step back or onto itself)",
			       name, what, pos, h.next, h.hdrlen);
	if (h.next > end - pos)
		return log_err(-EPROTO, "%s object %s at offset %#" PRIx64 ": cpt_next %" PRIu64 " runs past the end of its container at %#" PRIx64,
			       name, what, pos, h.next, end);
	if (rec) {
		size_t n = h.hdrlen < known ? h.hdrlen : known;

		r = cpt_pread(f, pos, rec, n, what);
		if (r < 0)
			return r;
		memset((char *)rec + n, 0, known - n);	/* the grow-only rule */
	}
	if (ret_hdr)
		*ret_hdr = h;
	return 0;
}

/* Walk the objects in [start, end) and, for ARRAY content, their children. */
static int cpt_walk(struct cpt_file *f, uint64_t start, uint64_t end, uint32_t sect,
		    unsigned int depth, uint64_t *ret_count)
{
	char what[64];
	uint64_t count = 0;

	if (depth > CPT_MAX_DEPTH)
		return log_err(-EPROTO, "object at offset %#" PRIx64 " in section %s: nested deeper than %d levels",
			       start, cpt_section_name(sect), CPT_MAX_DEPTH);
	snprintf(what, sizeof(what), "%sin section %s", depth ? "nested " : "",
		 cpt_section_name(sect));
	for (uint64_t pos = start; pos < end;) {
		struct cpt_obj_hdr h;
		int r;

		r = cpt_read_obj(f, pos, end, UINT32_MAX, what, NULL, 0, &h);
		if (r < 0)
			return r;
		r = cpt_index_add(f, pos, h.type, sect);
		if (r < 0)
			return r;
		if (h.content == 1 /* CPT_CONTENT_ARRAY */ && h.next > h.hdrlen) {
			r = cpt_walk(f, pos + h.hdrlen, pos + h.next, sect, depth + 1, NULL);
			if (r < 0)
				return r;
		}
		pos += h.next;	/* h.next >= 16: always forward */
		count++;
	}
	if (ret_count)
		*ret_count = count;
	return 0;
}

static int cpt_read_header(struct cpt_file *f)
{
	uint8_t raw[CPT_MAJOR_HDR_LEN] = { 0 };
	struct cpt_header *h = &f->hdr;
	int r;

	if (f->size < CPT_MAJOR_HDR_LEN + CPT_SECT_HDR_LEN + CPT_TAIL_LEN)
		return log_err(-EPROTO, "major header at offset 0: file of %" PRIu64 " bytes is shorter than a header, a section header and a trailer (%d)",
			       f->size, CPT_MAJOR_HDR_LEN + CPT_SECT_HDR_LEN + CPT_TAIL_LEN);
	r = cpt_pread(f, 0, raw, 8, "major header");
	if (r < 0)
		return r;
	if (memcmp(raw, cpt_magic, 4))
		return log_err(-EPROTO, "major header at offset 0: bad magic %02x %02x %02x %02x in field cpt_signature (want 79 1c 01 63): not an OpenVZ dump",
			       raw[0], raw[1], raw[2], raw[3]);
	h->hdrlen = get16(raw, 4);
	h->version = get16(raw, 6);
	if (h->hdrlen < 24 || h->hdrlen % 8 || h->hdrlen > f->size - CPT_SECT_HDR_LEN - CPT_TAIL_LEN)
		return log_err(-EPROTO, "major header at offset 4: field cpt_hdrlen %u is not a multiple of 8 between 24 and the trailer",
			       h->hdrlen);
	f->ver = cpt_version_lookup(h->version);
	if (!f->ver)
		return log_err(-EPROTO, "major header at offset 6: unknown image version %#x in field cpt_image_version",
			       h->version);
	if (!f->ver->readable)
		return log_err(-EPROTO, "major header at offset 6: image version %#x (%s, kernel %s) in field cpt_image_version is not supported: only 2.6.18 (0x300-0x304) and 2.6.32 (0x800-0x803) images are",
			       h->version, f->ver->name, f->ver->kernel);
	r = cpt_pread(f, 0, raw, h->hdrlen < sizeof(raw) ? h->hdrlen : sizeof(raw), "major header");
	if (r < 0)
		return r;
	h->arch = get16(raw, 8);
	if (!cpt_arch_name(h->arch))
		return log_err(-EPROTO, "major header at offset 8: unknown architecture %u in field cpt_os_arch",
			       h->arch);
	h->ve_features_lo = get32(raw, 12);
	h->ve_features_hi = get32(raw, 16);
	h->pagesize = get16(raw, 20);
	h->hz = get16(raw, 22);
	h->start_sec = get32(raw, 32);
	h->cpu_caps = get32(raw, 40);
	h->iptables_mask = get64(raw, 72);
	return 0;
}

static int cpt_read_tail(struct cpt_file *f, uint64_t *sect_pos)
{
	uint8_t raw[CPT_TAIL_LEN];
	uint64_t at = f->size - CPT_TAIL_LEN;
	int r;

	r = cpt_pread(f, at, raw, sizeof(raw), "trailer");
	if (r < 0)
		return r;
	if (memcmp(raw + 244, cpt_magic, 4))
		return log_err(-EPROTO, "trailer at offset %#" PRIx64 ": bad magic in field cpt_signature: file truncated or not a complete dump",
			       at + 244);
	if (get32(raw, 8) != CPT_OBJ_TRAILER || get64(raw, 0) != CPT_TAIL_LEN ||
	    get16(raw, 12) != CPT_TAIL_LEN)
		return log_err(-EPROTO, "trailer at offset %#" PRIx64 ": cpt_object %u, cpt_next %" PRIu64 ", cpt_hdrlen %u (want 1034, 248, 248)",
			       at, get32(raw, 8), get64(raw, 0), get16(raw, 12));
	if (get32(raw, 240) != CPT_NSECT)
		return log_err(-EPROTO, "trailer at offset %#" PRIx64 ": field cpt_nsect is %u, want 27",
			       at + 240, get32(raw, 240));
	f->tail_64bit = get32(raw, 20);
	for (int i = 0; i < CPT_NSECT; i++)
		sect_pos[i] = get64(raw, 24 + 8 * i);
	return 0;
}

/* The trailer's table must agree with the walk (it cannot replace it). */
static int cpt_check_tail_table(struct cpt_file *f, const uint64_t *sect_pos)
{
	for (int i = 0; i < CPT_NSECT; i++) {
		bool found = false;

		if (sect_pos[i] == CPT_NULL)
			continue;
		for (size_t s = 0; s < f->nsects && !found; s++)
			found = f->sects[s].pos == sect_pos[i] && f->sects[s].code == (uint32_t)i;
		if (!found)
			return log_err(-EPROTO, "trailer at offset %#" PRIx64 ": field cpt_sections[%d] (%s) = %#" PRIx64 " is not the offset of a %s section header",
				       f->size - CPT_TAIL_LEN + 24 + 8 * i, i, cpt_section_name(i),
				       sect_pos[i], cpt_section_name(i));
	}
	return 0;
}

static int cpt_walk_one_section(struct cpt_file *f, uint64_t pos, struct cpt_section *s)
{
	uint8_t raw[CPT_SECT_HDR_LEN];
	uint16_t hdrlen;
	int r;

	r = cpt_pread(f, pos, raw, sizeof(raw), "section header");
	if (r < 0)
		return r;
	s->pos = pos;
	s->len = get64(raw, 0);
	s->code = get32(raw, 8);
	hdrlen = get16(raw, 12);
	s->hdrlen = hdrlen;
	s->nobjs = 0;
	if (s->code >= CPT_SECT_MAX)
		return log_err(-EPROTO, "section header at offset %#" PRIx64 ": unknown section code %u in field cpt_section",
			       pos, s->code);
	if (hdrlen < CPT_SECT_HDR_LEN || s->len < hdrlen)
		return log_err(-EPROTO, "section %s at offset %#" PRIx64 ": cpt_hdrlen %u / cpt_next %" PRIu64 " (need 16 <= cpt_hdrlen <= cpt_next)",
			       cpt_section_name(s->code), pos, hdrlen, s->len);
	if (s->len > f->size - pos)
		return log_err(-EPROTO, "section %s at offset %#" PRIx64 ": cpt_next %" PRIu64 " runs past the end of the file (size %" PRIu64 ")",
			       cpt_section_name(s->code), pos, s->len, f->size);
	return cpt_walk(f, pos + hdrlen, pos + s->len, s->code, 0, &s->nobjs);
}

static int cpt_walk_sections(struct cpt_file *f)
{
	uint64_t pos = f->hdr.hdrlen;
	struct cpt_section *last;

	while (pos < f->size) {
		struct cpt_section s;
		int r;

		r = cpt_walk_one_section(f, pos, &s);
		if (r < 0)
			return r;
		if (f->nsects % 16 == 0) {
			struct cpt_section *n = reallocarray(f->sects, f->nsects + 16, sizeof(*n));

			if (!n)
				return log_err(-ENOMEM, "Failed to grow the section table");
			f->sects = n;
		}
		f->sects[f->nsects++] = s;
		pos += s.len;	/* s.len >= 16 */
	}
	last = f->nsects ? &f->sects[f->nsects - 1] : NULL;
	if (!last || last->code != CPT_SECT_TRAILER ||
	    last->pos + last->len != f->size || last->len != CPT_SECT_HDR_LEN + CPT_TAIL_LEN)
		return log_err(-EPROTO, "section header at offset %#" PRIx64 ": the last section is not a TRAILER of 264 bytes ending the file",
			       last ? last->pos : (uint64_t)f->hdr.hdrlen);
	return 0;
}

int cpt_open_fd(int fd, struct cpt_file **ret_f)
{
	uint64_t sect_pos[CPT_NSECT];
	struct cpt_file *f;
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return log_perr(-errno, "Failed to stat the dump file");
	if (!S_ISREG(st.st_mode))
		return log_err(-EINVAL, "Failed to read the dump: not a regular file");
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	r = cpt_read_header(f);
	if (r < 0)
		goto err;
	if (f->size % 8) {
		r = log_err(-EPROTO, "end of file at offset %#" PRIx64 ": file size %" PRIu64 " is not a multiple of 8: truncated or padded dump",
			    f->size, f->size);
		goto err;
	}
	r = cpt_read_tail(f, sect_pos);
	if (r < 0)
		goto err;
	r = cpt_walk_sections(f);
	if (r < 0)
		goto err;
	r = cpt_check_tail_table(f, sect_pos);
	if (r < 0)
		goto err;
	r = cpt_load_tasks(f);
	if (r < 0)
		goto err;
	r = cpt_load_utsname(f);
	if (r < 0)
		goto err;
	*ret_f = f;
	return 0;
err:
	f->fd = -1;
	cpt_close(f);
	return r;
}

int cpt_open(const char *path, struct cpt_file **ret_f)
{
	_cleanup_close_ int fd = -EBADF;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	r = cpt_open_fd(fd, ret_f);
	if (r < 0)
		return r;
	(void)TAKE_FD(fd);
	return 0;
}

struct cpt_file *cpt_close(struct cpt_file *f)
{
	if (!f)
		return NULL;
	if (f->fd >= 0)
		close(f->fd);
	free(f->sects);
	free(f->index);
	free(f->tasks);
	free(f);
	return NULL;
}
