/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Walk protobuf-c messages through their descriptors, for the image tests:
 * pbw_diff() compares two messages field by field and names the first field
 * that differs; pbw_json() prints a message as crit prints it without
 * --pretty (the fields present on the wire, enums by name, bytes in base64).
 * Header-only because each test program links one object of its own.
 */
#ifndef VZCR_TESTS_PBWALK_H
#define VZCR_TESTS_PBWALK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#define PBW_AT(m, off)	((const char *)(m) + (off))

/* Number of values of @f in @m: 0 if absent, 1 for a present single field. */
static inline size_t pbw_count(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const void *p;

	switch (f->label) {
	case PROTOBUF_C_LABEL_REQUIRED:
		return 1;
	case PROTOBUF_C_LABEL_REPEATED:
		return *(const size_t *)PBW_AT(m, f->quantifier_offset);
	default:
		break;
	}
	if (f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING) {
		p = *(const void *const *)PBW_AT(m, f->offset);
		/* protobuf-c does not pack an optional string left at its default */
		return p && p != f->default_value;
	}
	return *(const protobuf_c_boolean *)PBW_AT(m, f->quantifier_offset) ? 1 : 0;
}

static inline size_t pbw_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	default:
		return 4;
	}
}

/* Address of value @i of @f (present, @i < count). */
static inline const void *pbw_value(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
				    size_t i)
{
	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		return *(const char *const *)PBW_AT(m, f->offset) + i * pbw_size(f->type);
	return PBW_AT(m, f->offset);
}

static inline bool pbw_is_signed(ProtobufCType t)
{
	return t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_SINT32 ||
	       t == PROTOBUF_C_TYPE_SFIXED32 || t == PROTOBUF_C_TYPE_ENUM;
}

/* A scalar as an integer; floats do not occur in the image schemas. */
static inline bool pbw_int(const void *v, ProtobufCType t, int64_t *s, uint64_t *u)
{
	size_t sz = pbw_size(t);

	if (t == PROTOBUF_C_TYPE_STRING || t == PROTOBUF_C_TYPE_BYTES ||
	    t == PROTOBUF_C_TYPE_MESSAGE || t == PROTOBUF_C_TYPE_FLOAT ||
	    t == PROTOBUF_C_TYPE_DOUBLE)
		return false;
	if (sz == 8) {
		memcpy(u, v, 8);
		*s = (int64_t)*u;
	} else if (pbw_is_signed(t)) {
		int32_t x;

		memcpy(&x, v, 4);
		*s = x;
		*u = (uint64_t)*s;
	} else {
		uint32_t x;

		memcpy(&x, v, 4);
		*u = x;
		*s = x;
	}
	return true;
}

static inline bool pbw_diff(const ProtobufCMessage *a, const ProtobufCMessage *b, char *where,
			    size_t wlen);

static inline bool pbw_diff_value(const ProtobufCFieldDescriptor *f, const void *va,
				  const void *vb, char *where, size_t wlen)
{
	const ProtobufCBinaryData *ba = va, *bb = vb;
	const char *sa, *sb;
	int64_t s1 = 0, s2 = 0;
	uint64_t u1 = 0, u2 = 0;

	switch (f->type) {
	case PROTOBUF_C_TYPE_MESSAGE:
		return pbw_diff(*(ProtobufCMessage *const *)va, *(ProtobufCMessage *const *)vb,
				where, wlen);
	case PROTOBUF_C_TYPE_STRING:
		sa = *(const char *const *)va;
		sb = *(const char *const *)vb;
		return strcmp(sa ? sa : "", sb ? sb : "") != 0;
	case PROTOBUF_C_TYPE_BYTES:
		return ba->len != bb->len || (ba->len && memcmp(ba->data, bb->data, ba->len));
	default:
		pbw_int(va, f->type, &s1, &u1);
		pbw_int(vb, f->type, &s2, &u2);
		if (f->type == PROTOBUF_C_TYPE_BOOL)
			return !u1 != !u2;
		return u1 != u2;
	}
}

/*
 * true if @a and @b differ in any field; @where then names the field path
 * ("core_entry.tc.comm[0]").
 */
