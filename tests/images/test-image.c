// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine/images: round trips of every image type and message, the refusals
 * of the reader on hand-made bad files (each naming file, entry and offset),
 * misuse of the writer, and the temporary-name/rename/abort behaviour.
 */
#define LOG_PREFIX "test-image: "

#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "image.h"
#include "io.h"
#include "log.h"
#include "pbwalk.h"
#include "pipe-data.pb-c.h"
#include "sample.h"
#include "tap.h"

static int dfd = -EBADF;
static char dir[] = "/tmp/vzcr-test-image.XXXXXX";

/* ---- helpers ---- */

/* The first error logged since the last call, and forget it. */
static const char *last_err(void)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s", log_first_error());
	log_reset_first();
	return buf;
}

/* true if the last error names every one of the NULL-terminated words */
static bool err_has(const char *first, ...)
{
	const char *msg = last_err(), *w;
	bool all = true;
	va_list ap;

	va_start(ap, first);
	for (w = first; w; w = va_arg(ap, const char *)) {
		if (!strstr(msg, w)) {
			diag("error message lacks '%s': %s", w, msg);
			all = false;
		}
	}
	va_end(ap);
	return all;
}

/* Hand-made file contents. */
struct bytes {
	uint8_t b[512];
	size_t n;
};

static void put_u32(struct bytes *b, uint32_t v)
{
	v = htole32(v);
	memcpy(b->b + b->n, &v, 4);
	b->n += 4;
}

static void put_raw(struct bytes *b, const void *p, size_t len)
{
	memcpy(b->b + b->n, p, len);
	b->n += len;
}

static void put_msg(struct bytes *b, const void *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);

	put_u32(b, len);
	b->n += protobuf_c_message_pack(msg, b->b + b->n);
}

static void put_file(const char *name, const struct bytes *b)
{
	_cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write_full(fd, b->b, b->n) < 0)
		bail_out("can't write %s/%s", dir, name);
}

static void put_pstree_head(struct bytes *b)
{
	b->n = 0;
	put_u32(b, IMG_COMMON_MAGIC);
	put_u32(b, img_desc_get(IMG_PSTREE)->magic);
}

/* Entries of @dir whose names start with @prefix. */
static int count_files(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		bail_out("can't list %s", dir);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    !strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static bool exists(const char *name)
{
	return faccessat(dfd, name, F_OK, 0) == 0;
}

static void remove_all(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dfd, de->d_name, 0);
	if (d)
		closedir(d);
}

/* Read image @type/@id and return its first entry (or NULL). */
static void *read_first(enum img_type type, unsigned int id)
{
	struct img *img = img_open(dfd, type, O_RDONLY, id);
	void *msg = NULL;

	if (img && img_read(img, &msg) != 1)
		msg = NULL;
	img_close(img);
	return msg;
}

/* ---- round trips ---- */

/* Read @s back from the directory and compare it with what was written. */
static bool read_back(const struct sample_img *s, char *where, size_t wlen)
{
	static uint8_t extra[SAMPLE_NPAGES * SAMPLE_PAGE];
	struct img *img = img_open(dfd, s->type, O_RDONLY, s->id);
	void *msg = NULL;
	bool same = img != NULL;
	size_t i;

	for (i = 0; same && i < s->n; i++) {
		snprintf(where, wlen, "entry %zu: ", i);
		same = img_read(img, &msg) == 1 && !pbw_diff(s->e[i].msg, msg, where, wlen);
		if (same && s->e[i].extra_len)
			same = !img_read_raw(img, extra, s->e[i].extra_len) &&
			       !memcmp(extra, s->e[i].extra, s->e[i].extra_len);
		img_free_entry(TAKE_PTR(msg));
	}
	if (same && s->raw_len)
		same = !img_read_raw(img, extra, s->raw_len) && !memcmp(extra, s->raw, s->raw_len);
	if (same && !s->raw_len) {
		snprintf(where, wlen, "end of file");
		same = img_read(img, &msg) == 0;
	}
	img_free_entry(msg);
	if (img_close(img) < 0)
		same = false;
	return same;
}

static void test_round_trip(void)
{
	struct sample_img *set;
	size_t n, i;
	char where[512];

	set = sample_set(&n);
	for (i = 0; i < n; i++) {
		const struct img_desc *d = img_desc_get(set[i].type);
		int ret = sample_write(dfd, &set[i]);
		char name[64];

		snprintf(name, sizeof(name), d->fname, set[i].id);
		where[0] = '\0';
		if (!ok(ret == 0 && read_back(&set[i], where, sizeof(where)),
			"round trip of %s (%zu entries)", name, set[i].n))
			diag("write: %d; differs at %s; %s", ret, where, last_err());
	}
}

