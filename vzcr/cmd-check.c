// SPDX-License-Identifier: GPL-2.0-only
/* vzcr check: print what the kernel and host offer the engine (kerndat). */
#define LOG_PREFIX "check: "
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "kerndat.h"
#include "log.h"

static const char check_usage[] =
	"Usage: vzcr check [--json]\n"
	"\n"
	"Probe the running kernel and host for the features that checkpoint, restore\n"
	"and live migration use, by trying each one (in short-lived child processes\n"
	"where needed), and report which are present.\n"
	"\n"
	"One line per feature: its name, \"yes\" or \"no\", \"required\" or \"optional\",\n"
	"what the engine uses it for, and in brackets what the probe found (sizes,\n"
	"paths, or the error that said no). Then the dirty-memory tracker that\n"
	"pre-dumps use on this host: soft-dirty, else PAGEMAP_SCAN with userfaultfd\n"
	"async write-protect, else a page hash compare. The last line names the\n"
	"required features that are missing, if any.\n"
	"\n"
	"Options:\n"
	"  --json      print one JSON object instead: \"features\", an array of objects\n"
	"              with \"key\", \"name\", \"have\", \"required\", \"purpose\" and\n"
	"              \"detail\"; \"dirty_tracker\" (\"soft-dirty\", \"pagemap-scan\" or\n"
	"              \"hash\"); \"ok\" (true when every required feature is present);\n"
	"              \"missing\", the keys of the required features that are absent\n"
	"  -h, --help  print this text and exit\n"
	"\n"
	"Exit status: 0 when every required feature is present, 1 when some are\n"
	"missing, 2 on a usage error.\n";

struct check_opts {
	bool json;
};

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* @s as a JSON string; bytes that are not UTF-8 become U+FFFD. */
static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	fputc('"', f);
	for (; *p; p += n) {
		n = utf8_len(p);
		if (!n) {
			fputs("\\ufffd", f);
			n = 1;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '\t') {
			fputs("\\t", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fwrite(p, 1, n, f);
		}
	}
	fputc('"', f);
}

static void print_json(const struct kerndat *kd)
{
	const struct kd_desc *d;
	const char *sep = "";
	int f;

	printf("{\"features\":[");
	for (f = 0; f < KD_NR; f++) {
		d = kerndat_desc(f);
		printf("%s{\"key\":", f ? "," : "");
		json_str(stdout, d->key);
		printf(",\"name\":");
		json_str(stdout, d->name);
		printf(",\"have\":%s,\"required\":%s,\"purpose\":",
		       kd->feat[f].have ? "true" : "false", d->required ? "true" : "false");
		json_str(stdout, d->purpose);
		printf(",\"detail\":");
		json_str(stdout, kd->feat[f].detail);
		printf("}");
	}
	printf("],\"dirty_tracker\":");
	json_str(stdout, kerndat_tracker_key(kd->tracker));
	printf(",\"ok\":%s,\"missing\":[", kerndat_ok(kd) ? "true" : "false");
	for (f = 0; f < KD_NR; f++) {
		d = kerndat_desc(f);
		if (!d->required || kd->feat[f].have)
			continue;
		printf("%s", sep);
		json_str(stdout, d->key);
		sep = ",";
	}
	printf("]}\n");
}

static void print_text(const struct kerndat *kd)
{
	const struct kd_desc *d;
	const char *sep = "";
	int f;

	for (f = 0; f < KD_NR; f++) {
		d = kerndat_desc(f);
		printf("%-36s %-3s  %-8s  %s [%s]\n", d->name, kd->feat[f].have ? "yes" : "no",
		       d->required ? "required" : "optional", d->purpose, kd->feat[f].detail);
	}
	printf("\ndirty-memory tracker: %s\n", kerndat_tracker_name(kd->tracker));
	if (kerndat_ok(kd)) {
		printf("All required features are present.\n");
		return;
	}
	printf("Missing required features: ");
	for (f = 0; f < KD_NR; f++) {
		d = kerndat_desc(f);
		if (!d->required || kd->feat[f].have)
			continue;
		printf("%s%s", sep, d->name);
		sep = ", ";
	}
	printf("\n");
}

/* Returns 0 with @o filled, or the exit status of a usage error or --help. */
static int parse_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'h':
			cmd_usage(&cmd_check, stdout);
			return -1;
		default:
			if (optopt)
				return cmd_usage_error(&cmd_check, "unknown option '-%c'", optopt);
			return cmd_usage_error(&cmd_check, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_check, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int check_run(int argc, char **argv)
{
	struct check_opts o = { 0 };
	const struct kerndat *kd;
	int r;

	r = parse_opts(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	kd = kerndat_get();
	if (o.json)
		print_json(kd);
	else
		print_text(kd);
	if (fflush(stdout) || ferror(stdout)) {
		pr_perror("Failed to write the report");
		return 1;
	}
	return kerndat_ok(kd) ? 0 : 1;
}

const struct cmd cmd_check = {
	.name = "check",
	.summary = "show which kernel features the engine needs and which are missing",
	.usage = check_usage,
	.run = check_run,
};
