// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkimages DIR: write the sample image set (sample.h) into DIR with the
 * engine's image writer, and print on stdout, as JSON, what a decoder must
 * find in each file:
 *	{"images": {"pstree.img": {"magic": "PSTREE", "entries": [...]}, ...},
 *	 "raw": {"pages-1.img": "<hex of the whole file>"}}
 * Entries are printed as crit prints them without --pretty; a payload that
 * follows an entry is its "extra", in base64.
 *
 * mkimages -c DIR: read the sample set back from DIR (e.g. after crit
 * encode rewrote it) and compare it field by field; exit 1 on a difference.
 * Both are driven by crit.t.
 */
#define LOG_PREFIX "mkimages: "

#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "image.h"
#include "log.h"
#include "pbwalk.h"
#include "sample.h"

static const char *file_name(int dfd, const struct sample_img *s)
{
	static char name[256];
	struct img *img;

	/* the image's own name, as the writer chose it: open it back */
	img = img_open(dfd, s->type, O_RDONLY, s->id);
	if (!img)
		return NULL;
	snprintf(name, sizeof(name), "%s", strrchr(img_path(img), '/') ?
		 strrchr(img_path(img), '/') + 1 : img_path(img));
	img_close(img);
	return name;
}

static void print_entries(const struct sample_img *s)
{
	size_t i;

	printf("{\"magic\": \"%s\", \"entries\": [", img_desc_get(s->type)->name);
	for (i = 0; i < s->n; i++) {
		const struct sample_entry *e = &s->e[i];

		printf("%s", i ? ",\n    " : "\n    ");
		if (!e->extra_len) {
			pbw_json(stdout, e->msg);
			continue;
		}
		/* crit puts the payload into the entry as "extra" */
		printf("{");
		if (pbw_json_fields(stdout, e->msg))
			printf(", ");
		printf("\"extra\": ");
		pbw_base64(stdout, e->extra, e->extra_len);
		printf("}");
	}
	printf("]}");
}

static int mismatch(const struct img *img, size_t i, const char *what)
{
	fprintf(stderr, "%s: entry %zu: %s differs\n", img_path(img), i, what);
	return -1;
}

/* Read one sample image back and compare; 0 if equal. */
static int check_one(int dfd, const struct sample_img *s)
{
	static uint8_t extra[SAMPLE_NPAGES * SAMPLE_PAGE];
	struct img *img = img_open(dfd, s->type, O_RDONLY, s->id);
	char where[512] = "";
	void *msg = NULL;
	size_t i;
	int ret = 0;

	if (!img)
		return -1;
	for (i = 0; i < s->n && !ret; i++) {
		if (img_read(img, &msg) != 1)
			ret = mismatch(img, i, "presence");
		else if (pbw_diff(s->e[i].msg, msg, where, sizeof(where)))
			ret = mismatch(img, i, where);
		else if (s->e[i].extra_len && (img_read_raw(img, extra, s->e[i].extra_len) ||
					       memcmp(extra, s->e[i].extra, s->e[i].extra_len)))
			ret = mismatch(img, i, "payload");
		img_free_entry(TAKE_PTR(msg));
	}
	if (!ret && s->raw_len && (img_read_raw(img, extra, s->raw_len) ||
				   memcmp(extra, s->raw, s->raw_len)))
		ret = mismatch(img, 0, "raw content");
	if (!ret && !s->raw_len && img_read(img, &msg) != 0)
		ret = mismatch(img, s->n, "entry count");
	img_free_entry(msg);
	img_close(img);
	return ret;
}

static int check_set(const char *dir)
{
	_cleanup_close_ int dfd = img_dir_open(dir, false);
	struct sample_img *set;
	size_t n, i;
	int ret = 0;

	if (dfd < 0)
		return 1;
	set = sample_set(&n);
	for (i = 0; i < n; i++)
		if (check_one(dfd, &set[i]) < 0)
			ret = 1;
	return ret;
}

int main(int argc, char **argv)
{
	_cleanup_close_ int dfd = -EBADF;
	struct sample_img *set;
	size_t n, i, k;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "-c"))
		return check_set(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR | -c DIR\n", argv[0]);
		return 2;
	}
	dfd = img_dir_open(argv[1], true);
	if (dfd < 0)
		return 1;
	set = sample_set(&n);
	for (i = 0; i < n; i++) {
		ret = sample_write(dfd, &set[i]);
		if (ret < 0)
			return 1;
	}
	printf("{\"images\": {");
	for (i = 0, k = 0; i < n; i++) {
		const char *name = file_name(dfd, &set[i]);

		if (!name)
			return 1;
		if (set[i].raw_len)
			continue;
		printf("%s\n  \"%s\": ", k++ ? "," : "", name);
		print_entries(&set[i]);
	}
	printf("},\n \"raw\": {");
	for (i = 0, k = 0; i < n; i++) {
		const uint8_t *p = set[i].raw;
		size_t j;

		if (!set[i].raw_len)
			continue;
		printf("%s\n  \"%s\": \"", k++ ? "," : "", file_name(dfd, &set[i]));
		for (j = 0; j < set[i].raw_len; j++)
			printf("%02x", p[j]);
		printf("\"");
	}
	printf("}}\n");
	return fflush(stdout) ? 1 : 0;
}
