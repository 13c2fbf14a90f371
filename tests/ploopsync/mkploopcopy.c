// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkploopcopy 1|7 IMAGE OUT [BAD]: writes the stream OpenVZ's `ploop copy`
 * would send for IMAGE (../shared/notes/ploop-copy.md), so that tests can
 * feed `ploopsync recv` without an OpenVZ host. Not installed.
 *
 * Both formats: pass 1 sends every cluster (7.x skips all-zero ones), but
 * every third cluster goes out stale (its bytes XOR 0x5a, as if written
 * since); a sync; pass 2 sends those again with their real bytes (the last
 * copy wins, and a cluster that became zeros must become a hole again); a
 * sync; the end packet. 1.x: 16-byte headers, sync = a 4-byte packet, end =
 * size 0. 7.x: 24-byte typed headers, a CMD SYNC handshake first (its pos
 * offers feature 1, MD5, which a receiver that answers nothing does not
 * grant), DATA in pass 1, DATA_ASYNC in pass 2, CMD SYNC, end = CMD size 0.
 *
 * BAD makes it malformed: marker (3rd packet), cut (inside pass 2's first
 * payload), noend, pos (past 16 TiB), size (32 MiB), trailing (junk after
 * the end), bigendian (byte-swapped markers); 7.x only: type (9), cmd (an
 * unknown command), mount (CMD MOUNT), cmdsize (a CMD of 8 bytes), device
 * (DATA_DEVICE).
 */
#include <endian.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLUSTER		(64u << 10)

static int ver;
static const char *bad = "";
static FILE *out;
static unsigned int npkt;

static void put32(unsigned char *p, uint32_t v)
{
	if (!strcmp(bad, "bigendian"))
		v = htobe32(v);
	else
		v = htole32(v);
	memcpy(p, &v, 4);
}

static void emit(uint32_t type, const void *data, uint32_t size, uint64_t pos)
{
	unsigned char h[24] = { 0 };
	uint64_t p = htole64(pos);
	size_t hlen = ver == 1 ? 16 : 24;

	npkt++;
	put32(h, ver == 1 ? 0x4cc0ac3du : 0x4cc0ac3eu);
	if (npkt == 3 && !strcmp(bad, "marker"))
		put32(h, 0x4cc0ac3fu);
	if (ver == 1) {
		put32(h + 4, size);
		memcpy(h + 8, &p, 8);
	} else {
		put32(h + 4, type);
		put32(h + 8, size);
		memcpy(h + 16, &p, 8);
	}
	fwrite(h, hlen, 1, out);
	if (size && data)
		fwrite(data, size, 1, out);
}

static void sync_pkt(uint64_t pos)
{
	uint32_t cmd = 0;

	emit(1, &cmd, 4, pos);	/* 1.x: a 4-byte packet; 7.x: CMD SYNC */
}

static void cmd_pkt(uint32_t cmd, uint32_t size)
{
	unsigned char c[8] = { 0 };

	memcpy(c, &cmd, 4);
	emit(1, c, size, 0);
}

static void malformed(void)
{
	static unsigned char junk[16] = { 1 };

	if (!strcmp(bad, "pos"))
		emit(0, junk, sizeof(junk), 1ULL << 50);
	else if (!strcmp(bad, "size"))
		emit(0, NULL, 32u << 20, 0);
	else if (!strcmp(bad, "type"))
		emit(9, junk, sizeof(junk), 0);
	else if (!strcmp(bad, "cmd"))
		cmd_pkt(77, 4);
	else if (!strcmp(bad, "mount"))
		cmd_pkt(4, 4);
	else if (!strcmp(bad, "cmdsize"))
		cmd_pkt(0, 8);
	else if (!strcmp(bad, "device"))
		emit(3, junk, sizeof(junk), 0);
}

static int is_zero(const unsigned char *p, size_t n)
{
	return !p[0] && !memcmp(p, p + 1, n - 1);
}

int main(int argc, char **argv)
{
	static unsigned char buf[CLUSTER], stale[CLUSTER];
	struct stat st;
	uint64_t off;
	int fd;

	if (argc < 4 || argc > 5 || (strcmp(argv[1], "1") && strcmp(argv[1], "7"))) {
		fprintf(stderr, "usage: mkploopcopy 1|7 IMAGE OUT [BAD]\n");
		return 2;
	}
	ver = atoi(argv[1]);
	bad = argc == 5 ? argv[4] : "";
	fd = open(argv[2], O_RDONLY);
	out = fopen(argv[3], "w");
	if (fd < 0 || !out || fstat(fd, &st)) {
		perror("mkploopcopy");
		return 1;
	}
	if (ver == 7)
		sync_pkt(1);	/* the handshake: feature 1 (MD5) offered */
	for (off = 0; off < (uint64_t)st.st_size; off += CLUSTER) {
		ssize_t n = pread(fd, buf, CLUSTER, (off_t)off);

		for (ssize_t i = 0; i < n; i++)
			stale[i] = buf[i] ^ 0x5a;
		if (off / CLUSTER % 3 == 2)
			emit(0, stale, (uint32_t)n, off);
		else if (ver == 1 || !is_zero(buf, (size_t)n))
			emit(0, buf, (uint32_t)n, off);
		if (off == CLUSTER)
			malformed();
	}
	sync_pkt(0);
	for (off = 2 * CLUSTER; off < (uint64_t)st.st_size; off += 3 * CLUSTER) {
		ssize_t n = pread(fd, buf, CLUSTER, (off_t)off);

		if (!strcmp(bad, "cut")) {
			emit(2, NULL, (uint32_t)n, off);
			fwrite(buf, (size_t)n / 2, 1, out);
			return fclose(out) ? 1 : 0;
		}
		emit(ver == 1 ? 0 : 2, buf, (uint32_t)n, off);
	}
	sync_pkt(0);
	if (strcmp(bad, "noend"))
		emit(1, NULL, 0, 0);
	if (!strcmp(bad, "trailing"))
		fputs("junk", out);
	close(fd);
	return fclose(out) ? 1 : 0;
}
