// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovz2img --info: the facts a person needs to decide whether a dump is worth
 * converting: version and kernel generation, arch, sections with object
 * counts, and the tasks with their pids and commands.
 */
#include <inttypes.h>
#include <time.h>

#include "info.h"

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void print_text(FILE *out, const struct cpt_file *f, const char *path)
{
	const struct cpt_header *h = &f->hdr;
	time_t t = h->start_sec;
	char when[64] = "?";
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(out, "file:       %s (%" PRIu64 " bytes)\n", path, f->size);
	fprintf(out, "version:    %#x %s\n", h->version, f->ver->name);
	fprintf(out, "kernel:     %s\n", f->ver->kernel);
	fprintf(out, "arch:       %s\n", cpt_arch_name(h->arch));
	fprintf(out, "page size:  %u\nHZ:         %u\n", h->pagesize, h->hz);
	fprintf(out, "dumped at:  %s\n", when);
	fprintf(out, "hostname:   %s\n", f->utsname[0][0] ? f->utsname[0] : "-");
	fprintf(out, "sections:   %zu\n", f->nsects);
	fprintf(out, "  %-10s %-4s %-18s %10s %8s\n", "offset", "code", "name", "bytes", "objects");
	for (size_t i = 0; i < f->nsects; i++)
		fprintf(out, "  %#-10" PRIx64 " %-4u %-18s %10" PRIu64 " %8" PRIu64 "\n", f->sects[i].pos,
			f->sects[i].code, cpt_section_name(f->sects[i].code), f->sects[i].len,
			f->sects[i].nobjs);
	fprintf(out, "tasks:      %zu\n", f->ntasks);
	fprintf(out, "  %6s %6s %6s %6s %6s %6s %5s  %s\n", "pid", "tgid", "ppid", "pgrp", "sid",
		"uid", "bits", "comm");
	for (size_t i = 0; i < f->ntasks; i++) {
		const struct cpt_task *k = &f->tasks[i];

		fprintf(out, "  %6u %6u %6u %6u %6u %6u %5s  %s\n", k->pid, k->tgid, k->rppid,
			k->pgrp, k->session, k->uid, k->is64 ? "64" : "32", k->comm);
	}
}

static void print_json_tasks(FILE *out, const struct cpt_file *f)
{
	fputs("  \"tasks\": [", out);
	for (size_t i = 0; i < f->ntasks; i++) {
		const struct cpt_task *k = &f->tasks[i];

		fprintf(out, "%s\n    {\"offset\": %" PRIu64 ", \"pid\": %u, \"tgid\": %u, \"ppid\": %u, \"pgrp\": %u, \"session\": %u, \"uid\": %u, \"gid\": %u, \"64bit\": %s, \"state\": %" PRIu64 ", \"record_len\": %u, \"comm\": ",
			i ? "," : "", k->pos, k->pid, k->tgid, k->rppid, k->pgrp, k->session,
			k->uid, k->gid, k->is64 ? "true" : "false", k->state, k->hdrlen);
		json_str(out, k->comm);
		fputc('}', out);
	}
	fputs(f->ntasks ? "\n  ]\n" : "]\n", out);
}

static void print_json(FILE *out, const struct cpt_file *f, const char *path)
{
	const struct cpt_header *h = &f->hdr;
	static const char *const uts[3] = { "nodename", "domainname", "release" };

	fputs("{\n  \"file\": ", out);
	json_str(out, path);
	fprintf(out, ",\n  \"size\": %" PRIu64 ",\n", f->size);
	fprintf(out, "  \"version\": {\"value\": %u, \"hex\": \"%#x\", \"name\": \"%s\", \"kernel\": \"%s\"},\n",
		h->version, h->version, f->ver->name, f->ver->kernel);
	fprintf(out, "  \"arch\": \"%s\",\n  \"pagesize\": %u,\n  \"hz\": %u,\n  \"start_sec\": %u,\n",
		cpt_arch_name(h->arch), h->pagesize, h->hz, h->start_sec);
	fputs("  \"utsname\": {", out);
	for (int i = 0; i < 3; i++) {
		fprintf(out, "%s\"%s\": ", i ? ", " : "", uts[i]);
		json_str(out, f->utsname[i]);
	}
	fputs("},\n  \"sections\": [", out);
	for (size_t i = 0; i < f->nsects; i++)
		fprintf(out, "%s\n    {\"offset\": %" PRIu64 ", \"code\": %u, \"name\": \"%s\", \"bytes\": %" PRIu64 ", \"objects\": %" PRIu64 "}",
			i ? "," : "", f->sects[i].pos, f->sects[i].code,
			cpt_section_name(f->sects[i].code), f->sects[i].len, f->sects[i].nobjs);
	fputs("\n  ],\n", out);
	print_json_tasks(out, f);
	fputs("}\n", out);
}

void cpt_info_print(FILE *out, const struct cpt_file *f, const char *path, bool json)
{
	if (json)
		print_json(out, f, path);
	else
		print_text(out, f, path);
}
