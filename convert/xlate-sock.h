/* SPDX-License-Identifier: GPL-2.0-only */
/* Sockets of a cpt dump (xlate-sock.c): unix sockets and their queues. */
#ifndef VZCR_CONVERT_XLATE_SOCK_H
#define VZCR_CONVERT_XLATE_SOCK_H

#include "cleanup.h"
#include "sk-opts.pb-c.h"
#include "xlate.h"

/*
 * Why the socket of the FILE at @fpos (record @frec) cannot be translated,
 * in @why (empty if it can); 0, or -EPROTO when it names no socket.
 */
int xl_sock_refusal(struct xlate *x, uint64_t fpos, const uint8_t *frec, char *why, size_t size);
/* The file_entry of the socket of FILE @fpos (@frec) to files.img. */
int xl_sock_write(struct xlate *x, uint64_t fpos, const uint8_t *frec, struct xl_file *xf);
/* The socket options of SOCKET record @rec (free() it), NULL if no memory. */
SkOptsEntry *xl_sock_opts(const struct xlate *x, const uint8_t *rec);
/*
 * xlate-inet.c: the inet_sk_entry of the TCP or UDP socket at @pos (record
 * @rec, of FILE record @frec) to files.img, its stream to tcp-stream-@ino.img.
 */
int xl_inet_write(struct xlate *x, uint64_t pos, const uint8_t *rec, const uint8_t *frec,
		  struct xl_file *xf, uint32_t ino);
/* sk-queues.img: the receive queues of the sockets written so far. */
int xl_sock_queues(struct xlate *x);
/* Refuse (or skip with --force) the sockets no file holds. */
int xl_sock_check(struct xlate *x);

#endif /* VZCR_CONVERT_XLATE_SOCK_H */
