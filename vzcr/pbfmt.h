/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Print any protobuf-c message by reflection over its descriptor: as
 * indented "field: value" text for people, or as JSON (the shape crit
 * decode prints: bytes in base64, enums by name) for scripts.
 */
#ifndef VZCR_PBFMT_H
#define VZCR_PBFMT_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

void pbfmt_text(FILE *f, const ProtobufCMessage *msg, int indent);
void pbfmt_json(FILE *f, const ProtobufCMessage *msg);
/* A JSON string literal with escapes. */
void pbfmt_json_str(FILE *f, const char *s);

#endif /* VZCR_PBFMT_H */
