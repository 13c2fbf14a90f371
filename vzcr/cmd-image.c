// SPDX-License-Identifier: GPL-2.0-only
/* vzcr image show: decode image files for people (text) and scripts (JSON). */
#define LOG_PREFIX "image: "
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "cmd.h"
#include "image.h"
#include "log.h"
#include "pbfmt.h"

struct show_opts {
	const char *path;
	bool json;
};

/* Raw images (pages, tmpfs archives, ip addr/route dumps) have no magic: tell them by name. */
static const struct img_desc *raw_desc(const char *name)
{
	int t;

	for (t = 0; t < IMG_NR; t++) {
		const struct img_desc *d = img_desc_get(t);
		const char *id = d && d->fname ? strchr(d->fname, '%') : NULL;

		if (d && d->kind == IMG_KIND_RAW && id &&
		    !strncmp(name, d->fname, (size_t)(id - d->fname)))
			return d;
	}
	return NULL;
}

/* Raw images carry bytes of their own (pages, archives): say how much, not what. */
static int show_raw(const char *path, const char *name, const struct img_desc *d,
		    const struct show_opts *o)
{
	bool pages = d->type == IMG_PAGES;
	struct stat st;

	if (stat(path, &st) < 0)
		return log_perr(-errno, "Failed to stat '%s'", path);
	if (o->json) {
		printf("{\"file\": ");
		pbfmt_json_str(stdout, name);
		printf(", \"magic\": \"%s\", \"size\": %lld", d->name, (long long)st.st_size);
		if (pages)
			printf(", \"pages\": %lld", (long long)st.st_size / 4096);
		printf("}");
	} else if (pages) {
		printf("%s: PAGES, %lld bytes (%lld pages)\n", name, (long long)st.st_size,
		       (long long)st.st_size / 4096);
	} else {
		printf("%s: %s, %lld bytes\n", name, d->name, (long long)st.st_size);
	}
	return 0;
}

static int show_entries(struct img *img, const struct show_opts *o)
{
	void *msg;
	int n = 0, ret;

	while ((ret = img_read(img, &msg)) > 0) {
		size_t extra;

		ret = img_skip_payload(img, msg, &extra);
		if (o->json) {
			printf("%s", n ? ", " : "");
			pbfmt_json(stdout, msg);
		} else {
			printf("  [%d] ", n);
			pbfmt_text(stdout, msg, 1);
			if (extra)
				printf(" + %zu bytes of data", extra);
			printf("\n");
		}
		n++;
		img_free_entry(msg);
		if (ret < 0)
			break;
	}
	return ret < 0 ? ret : n;
}

static int show_file(const char *path, const char *name, const struct show_opts *o)
{
	const struct img_desc *d;
	struct img *img;
	int ret;

	d = raw_desc(name);
	if (d)
		return show_raw(path, name, d, o);
	img = img_open_path(path);
	if (!img)
		return -errno;
	d = img_get_desc(img);
	if (o->json) {
		printf("{\"file\": ");
		pbfmt_json_str(stdout, name);
		printf(", \"magic\": \"%s\", \"entries\": [", d->name);
	} else {
		printf("%s: %s\n", name, d->name);
	}
	ret = show_entries(img, o);
	if (o->json)
		printf("]}");
	img_close(img);
	fflush(stdout);
	return ret < 0 ? ret : 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.img in @dir, in name order; one failing file fails the command. */
static int show_dir(const char *dir, const struct show_opts *o)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	_cleanup_free_ char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	int ret = 0;

	if (!d)
		return log_perr(-errno, "Failed to open directory '%s'", dir);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (l < 5 || strcmp(de->d_name + l - 4, ".img") || de->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			return log_perr(-ENOMEM, "Failed to list '%s'", dir);
		names = nn;
		names[n++] = de->d_name;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	if (o->json) {
		printf("{\"dir\": ");
		pbfmt_json_str(stdout, dir);
		printf(", \"images\": [");
	}
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (o->json && i)
			printf(", ");
		r = show_file(path, names[i], o);
		if (r < 0 && !ret)
			ret = r;
	}
	if (o->json)
		printf("]}\n");
	return ret;
}

static int image_show(const struct show_opts *o)
{
	const char *base;
	struct stat st;
	int ret;

	if (stat(o->path, &st) < 0)
		return log_perr(-errno, "Failed to stat '%s'", o->path);
	if (S_ISDIR(st.st_mode))
		return show_dir(o->path, o);
	base = strrchr(o->path, '/');
	ret = show_file(o->path, base ? base + 1 : o->path, o);
	if (o->json)
		printf("\n");
	return ret;
}

static int image_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct show_opts o = {};
	int c;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cmd_usage(&cmd_image, stdout);
		return 0;
	}
	if (argc < 2)
		return cmd_usage_error(&cmd_image, "missing subcommand");
	if (strcmp(argv[1], "show"))
		return cmd_usage_error(&cmd_image, "unknown subcommand '%s'", argv[1]);
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'h':
			cmd_usage(&cmd_image, stdout);
			return 0;
		default:
			return cmd_usage_error(&cmd_image, "bad option");
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error(&cmd_image, "expected one PATH");
	o.path = argv[optind];
	return image_show(&o) < 0 ? 1 : 0;
}

const struct cmd cmd_image = {
	.name = "image",
	.summary = "decode image files: image show PATH [--json]",
	.usage = "Usage: vzcr image show PATH [--json]\n"
		 "Decode vzcr (CRIU-format) images. PATH is one image file or a directory,\n"
		 "whose *.img files are shown in name order.\n\n"
		 "  --json      one JSON object: {\"file\", \"magic\", \"entries\": [...]} per\n"
		 "              image (a directory: {\"dir\", \"images\": [...]}); bytes fields\n"
		 "              in base64, enums by name, as crit decode prints them\n"
		 "  -h, --help  this text\n\n"
		 "Exit status: 0 decoded, 1 an image is unreadable or malformed (the error\n"
		 "names the file, entry and offset), 2 usage error.\n",
	.run = image_run,
};
