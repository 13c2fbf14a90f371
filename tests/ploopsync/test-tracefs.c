// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracefs parsers against forged input: format files (the kernel 6.18
 * text of block_rq_complete and header_page), and trace_pipe_raw pages with
 * every kind of record (short and long data, time extend, time stamp,
 * discarded padding, end padding), the lost-events flags, and every
 * malformed page the reader must refuse rather than read past.
 */
#include <fcntl.h>
#include <string.h>

#include "log.h"
#include "tap.h"
#include "tracefs.h"

static const char event_fmt[] =
	"name: block_rq_complete\nID: 2107\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:dev_t dev;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:sector_t sector;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int nr_sector;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:char rwbs[10];\toffset:34;\tsize:10;\tsigned:0;\n"
	"\tfield:__data_loc char[] cmd;\toffset:44;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"%d,%d %s\", REC->dev\n";

static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";

static void test_formats(void)
{
	struct tfs_field f;
	uint32_t id;

	ok(!tfs_event_id(event_fmt, &id) && id == 2107, "event ID read");
	ok(tfs_event_id("name: x\nformat:\n", &id) == -EPROTO, "a format without ID is refused");
	ok(!tfs_find_field(event_fmt, "sector", &f) && f.offset == 16 && f.size == 8, "sector field");
	ok(!tfs_find_field(event_fmt, "rwbs", &f) && f.offset == 34 && f.size == 10, "array field rwbs[10]");
	ok(!tfs_find_field(event_fmt, "cmd", &f) && f.offset == 44, "__data_loc char[] field");
	ok(!tfs_find_field(event_fmt, "dev", &f) && f.offset == 8 && f.size == 4, "dev is not common_pid");
	ok(tfs_find_field(event_fmt, "nr", &f) == -ENOENT, "a prefix of a name does not match");
	ok(!tfs_find_field(header_page, "commit", &f) && f.offset == 8 && f.size == 8, "page commit field");
	ok(!tfs_find_field(header_page, "data", &f) && f.offset == 16, "page data field");
	ok(tfs_find_field("\tfield:int x;\toffset:99999999;\tsize:4;\n", "x", &f) == -EPROTO,
	   "an absurd offset is refused");
}

static const struct tfs_page_fmt pf = { .commit = { 8, 8 }, .data = 16, .page_size = 4096 };

struct page {
	unsigned char b[4096];
	size_t pos;
};

static void put32(struct page *p, uint32_t v)
{
	memcpy(p->b + 16 + p->pos, &v, 4);
	p->pos += 4;
}

/* A data record of @len bytes (a multiple of 4) with common_type @type. */
static void put_rec(struct page *p, uint16_t type, uint32_t len, bool long_form)
{
	if (long_form) {
		put32(p, 0);
		put32(p, len + 4);
	} else {
		put32(p, len / 4);
	}
	memset(p->b + 16 + p->pos, 0xab, len);
	memcpy(p->b + 16 + p->pos, &type, 2);
	p->pos += len;
}

static void set_commit(struct page *p, uint64_t flags)
{
	uint64_t c = p->pos | flags;

	memcpy(p->b + 8, &c, 8);
}

struct count {
	int n;
	size_t len[8];
};

static void counter(void *arg, const unsigned char *rec, size_t len)
{
	struct count *c = arg;

	(void)rec;
	if (c->n < 8)
		c->len[c->n] = len;
	c->n++;
}

static int parse(struct page *p, size_t len, struct count *c, bool *missed)
{
	memset(c, 0, sizeof(*c));
	*missed = false;
	return tfs_parse_page(&pf, p->b, len, 7, counter, c, missed);
}

static void test_pages(void)
{
	struct page p = { .pos = 0 };
	struct count c = { 0 };
	bool missed;

	put_rec(&p, 7, 48, false);		/* short form */
	put32(&p, 30);				/* time extend, 8 bytes */
	put32(&p, 123);
	put_rec(&p, 9, 20, false);		/* another event type: skipped */
	put32(&p, 31);				/* absolute time stamp, 8 bytes */
	put32(&p, 0);
	put32(&p, 29 | (1u << 5));		/* discarded record: padding with a length */
	put32(&p, 12);
	p.pos += 8;
	put_rec(&p, 7, 200, true);		/* long form: length in array[0] */
	set_commit(&p, 0);
	ok(!parse(&p, 4096, &c, &missed) && c.n == 2 && c.len[0] == 48 && c.len[1] == 200 && !missed,
	   "two records of the wanted type found among the others");
	set_commit(&p, 1ULL << 31);
	ok(!parse(&p, 4096, &c, &missed) && missed, "lost-events flag seen");
	set_commit(&p, 1ULL << 30);
	ok(!parse(&p, 4096, &c, &missed) && missed, "missed-stored flag seen");

	/* end-of-page padding stops the walk */
	memset(&p, 0, sizeof(p));
	put_rec(&p, 7, 16, false);
	put32(&p, 29);
	p.pos = 100;
	set_commit(&p, 0);
	ok(!parse(&p, 4096, &c, &missed) && c.n == 1, "padding without a length ends the page");

	/* refusals */
	memset(&p, 0, sizeof(p));
	put_rec(&p, 7, 16, false);
	p.pos = 5000;
	set_commit(&p, 0);
	ok(parse(&p, 4096, &c, &missed) == -EPROTO, "commit past the page is refused");
	ok(parse(&p, 10, &c, &missed) == -EPROTO, "a read shorter than the page header is refused");
	memset(&p, 0, sizeof(p));
	put_rec(&p, 7, 16, false);
	p.pos -= 8;				/* the record claims more than commit covers */
	set_commit(&p, 0);
	ok(parse(&p, 4096, &c, &missed) == -EPROTO && c.n == 0, "a record overrunning commit is refused, not read");
	memset(&p, 0, sizeof(p));
	put32(&p, 0);
	put32(&p, 1u << 30);			/* long form with an absurd length */
	set_commit(&p, 0);
	ok(parse(&p, 4096, &c, &missed) == -EPROTO, "an absurd long-record length is refused");
	memset(&p, 0, sizeof(p));
	put32(&p, 0);
	put32(&p, 2);				/* long form shorter than its own length word */
	p.pos += 4;
	set_commit(&p, 0);
	ok(parse(&p, 4096, &c, &missed) == -EPROTO, "a long record shorter than 4 bytes is refused");
	memset(&p, 0, sizeof(p));
	put32(&p, 30);				/* time extend cut by commit */
	set_commit(&p, 0);
	ok(parse(&p, 4096, &c, &missed) == -EPROTO, "a cut time extend is refused");
}

int main(void)
{
	log_set_level(LOG_ERROR);
	log_set_fd(open("/dev/null", 1));
	test_formats();
	test_pages();
	return done_testing();
}