/* Values picked out of the read-back messages, not through pbw_diff. */
static void test_known_values(void)
{
	PstreeEntry *ps = read_first(IMG_PSTREE, 0);
	CoreEntry *core = read_first(IMG_CORE, 1);
	MmEntry *mm = read_first(IMG_MM, 1);

	ok(ps && ps->pid == 1 && ps->n_threads == 3 && ps->threads[2] == 6,
	   "pstree: pid 1 with threads 1 5 6");
	ok(core && core->thread_info && core->thread_info->gpregs->ip == 0x00007f0123456789ULL &&
	   core->thread_info->gpregs->orig_ax == UINT64_MAX,
	   "core: 64-bit registers kept whole");
	ok(core && core->tc && !strcmp(core->tc->comm, "init \"ct101\"") &&
	   core->tc->oom_score_adj == -500 && core->thread_core->sched_nice == -5,
	   "core: comm, negative int32 and sint32");
	ok(core && core->thread_info->n_tls == 3 && !core->thread_info->tls[0]->read_exec_only &&
	   core->thread_info->tls[1]->read_exec_only,
	   "core: bools against their defaults");
	ok(mm && mm->n_vmas == 4 && mm->vmas[0]->fd == 4 && mm->vmas[1]->fd == -1 &&
	   mm->vmas[3]->status == 0x80000003U, "mm: sint64 fd and the top bit of status");
	img_free_entry(ps);
	img_free_entry(core);
	img_free_entry(mm);
}

/* The first bytes of the files, as CRIU lays them out. */
static void test_layout(void)
{
	uint32_t head[2] = { 0, 0 };
	struct stat st;
	int fd;

	fd = openat(dfd, "pstree.img", O_RDONLY);
	ok(fd >= 0 && read_full(fd, head, 8) == 8 && le32toh(head[0]) == IMG_COMMON_MAGIC &&
	   le32toh(head[1]) == 0x50273030U, "pstree.img starts with IMG_COMMON, PSTREE");
	close(fd);
	fd = openat(dfd, "inventory.img", O_RDONLY);
	ok(fd >= 0 && read_full(fd, head, 4) == 4 && le32toh(head[0]) == 0x58313116U,
	   "inventory.img starts with its own magic only");
	close(fd);
	fd = openat(dfd, "stats-dump", O_RDONLY);
	ok(fd >= 0 && read_full(fd, head, 8) == 8 && le32toh(head[0]) == IMG_SERVICE_MAGIC &&
	   le32toh(head[1]) == 0x57093306U, "stats-dump starts with IMG_SERVICE, STATS");
	close(fd);
	ok(fstatat(dfd, "pages-1.img", &st, 0) == 0 && st.st_size == SAMPLE_NPAGES * SAMPLE_PAGE,
	   "pages-1.img holds the pages and nothing else");
	ok(fstatat(dfd, "pstree.img", &st, 0) == 0 && (st.st_mode & 0777) == 0600,
	   "images are created mode 0600");
}

static void test_open_path(void)
{
	struct sample_img *set;
	size_t n, i, good = 0, tried = 0;
	char path[512];

	set = sample_set(&n);
	for (i = 0; i < n; i++) {
		const struct img_desc *d = img_desc_get(set[i].type);
		struct img *img;

		if (d->kind == IMG_KIND_RAW)
			continue;
		tried++;
		snprintf(path, sizeof(path), "%s/", dir);
		snprintf(path + strlen(path), sizeof(path) - strlen(path), d->fname, set[i].id);
		img = img_open_path(path);
		if (img && img_get_desc(img)->magic == d->magic && !strcmp(img_path(img), path))
			good++;
		else
			diag("%s: not identified: %s", path, last_err());
		img_close(img);
	}
	is_int(good, tried, "img_open_path identifies every image by its magic");
}

