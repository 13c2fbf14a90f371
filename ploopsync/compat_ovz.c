// SPDX-License-Identifier: GPL-2.0-only
/*
 * `ploopsync recv` for streams of OpenVZ's `ploop copy`, so that an old
 * OpenVZ host can send its disk to a vzcr host. Facts: ../shared/notes/
 * ploop-copy.md. Both formats are host-endian (x86: little-endian), carry no
 * checksum and no image size: every packet is bounds-checked before its
 * payload is read, the image goes to a temporary file that is renamed over
 * IMAGE only after the end packet, and anything else leaves IMAGE untouched.
 *
 * 1.x: header {u32 marker 0x4cc0ac3d, u32 size, u64 pos}, then size bytes
 *      for offset pos; size 4 = a sync request (its 4 bytes are not data);
 *      size 0 = the end.
 * 7.x: header {u32 marker 0x4cc0ac3e, u32 type, u32 size, u32 pad, u64 pos};
 *      types 0 DATA, 1 CMD (a u32 command: 0 SYNC, 1 FINISH), 2 DATA_ASYNC;
 *      size 0 = the end, whatever the type.
 */
#define LOG_PREFIX "ploopsync: "
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat_ovz.h"
#include "io.h"
#include "le.h"
#include "log.h"
#include "recv.h"
#include "xmalloc.h"

enum { V7_DATA, V7_CMD, V7_DATA_ASYNC, V7_DATA_DEVICE, V7_DATA_CBT };
enum { V7_SYNC, V7_FINISH };

/* 7.x commands and types vzcr refuses, by name (9.x device mode, backups) */
static const char *const v7_cmd_names[] = { "SYNC", "FINISH", "INIT_PLOOP", "INIT_QCOW", "MOUNT", "UMOUNT" };

struct ovz {
	int kind;
	int in, out;
	bool sock;		/* replies go back on the input socket */
	char *tmp;
	unsigned char *buf;
	size_t cap;
	uint64_t at;		/* stream offset of the packet at hand, for messages */
	uint64_t done;		/* stream bytes read */
	uint64_t end;		/* the furthest byte written: the image size */
	uint64_t packets, syncs;
};

struct pkt {
	uint32_t type, size;
	uint64_t pos;
};

int ps_ovz_detect(const unsigned char head[PS_OVZ_DETECT])
{
	uint32_t le = get_le32(head), be;

	if (le == PS_OVZ_MARKER_V1)
		return PS_OVZ_V1;
	if (le == PS_OVZ_MARKER_V7)
		return PS_OVZ_V7;
	be = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 | (uint32_t)head[2] << 8 | head[3];
	if (be == PS_OVZ_MARKER_V1 || be == PS_OVZ_MARKER_V7)
		return log_err(-EPROTO, "Bad stream: an OpenVZ ploop copy stream from a big-endian host (marker 0x%08x): only little-endian senders are supported",
			       be);
	return PS_OVZ_NONE;
}

/* Read @len bytes of the packet at o->at; EOF anywhere is an interrupted stream. */
static int read_some(struct ovz *o, void *buf, size_t len, const char *what)
{
	ssize_t n = read_full(o->in, buf, len);

	if (n < 0)
		return log_perr((int)n, "Failed to read the ploop copy %s at stream offset %" PRIu64,
				what, o->at);
	if ((size_t)n < len)
		return log_err(-EPIPE, "Bad stream: ploop copy stream interrupted in the %s at stream offset %" PRIu64 ", before the end packet",
			       what, o->at);
	o->done += len;
	return 0;
}