static inline bool pbw_diff(const ProtobufCMessage *a, const ProtobufCMessage *b, char *where,
			    size_t wlen)
{
	const ProtobufCMessageDescriptor *d = a->descriptor;
	size_t i, k, na, nb, len;

	if (a->descriptor != b->descriptor) {
		snprintf(where, wlen, "%s vs %s", d->name, b->descriptor->name);
		return true;
	}
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		na = pbw_count(a, f);
		nb = pbw_count(b, f);
		len = strlen(where);
		snprintf(where + len, wlen - len, "%s%s", len ? "." : "", f->name);
		if (na != nb)
			return true;
		for (k = 0; k < na; k++) {
			size_t l2 = strlen(where);

			if (f->label == PROTOBUF_C_LABEL_REPEATED)
				snprintf(where + l2, wlen - l2, "[%zu]", k);
			if (pbw_diff_value(f, pbw_value(a, f, k), pbw_value(b, f, k), where, wlen))
				return true;
			where[l2] = '\0';
		}
		where[len] = '\0';
	}
	return false;
}

static inline void pbw_base64(FILE *out, const uint8_t *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	fputc('"', out);
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];

		fprintf(out, "%c%c%c%c", tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63],
			tab[v & 63]);
	}
	if (n - i == 1)
		fprintf(out, "%c%c==", tab[p[i] >> 2], tab[(p[i] & 3) << 4]);
	else if (n - i == 2)
		fprintf(out, "%c%c%c=", tab[p[i] >> 2], tab[((p[i] & 3) << 4) | p[i + 1] >> 4],
			tab[(p[i + 1] & 15) << 2]);
	fputc('"', out);
}

static inline void pbw_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static inline void pbw_json(FILE *out, const ProtobufCMessage *m);

static inline void pbw_json_value(FILE *out, const ProtobufCFieldDescriptor *f, const void *v)
{
	const ProtobufCEnumValue *ev;
	int64_t s = 0;
	uint64_t u = 0;

	switch (f->type) {
	case PROTOBUF_C_TYPE_MESSAGE:
		pbw_json(out, *(ProtobufCMessage *const *)v);
		return;
	case PROTOBUF_C_TYPE_STRING:
		pbw_json_str(out, *(const char *const *)v);
		return;
	case PROTOBUF_C_TYPE_BYTES:
		pbw_base64(out, ((const ProtobufCBinaryData *)v)->data,
			   ((const ProtobufCBinaryData *)v)->len);
		return;
	default:
		break;
	}
	pbw_int(v, f->type, &s, &u);
	if (f->type == PROTOBUF_C_TYPE_BOOL) {
		fputs(u ? "true" : "false", out);
	} else if (f->type == PROTOBUF_C_TYPE_ENUM) {
		ev = protobuf_c_enum_descriptor_get_value(f->descriptor, (int)s);
		if (ev)
			pbw_json_str(out, ev->name);
		else
			fprintf(out, "%" PRId64, s);
	} else if (pbw_is_signed(f->type) || f->type == PROTOBUF_C_TYPE_INT64 ||
		   f->type == PROTOBUF_C_TYPE_SINT64 || f->type == PROTOBUF_C_TYPE_SFIXED64) {
		fprintf(out, "%" PRId64, s);
	} else {
		fprintf(out, "%" PRIu64, u);
	}
}

/*
 * The fields of @m that go on the wire, in field order, as JSON members
 * without the braces; returns the number printed.
 */
static inline size_t pbw_json_fields(FILE *out, const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	size_t i, k, n, printed = 0;

	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		n = pbw_count(m, f);
		if (!n)
			continue;
		fprintf(out, "%s\"%s\": ", printed++ ? ", " : "", f->name);
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			fputc('[', out);
		for (k = 0; k < n; k++) {
			if (k)
				fputs(", ", out);
			pbw_json_value(out, f, pbw_value(m, f, k));
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			fputc(']', out);
	}
	return printed;
}

/* @m as one JSON object. */
static inline void pbw_json(FILE *out, const ProtobufCMessage *m)
{
	fputc('{', out);
	pbw_json_fields(out, m);
	fputc('}', out);
}

#endif /* VZCR_TESTS_PBWALK_H */