/* Entries bigger than the read buffer, and more entries than fit in it. */
static void test_big(void)
{
	static VmaEntry v[5000], *vp[5000];
	struct img *img;
	MmEntry mm = MM_ENTRY__INIT, *back = NULL;
	PagemapHead head = PAGEMAP_HEAD__INIT;
	PagemapEntry pe = PAGEMAP_ENTRY__INIT, *pb = NULL;
	bool all = true;
	char where[256] = "";
	int i;

	for (i = 0; i < 5000; i++) {
		vma_entry__init(&v[i]);
		v[i].start = 0x10000000ULL * i, v[i].end = v[i].start + 4096, v[i].fd = -i;
		vp[i] = &v[i];
	}
	mm.n_vmas = 5000, mm.vmas = vp;
	img = img_open(dfd, IMG_MM, O_WRONLY, 99);
	ok(img && img_write(img, &mm) == 0 && img_close(img) == 0, "write a 5000-VMA mm entry");
	back = read_first(IMG_MM, 99);
	ok(back && !pbw_diff(&mm.base, &back->base, where, sizeof(where)),
	   "a %zu-byte entry reads back equal", protobuf_c_message_get_packed_size(&mm.base));
	img_free_entry(back);

	img = img_open(dfd, IMG_PAGEMAP, O_WRONLY, 99);
	all = img && img_write(img, &head) == 0;
	for (i = 0; all && i < 20000; i++) {
		pe.vaddr = 4096ULL * i, pe.nr_pages = i;
		all = img_write(img, &pe) == 0;
	}
	ok(all && img_close(img) == 0, "write 20000 pagemap entries");
	img = img_open(dfd, IMG_PAGEMAP, O_RDONLY, 99);
	all = img && img_next_pb(img) == &pagemap_head__descriptor && img_read(img, (void **)&pb) == 1;
	img_free_entry(TAKE_PTR(pb));
	for (i = 0; all && i < 20000; i++) {
		all = img_next_pb(img) == &pagemap_entry__descriptor &&
		      img_read(img, (void **)&pb) == 1 && pb->vaddr == 4096ULL * i &&
		      pb->nr_pages == (uint32_t)i;
		img_free_entry(TAKE_PTR(pb));
	}
	ok(all && img_read(img, (void **)&pb) == 0, "all 20000 read back in order, then the end");
	img_close(img);
}

/* ---- refusals ---- */

/* Open @name as @type and expect NULL with @err. */
static bool open_fails(const char *name, enum img_type type, unsigned int id, int err)
{
	struct img *img = img_open(dfd, type, O_RDONLY, id);

	if (img) {
		img_close(img);
		diag("%s opened", name);
		return false;
	}
	if (errno != err)
		diag("%s: errno %d, expected %d", name, errno, err);
	return errno == err;
}

static void test_bad_magic(void)
{
	struct bytes b = { .n = 0 };
	char path[256];
	struct img *img;

	put_u32(&b, 0xdeadbeef), put_u32(&b, img_desc_get(IMG_PSTREE)->magic);
	put_file("pstree.img", &b);
	ok(open_fails("pstree.img", IMG_PSTREE, 0, EPROTO) &&
	   err_has("pstree.img", "0xdeadbeef", "offset 0", NULL), "refuse a wrong first magic");

	put_pstree_head(&b);
	put_file("core-7.img", &b);
	ok(open_fails("core-7.img", IMG_CORE, 7, EPROTO) &&
	   err_has("core-7.img", "offset 4", "PSTREE", "CORE", NULL),
	   "refuse the magic of another image type");

	b.n = 0;
	put_u32(&b, IMG_COMMON_MAGIC), put_u32(&b, 0x12345678);
	put_file("odd.img", &b);
	snprintf(path, sizeof(path), "%s/odd.img", dir);
	img = img_open_path(path);
	ok(!img && errno == EPROTO && err_has(path, "unknown image magic 0x12345678", "offset 4", NULL),
	   "refuse an unknown magic");
	img_close(img);

	b.n = 0;
	put_u32(&b, IMG_COMMON_MAGIC), put_u32(&b, img_desc_get(IMG_INVENTORY)->magic);
	put_file("inventory.img", &b);
	ok(open_fails("inventory.img", IMG_INVENTORY, 0, EPROTO) &&
	   err_has("inventory.img", "offset 0", NULL), "refuse IMG_COMMON before the inventory");
	snprintf(path, sizeof(path), "%s/inventory.img", dir);
	img = img_open_path(path);
	ok(!img && errno == EPROTO && err_has(path, "INVENTORY", NULL),
	   "img_open_path refuses it too");
	img_close(img);

	b.n = 0;
	put_u32(&b, IMG_SERVICE_MAGIC), put_u32(&b, img_desc_get(IMG_PSTREE)->magic);
	put_file("pstree.img", &b);
	ok(open_fails("pstree.img", IMG_PSTREE, 0, EPROTO) && err_has("IMG_SERVICE", NULL),
	   "refuse IMG_SERVICE before a common image");
}

