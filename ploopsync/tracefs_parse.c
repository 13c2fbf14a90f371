// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsers for what tracefs hands out: format files (field offsets, event
 * ids) and the binary pages of trace_pipe_raw. A page is a header (time
 * stamp, commit = bytes of records plus flag bits) and records, each a
 * 32-bit word {type_len:5, time_delta:27} and a body; the layout is the
 * kernel's ring buffer ABI (include/linux/ring_buffer.h). Nothing here
 * trusts a length it has not checked against the page.
 */
#define LOG_PREFIX "ploopsync: "
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "log.h"
#include "tracefs.h"

/* type_len values that are not data (1..28: data of type_len * 4 bytes, 0: length in array[0]) */
#define RB_PADDING	29
#define RB_TIME_EXTEND	30
#define RB_TIME_STAMP	31
/* commit flags: events were lost before this page (and maybe their count stored after the data) */
#define RB_COMMIT_LEN	((1ULL << 30) - 1)
#define FIELD_MAX	(1u << 20)

/* The field name of a declaration "[__data_loc] TYPE NAME[N]" ending at @end. */
static bool decl_names(const char *decl, const char *end, const char *name)
{
	const char *q = end;
	size_t len = strlen(name);

	while (q > decl && isspace((unsigned char)q[-1]))
		q--;
	if (q > decl && q[-1] == ']') {
		while (q > decl && q[-1] != '[')
			q--;
		if (q > decl)
			q--;
	}
	end = q;
	while (q > decl && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
		q--;
	return (size_t)(end - q) == len && !memcmp(q, name, len);
}

int tfs_find_field(const char *fmt, const char *name, struct tfs_field *ret)
{
	const char *line, *nl, *decl, *semi;
	unsigned int off, size;

	for (line = fmt; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		decl = strstr(line, "field:");
		if (!decl || (nl && decl > nl))
			continue;
		decl += strlen("field:");
		semi = strchr(decl, ';');
		if (!semi || (nl && semi > nl) || !decl_names(decl, semi, name))
			continue;
		if (sscanf(semi + 1, " offset:%u; size:%u;", &off, &size) != 2 ||
		    off > FIELD_MAX || size > FIELD_MAX)
			return -EPROTO;
		ret->offset = off;
		ret->size = size;
		return 0;
	}
	return -ENOENT;
}

int tfs_event_id(const char *fmt, uint32_t *ret)
{
	const char *p = strstr(fmt, "\nID:");
	unsigned int id;

	if (!strncmp(fmt, "ID:", 3))
		p = fmt - 1;
	if (!p || sscanf(p + 1, "ID: %u", &id) != 1 || id > UINT16_MAX)
		return -EPROTO;
	*ret = id;
	return 0;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t page_commit(const struct tfs_page_fmt *pf, const unsigned char *page)
{
	uint64_t v64;

	if (pf->commit.size == 4)
		return get32(page + pf->commit.offset);
	memcpy(&v64, page + pf->commit.offset, sizeof(v64));
	return v64;
}

/* Split a record header word (host byte order, a C bitfield in the kernel). */
static void rec_header(uint32_t w, unsigned int *type_len, uint32_t *delta)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	*type_len = w >> 27;
	*delta = w & ((1u << 27) - 1);
#else
	*type_len = w & 31;
	*delta = w >> 5;
#endif /* __BYTE_ORDER__ */
}

/*
 * Size of the record at @p (@room bytes left on the page) and where its
 * payload is; 0 = the rest of the page is padding; -EPROTO if it overruns.
 */
static ssize_t rec_size(const unsigned char *p, size_t room, const unsigned char **ret_data,
			size_t *ret_len)
{
	unsigned int type_len;
	uint32_t delta, len;

	*ret_data = NULL;
	*ret_len = 0;
	if (room < 4)
		return -EPROTO;
	rec_header(get32(p), &type_len, &delta);
	if (type_len == RB_TIME_EXTEND || type_len == RB_TIME_STAMP)
		return room < 8 ? -EPROTO : 8;
	if (type_len == RB_PADDING && !delta)
		return 0;
	if (type_len && type_len < RB_PADDING) {
		len = type_len * 4;
		if (len > room - 4)
			return -EPROTO;
		*ret_data = p + 4;
		*ret_len = len;
		return 4 + len;
	}
	/* a long record, or a discarded one (padding with a length): length in array[0] */
	if (room < 8)
		return -EPROTO;
	len = get32(p + 4);
	if (len < 4 || len > room - 4 || len % 4)
		return -EPROTO;
	if (type_len == 0) {
		*ret_data = p + 8;
		*ret_len = len - 4;
	}
	return 4 + (ssize_t)len;
}

int tfs_parse_page(const struct tfs_page_fmt *pf, const unsigned char *page, size_t len,
		   uint16_t type, tfs_record_fn fn, void *arg, bool *ret_missed)
{
	const unsigned char *data, *rec;
	uint64_t commit, used, pos;
	size_t rec_len;
	uint16_t rec_type;
	ssize_t n;

	if (len < pf->data || len < (size_t)pf->commit.offset + pf->commit.size)
		return log_err(-EPROTO, "Trace page of %zu bytes is shorter than its header", len);
	commit = page_commit(pf, page);
	used = commit & RB_COMMIT_LEN;
	if (commit & ~RB_COMMIT_LEN)
		*ret_missed = true;	/* any flag bit: lost events, stored count, or unknown */
	if (used > len - pf->data)
		return log_err(-EPROTO, "Trace page says %" PRIu64 " bytes of records, it has room for %zu",
			       used, len - pf->data);
	data = page + pf->data;
	for (pos = 0; pos < used; pos += (uint64_t)n) {
		n = rec_size(data + pos, used - pos, &rec, &rec_len);
		if (n < 0)
			return log_err(-EPROTO, "Malformed trace record at offset %" PRIu64 " of a page of %" PRIu64 " bytes",
				       pos, used);
		if (n == 0)
			break;
		if (!rec || rec_len < sizeof(rec_type))
			continue;
		memcpy(&rec_type, rec, sizeof(rec_type));
		if (rec_type == type)
			fn(arg, rec, rec_len);
	}
	return 0;
}
