// SPDX-License-Identifier: GPL-2.0-only
/* Reflection-based printing of protobuf-c messages as text or JSON. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pbfmt.h"

static void put_base64(FILE *f, const uint8_t *p, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];

		fprintf(f, "%c%c%c%c", tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63],
			tab[v & 63]);
	}
	if (len - i == 1)
		fprintf(f, "%c%c==", tab[p[i] >> 2], tab[(p[i] & 3) << 4]);
	else if (len - i == 2)
		fprintf(f, "%c%c%c=", tab[p[i] >> 2], tab[(p[i] & 3) << 4 | p[i + 1] >> 4],
			tab[(p[i + 1] & 15) << 2]);
}

void pbfmt_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Text form of a string: printable ASCII as is, the rest escaped. */
static void put_text_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			fputc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
	}
	fputc('"', f);
}

static void put_enum(FILE *f, const ProtobufCFieldDescriptor *fd, int v, bool json)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(fd->descriptor, v);

	if (!ev)
		fprintf(f, "%d", v);
	else if (json)
		fprintf(f, "\"%s\"", ev->name);
	else
		fprintf(f, "%s", ev->name);
}

static void put_msg(FILE *f, const ProtobufCMessage *msg, int indent, bool json);

/* One scalar or message value stored at @p. */
static void put_value(FILE *f, const ProtobufCFieldDescriptor *fd, const void *p, int indent,
		      bool json)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		fprintf(f, "%" PRId32, *(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		fprintf(f, "%" PRIu32, *(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		fprintf(f, "%" PRId64, *(const int64_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		fprintf(f, "%" PRIu64, *(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		fprintf(f, "%g", *(const float *)p);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		fprintf(f, "%g", *(const double *)p);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		fputs(*(const protobuf_c_boolean *)p ? "true" : "false", f);
		break;
	case PROTOBUF_C_TYPE_ENUM:
		put_enum(f, fd, *(const int *)p, json);
		break;
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;

		if (json)
			pbfmt_json_str(f, s ? s : "");
		else
			put_text_str(f, s ? s : "");
		break;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;

		if (json) {
			fputc('"', f);
			put_base64(f, b->data, b->len);
			fputc('"', f);
		} else {
			fprintf(f, "<%zu bytes> ", b->len);
			put_base64(f, b->data, b->len < 48 ? b->len : 48);
			if (b->len > 48)
				fputs("...", f);
		}
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		put_msg(f, *(ProtobufCMessage *const *)p, indent, json);
		break;
	}
}

static size_t value_size(const ProtobufCFieldDescriptor *fd)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return 8;
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	default:
		return 4;
	}
}

/* Is an optional (proto2) field present in @msg? */
static bool field_present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd)
{
	const char *base = (const char *)msg;

	if (fd->label == PROTOBUF_C_LABEL_REQUIRED)
		return true;
	if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)(base + fd->quantifier_offset) == fd->id;
	if (fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_MESSAGE)
		return *(void *const *)(base + fd->offset) != NULL;
	if (fd->quantifier_offset)
		return *(const protobuf_c_boolean *)(base + fd->quantifier_offset);
	return true;
}

static void put_indent(FILE *f, int indent)
{
	fprintf(f, "%*s", indent * 2, "");
}

static void put_repeated(FILE *f, const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd,
			 int indent, bool json)
{
	const char *base = (const char *)msg;
	size_t n = *(const size_t *)(base + fd->quantifier_offset);
	const char *arr = *(char *const *)(base + fd->offset);
	size_t i, sz = value_size(fd);
	bool nested = fd->type == PROTOBUF_C_TYPE_MESSAGE && !json;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (nested) {
			fputc('\n', f);
			put_indent(f, indent + 1);
		} else if (i) {
			fputs(", ", f);
		}
		put_value(f, fd, arr + i * sz, indent + 1, json);
	}
	if (nested && n) {
		fputc('\n', f);
		put_indent(f, indent);
	}
	fputc(']', f);
}

static void put_msg(FILE *f, const ProtobufCMessage *msg, int indent, bool json)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	bool first = true;
	unsigned int i;

	fputc('{', f);
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];

		if (fd->label != PROTOBUF_C_LABEL_REPEATED && !field_present(msg, fd))
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED &&
		    !*(const size_t *)((const char *)msg + fd->quantifier_offset) && !json)
			continue;
		if (json) {
			fprintf(f, "%s\"%s\": ", first ? "" : ", ", fd->name);
		} else {
			fputc('\n', f);
			put_indent(f, indent + 1);
			fprintf(f, "%s: ", fd->name);
		}
		first = false;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED)
			put_repeated(f, msg, fd, indent + 1, json);
		else
			put_value(f, fd, (const char *)msg + fd->offset, indent + 1, json);
	}
	if (!json && !first) {
		fputc('\n', f);
		put_indent(f, indent);
	}
	fputc('}', f);
}

void pbfmt_text(FILE *f, const ProtobufCMessage *msg, int indent)
{
	put_msg(f, msg, indent, false);
}

void pbfmt_json(FILE *f, const ProtobufCMessage *msg)
{
	put_msg(f, msg, 0, true);
}