static void test_truncated_magic(void)
{
	struct bytes b = { .n = 0 };

	put_file("pstree.img", &b);
	ok(open_fails("pstree.img", IMG_PSTREE, 0, EIO) &&
	   err_has("pstree.img", "truncated magic", "offset 0", NULL), "refuse an empty file");
	put_u32(&b, IMG_COMMON_MAGIC);
	put_raw(&b, "\x30\x30", 2);
	put_file("pstree.img", &b);
	ok(open_fails("pstree.img", IMG_PSTREE, 0, EIO) &&
	   err_has("pstree.img", "truncated type magic", "offset 4", "2 of 4", NULL),
	   "refuse a file cut inside the type magic");
}

/* Write @b as pstree.img and read it: @good entries, then @err. */
static bool read_fails(const struct bytes *b, int good, int err)
{
	struct img *img;
	void *msg = NULL;
	int i, ret = 0;

	put_file("pstree.img", b);
	img = img_open(dfd, IMG_PSTREE, O_RDONLY, 0);
	if (!img)
		return false;
	for (i = 0; i <= good; i++) {
		ret = img_read(img, &msg);
		img_free_entry(TAKE_PTR(msg));
		if (ret != 1)
			break;
	}
	img_close(img);
	if (i != good || ret != err)
		diag("read %d entries, then %d; expected %d, then %d", i, ret, good, err);
	return i == good && ret == err;
}

static void test_bad_entries(void)
{
	PstreeEntry ps = PSTREE_ENTRY__INIT;
	struct bytes b;

	ps.pid = 1;
	put_pstree_head(&b), put_msg(&b, &ps), put_raw(&b, "\x05\x00", 2);
	ok(read_fails(&b, 1, -EIO) &&
	   err_has("pstree.img", "entry 1", "offset 20", "truncated length", NULL),
	   "refuse a truncated length");

	put_pstree_head(&b), put_u32(&b, IMG_ENTRY_MAX + 1), put_raw(&b, "\x08\x01", 2);
	ok(read_fails(&b, 0, -EFBIG) &&
	   err_has("pstree.img", "entry 0", "offset 8", "over the limit", NULL),
	   "refuse a length over IMG_ENTRY_MAX");

	put_pstree_head(&b), put_msg(&b, &ps), put_u32(&b, 100), put_raw(&b, "\x08\x01\x10", 3);
	ok(read_fails(&b, 1, -EIO) &&
	   err_has("pstree.img", "entry 1", "offset 20", "length 100", "past the end", NULL),
	   "refuse a length past the end of the file");

	put_pstree_head(&b), put_u32(&b, 5), put_raw(&b, "\xff\xff\xff\xff\xff", 5);
	ok(read_fails(&b, 0, -EBADMSG) &&
	   err_has("pstree.img", "entry 0", "offset 8", "pstree_entry", NULL),
	   "refuse bytes that are no protobuf message");

	put_pstree_head(&b), put_msg(&b, &ps), put_u32(&b, 0);
	ok(read_fails(&b, 1, -EBADMSG) && err_has("entry 1", "offset 20", NULL),
	   "refuse an entry without its required fields");

	put_pstree_head(&b), put_u32(&b, 2), put_raw(&b, "\x28\x01", 2);	/* threads: 1 */
	ok(read_fails(&b, 0, -EBADMSG) && err_has("entry 0", "pstree_entry", NULL),
	   "refuse an entry that lacks only some required fields");
}

/* A stream (pipe) has no size to check against: a short body shows at read. */
static void test_truncated_body(void)
{
	struct bytes b;
	struct img *img;
	void *msg = NULL;
	char path[64];
	int p[2];

	put_pstree_head(&b), put_u32(&b, 100), put_raw(&b, "\x08\x01\x10", 3);
	if (pipe(p) < 0 || write_full(p[1], b.b, b.n) < 0)
		bail_out("can't make a pipe");
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	img = img_open_path(path);
	ok(img && img_read(img, &msg) == -EIO &&
	   err_has(path, "entry 0", "offset 8", "truncated body", "3 of 100", NULL),
	   "refuse a truncated body read from a pipe");
	img_free_entry(msg);
	img_close(img);
	close(p[0]);
}