static int read_header(struct ovz *o, const unsigned char *head, struct pkt *p)
{
	size_t hlen = o->kind == PS_OVZ_V1 ? 16 : 24, have = head ? PS_OVZ_DETECT : 0;
	uint32_t want = o->kind == PS_OVZ_V1 ? PS_OVZ_MARKER_V1 : PS_OVZ_MARKER_V7;
	unsigned char h[24];
	int ret;

	o->at = o->done;
	o->done += have;
	if (have)
		memcpy(h, head, have);
	ret = read_some(o, h + have, hlen - have, "packet header");
	if (ret)
		return ret;
	if (get_le32(h) != want)
		return log_err(-EPROTO, "Bad stream: ploop copy packet at stream offset %" PRIu64 " has marker 0x%08x, expected 0x%08x (corrupted stream)",
			       o->at, get_le32(h), want);
	if (o->kind == PS_OVZ_V1) {
		*p = (struct pkt){ .type = V7_DATA, .size = get_le32(h + 4), .pos = get_le64(h + 8) };
	} else {
		/* bytes 12..15 are the C struct's padding, never read */
		*p = (struct pkt){ .type = get_le32(h + 4), .size = get_le32(h + 8), .pos = get_le64(h + 16) };
	}
	return 0;
}

/* The replies a waiting sender reads: 1.x "SUCCESS\n" after a sync, 7.x an int 0. */
static int reply(struct ovz *o, bool sync_v1)
{
	static const int32_t zero;
	int ret;

	if (!o->sock)
		return 0;
	ret = sync_v1 ? write_full(o->in, "SUCCESS\n", 8) : write_full(o->in, &zero, sizeof(zero));
	if (ret)
		return log_perr(ret, "Failed to reply to the ploop copy sender");
	return 0;
}

static int write_data(struct ovz *o, const struct pkt *p)
{
	ssize_t n;

	if (p->size > PS_OVZ_DATA_MAX)
		return log_err(-EPROTO, "Bad stream: ploop copy packet at stream offset %" PRIu64 " has size %u, over the limit %u",
			       o->at, p->size, PS_OVZ_DATA_MAX);
	if (p->pos > PS_OVZ_IMAGE_MAX - p->size)
		return log_err(-EPROTO, "Bad stream: ploop copy packet at stream offset %" PRIu64 " writes at offset %" PRIu64 ", past the largest image (%llu bytes)",
			       o->at, p->pos, PS_OVZ_IMAGE_MAX);
	if (p->size > o->cap) {
		free(o->buf);
		o->buf = xmalloc(p->size);
		o->cap = o->buf ? p->size : 0;
		if (!o->buf)
			return -ENOMEM;
	}
	n = read_some(o, o->buf, p->size, "data");
	if (n)
		return (int)n;
	/* zeros stay holes: punch in case an earlier pass wrote data there */
	if (!o->buf[0] && !memcmp(o->buf, o->buf + 1, p->size - 1) &&
	    !fallocate(o->out, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)p->pos, p->size))
		n = p->size;
	else
		n = pwrite(o->out, o->buf, p->size, (off_t)p->pos);
	if (n >= 0 && n < p->size)
		errno = ENOSPC;	/* a short write to a regular file: the disk is full */
	if (n != (ssize_t)p->size)
		return log_perr(-errno, "Failed to write %u bytes at offset %" PRIu64 " of '%s'",
				p->size, p->pos, o->tmp);
	if (p->pos + p->size > o->end)
		o->end = p->pos + p->size;
	return 0;
}

static int do_sync(struct ovz *o)
{
	o->syncs++;
	if (fdatasync(o->out))
		return log_perr(-errno, "Failed to fdatasync '%s'", o->tmp);
	return 0;
}

static int v7_command(struct ovz *o, const struct pkt *p)
{
	unsigned char c[4];
	uint32_t cmd;
	int ret;

	if (p->size != 4)
		return log_err(-EPROTO, "Bad stream: ploop copy CMD packet at stream offset %" PRIu64 " has size %u, expected 4",
			       o->at, p->size);
	ret = read_some(o, c, 4, "command");
	if (ret)
		return ret;
	cmd = get_le32(c);
	if (cmd == V7_SYNC) {
		/* the first SYNC carries the sender's feature bits: we grant none, as an old receiver */
		if (o->packets == 1 && p->pos)
			pr_debug("ploop copy sender offers features 0x%" PRIx64 ", none granted", p->pos);
		return do_sync(o);
	}
	if (cmd == V7_FINISH)
		return 0;
	if (cmd < sizeof(v7_cmd_names) / sizeof(v7_cmd_names[0]))
		return log_err(-EOPNOTSUPP, "Bad stream: ploop copy command %s (%u) at stream offset %" PRIu64 " is not supported: vzcr receives into an image file, not a device",
			       v7_cmd_names[cmd], cmd, o->at);
	return log_err(-EPROTO, "Bad stream: ploop copy command %u at stream offset %" PRIu64 " is unknown",
		       cmd, o->at);
}