static void test_raw_refusals(void)
{
	struct img *img;
	uint8_t page[SAMPLE_PAGE];
	void *msg = NULL;
	struct sample_img *set;
	size_t n, i;

	set = sample_set(&n);
	for (i = 0; i < n; i++)
		if (set[i].type == IMG_PAGES && sample_write(dfd, &set[i]) < 0)
			bail_out("can't write the sample pages");
	img = img_open(dfd, IMG_PAGES, O_RDONLY, 1);
	ok(img && img_read_raw(img, page, sizeof(page)) == 0 &&
	   img_read_raw(img, page, sizeof(page)) == 0 &&
	   img_read_raw(img, page, sizeof(page)) == 0, "read the three sample pages");
	ok(img && img_read_raw(img, page, 1) == -EIO &&
	   err_has("pages-1.img", "offset 12288", "truncated", NULL),
	   "refuse a raw read past the end");
	ok(img && img_read(img, &msg) == -EINVAL && err_has("raw image", NULL),
	   "img_read refuses a raw image");
	img_close(img);
}

/* ---- payloads stepped over (lseek in a file, reads in a pipe) ---- */

/* pipes-data.img: a payload of @big bytes (more than the read-ahead), then 3 */
static int write_two_payloads(size_t big, bool cut)
{
	PipeDataEntry e = PIPE_DATA_ENTRY__INIT;
	_cleanup_free_ char *data = calloc(1, big);
	struct img *img = img_open(dfd, IMG_PIPES_DATA, O_WRONLY, 0);

	if (!img || !data)
		return -1;
	memset(data, 'a', big);
	e.pipe_id = 1, e.bytes = (uint32_t)big;
	if (img_write(img, &e) || img_write_raw(img, data, cut ? big / 2 : big))
		return -1;
	e.pipe_id = 2, e.bytes = 3;
	if (!cut && (img_write(img, &e) || img_write_raw(img, "xyz", 3)))
		return -1;
	return img_close(img);
}

static void test_skip_payload(void)
{
	PipeDataEntry *e = NULL;
	struct img *img;
	size_t len = 0;
	char three[3];

	if (write_two_payloads(300000, false))
		bail_out("can't write pipes-data.img");
	img = img_open(dfd, IMG_PIPES_DATA, O_RDONLY, 0);
	ok(img && img_read(img, (void **)&e) == 1 && img_skip_payload(img, e, &len) == 0 &&
	   len == 300000, "step over a 300000-byte payload");
	img_free_entry(e);
	e = NULL;
	ok(img && img_read(img, (void **)&e) == 1 && e->pipe_id == 2 &&
	   img_read_raw(img, three, 3) == 0 && !memcmp(three, "xyz", 3),
	   "... and read the next entry and its payload right after it");
	img_free_entry(e);
	img_close(img);
	if (write_two_payloads(300000, true))
		bail_out("can't write pipes-data.img");
	e = NULL;
	img = img_open(dfd, IMG_PIPES_DATA, O_RDONLY, 0);
	ok(img && img_read(img, (void **)&e) == 1 && img_skip_payload(img, e, &len) == -EIO &&
	   err_has("pipes-data.img", "300000 raw bytes", "truncated", NULL),
	   "refuse to step over a payload cut short");
	img_free_entry(e);
	img_close(img);
}

/* ---- writer misuse ---- */

static void test_misuse(void)
{
	PstreeEntry ps = PSTREE_ENTRY__INIT;
	PagemapEntry pe = PAGEMAP_ENTRY__INIT;
	CoreEntry core = CORE_ENTRY__INIT;
	ThreadInfoX86 ti = THREAD_INFO_X86__INIT;
	struct img *img;
	void *msg = NULL;

	errno = 0;
	ok(!img_open(dfd, IMG_NR, O_RDONLY, 0) && errno == EINVAL, "refuse an unknown image type");
	ok(!img_open(dfd, IMG_PSTREE, O_RDWR, 0) && errno == EINVAL, "refuse O_RDWR");
	last_err();

	img = img_open(dfd, IMG_CORE, O_WRONLY, 42);
	ok(img && img_write(img, &ps) == -EINVAL && err_has("pstree_entry", "core_entry", NULL),
	   "img_write refuses a message of another type");
	core.thread_info = &ti;		/* gpregs and fpregs are required, unset */
	ok(img && img_write(img, &core) == -EINVAL && err_has("required", NULL),
	   "img_write refuses a message missing a required field");
	ok(img && img_read(img, &msg) == -EINVAL && err_has("opened for writing", NULL),
	   "img_read refuses an image being written");
	img_abort(img);

	img = img_open(dfd, IMG_PAGEMAP, O_WRONLY, 42);
	ok(img && img_write(img, &pe) == -EINVAL && err_has("pagemap_head", NULL),
	   "a pagemap starts with its head");
	img_abort(img);

	img = img_open(dfd, IMG_PAGES, O_WRONLY, 42);
	ok(img && img_write(img, &ps) == -EINVAL && err_has("raw image", NULL),
	   "img_write refuses a raw image");
	img_abort(img);
	last_err();
	ok(!exists("core-42.img") && !exists("pagemap-42.img") && !exists("pages-42.img"),
	   "aborted images leave no file");
}

/* ---- temporary name, rename, abort ---- */

static void test_tmp_rename(void)
{
	PstreeEntry ps = PSTREE_ENTRY__INIT;
	PstreeEntry *old = NULL;
	struct img *img;
	int ret;

	remove_all();
	ps.pid = 100;
	img = img_open(dfd, IMG_PSTREE, O_WRONLY, 0);
	ok(img && !exists("pstree.img") && count_files(".pstree.img.") == 1,
	   "a new image is written under a hidden name");
	ok(img && img_write(img, &ps) == 0 && !exists("pstree.img"),
	   "and stays hidden while entries go in");
	ok(img_close(img) == 0 && exists("pstree.img") && count_files(".") == 0,
	   "img_close renames it into place");

	ps.pid = 200;
	img = img_open(dfd, IMG_PSTREE, O_WRONLY, 0);
	ok(img && img_write(img, &ps) == 0, "rewrite an existing image");
	old = read_first(IMG_PSTREE, 0);
	ok(old && old->pid == 100, "the old image stays whole until img_close");
	img_free_entry(old);
	ok(img_close(img) == 0, "img_close replaces it");
	old = read_first(IMG_PSTREE, 0);
	ok(old && old->pid == 200 && count_files("") == 1, "with the new one, nothing else left");
	img_free_entry(old);

	img = img_open(dfd, IMG_PSTREE, O_WRONLY, 0);
	ps.pid = 300;
	if (img)
		img_write(img, &ps);
	img_abort(img);
	old = read_first(IMG_PSTREE, 0);
	ok(old && old->pid == 200 && count_files("") == 1,
	   "img_abort drops the new image and leaves the old one alone");
	img_free_entry(old);

	img = img_open(dfd, IMG_UTSNS, O_WRONLY, 3);
	img_abort(img);
	ok(count_files("") == 1, "img_abort of a new image leaves nothing");

	img = img_open(dfd, IMG_FS, O_WRONLY, 3);
	remove_all();		/* the temporary vanishes under the writer */
	ret = img ? img_close(img) : 0;
	ok(ret == -ENOENT && count_files("") == 0 && err_has("fs-3.img", NULL),
	   "a failed img_close reports it and leaves nothing");
	img_abort(NULL);
	ok(img_close(NULL) == 0, "img_close and img_abort take NULL");
}

static void test_dirs(void)
{
	char path[256];
	int fd, gone;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	fd = img_dir_open(path, true);
	ok(fd >= 0, "img_dir_open creates nested directories");
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/nope", dir);
	ok(img_dir_open(path, false) == -ENOENT && err_has("nope", NULL),
	   "img_dir_open without create wants the directory");

	snprintf(path, sizeof(path), "%s/gone", dir);
	gone = img_dir_open(path, true);
	rmdir(path);
	errno = 0;
	ok(gone >= 0 && !img_open(gone, IMG_PSTREE, O_WRONLY, 0) && errno == ENOENT &&
	   err_has("gone", "pstree.img", NULL), "writing into a removed directory fails cleanly");
	if (gone >= 0)
		close(gone);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
}

int main(void)
{
	_cleanup_close_ int logfd = -EBADF;
	char logpath[sizeof(dir) + 16];

	if (!mkdtemp(dir))
		bail_out("can't make a temporary directory");
	dfd = img_dir_open(dir, false);
	if (dfd < 0)
		bail_out("can't open %s", dir);
	/* errors are expected here: keep them out of the TAP stream */
	snprintf(logpath, sizeof(logpath), "%s.log", dir);
	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd >= 0)
		log_set_fd(logfd);

	test_round_trip();
	test_known_values();
	test_layout();
	test_open_path();
	test_big();
	remove_all();
	test_bad_magic();
	test_truncated_magic();
	test_bad_entries();
	test_truncated_body();
	remove_all();
	test_raw_refusals();
	test_skip_payload();
	test_misuse();
	test_tmp_rename();
	test_dirs();

	remove_all();
	close(dfd);
	rmdir(dir);
	unlink(logpath);
	return done_testing();
}