/* One packet that is not the end; replies as the sender expects. */
static int do_packet(struct ovz *o, const struct pkt *p)
{
	int ret;

	if (o->kind == PS_OVZ_V1 && p->size == 4) {
		/* a 1.x sync request: 4 bytes that are not data */
		unsigned char c[4];

		ret = read_some(o, c, 4, "sync request");
		if (!ret)
			ret = do_sync(o);
		return ret ? ret : reply(o, true);
	}
	switch (p->type) {
	case V7_DATA:
	case V7_DATA_ASYNC:
		ret = write_data(o, p);
		break;
	case V7_CMD:
		ret = v7_command(o, p);
		break;
	case V7_DATA_DEVICE:
	case V7_DATA_CBT:
		return log_err(-EOPNOTSUPP, "Bad stream: ploop copy packet type %s at stream offset %" PRIu64 " is not supported (vzcr receives a raw image file)",
			       p->type == V7_DATA_DEVICE ? "DATA_DEVICE" : "DATA_CBT", o->at);
	default:
		return log_err(-EPROTO, "Bad stream: ploop copy packet at stream offset %" PRIu64 " has unknown type %u",
			       o->at, p->type);
	}
	if (ret || o->kind == PS_OVZ_V1 || p->type == V7_DATA_ASYNC)
		return ret;
	return reply(o, false);
}

static int finish(struct ovz *o, const char *image)
{
	char c;
	int ret;

	if (ftruncate(o->out, (off_t)o->end))	/* zeros at the end were holes */
		return log_perr(-errno, "Failed to size '%s' to %" PRIu64 " bytes", o->tmp, o->end);
	/* a socket sender waits for our final reply before it closes: no EOF to wait for */
	if (!o->sock && read_full(o->in, &c, 1) != 0)
		return log_err(-EPROTO, "Bad stream: data after the ploop copy end packet at stream offset %" PRIu64,
			       o->done);
	ret = ps_tmp_commit(o->out, o->tmp, image);
	if (!ret && o->kind == PS_OVZ_V7)
		ret = reply(o, false);
	return ret;
}

static int recv_loop(struct ovz *o, const unsigned char *head, const char *image)
{
	struct pkt p;
	int ret;

	for (;;) {
		ret = read_header(o, head, &p);
		head = NULL;
		if (ret)
			return ret;
		o->packets++;
		if (!p.size)
			return finish(o, image);
		ret = do_packet(o, &p);
		if (ret)
			return ret;
	}
}

int ps_ovz_recv(const char *image, int in_fd, int kind, const unsigned char head[PS_OVZ_DETECT],
		struct ploopsync_recv_stats *ret_stats)
{
	struct ovz o = { .kind = kind, .in = in_fd, .out = -EBADF };
	struct stat st;
	int ret;

	o.sock = !fstat(in_fd, &st) && S_ISSOCK(st.st_mode);
	pr_info("receiving an OpenVZ ploop copy %s stream into '%s'", kind == PS_OVZ_V1 ? "1.x" : "7.x",
		image);
	ret = ps_tmp_create(image, &o.tmp, &o.out);
	if (!ret)
		ret = recv_loop(&o, head, image);
	if (!ret && ret_stats) {
		ret_stats->format = kind == PS_OVZ_V1 ? "ploop copy 1.x" : "ploop copy 7.x";
		ret_stats->image_size = o.end;
		ret_stats->passes = o.syncs;
		ret_stats->records = o.packets;
	}
	if (ret && o.tmp && unlink(o.tmp))
		pr_perror("Failed to remove the temporary file '%s', ignoring", o.tmp);
	if (o.out >= 0)
		close(o.out);
	free(o.tmp);
	free(o.buf);
	return ret;
}
