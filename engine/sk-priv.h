/* SPDX-License-Identifier: GPL-2.0-only */
/* Between the socket files: each kind's dump and restore, called by sockets.c. */
#ifndef VZCR_SK_PRIV_H
#define VZCR_SK_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "files.h"
#include "sockets.h"

struct rst_ctx;
struct rst_file;

/* file_make_t of each kind: arg is the struct sk_fd */
int sk_unix_make(struct file_desc *d, void *arg);
int sk_inet_make(struct file_desc *d, void *arg);
int sk_netlink_make(struct file_desc *d, void *arg);
int sk_packet_make(struct file_desc *d, void *arg);

/* unix peers that are no file of the tree: listen queues, dead or outside peers */
int sk_unix_resolve(struct file_table *t, pid_t pid);
struct dump_ctx;
/* sk-queues.img: the unread data of every unix socket, read without taking it */
int sk_queues_dump(struct dump_ctx *c);
/* tcp-stream-INO.img of every established TCP socket (in repair mode by then) */
int sk_tcp_dump_streams(struct file_table *t, int dfd);
/* Put established TCP socket @fd in repair mode for its dump; 0 or -errno. */
int sk_tcp_repair_on(int fd, const char *who);
/* Out of repair mode (a no-op for other sockets), without a window probe. */
void sk_tcp_repair_off(int fd);

/*
 * nftables table vzcr_lock_@root in the tree's net namespace dropping what
 * comes in for its established TCP connections; sk_unlock_tree() removes
 * it (in @netns, -1: the tool's), quietly if there is none.
 */
int sk_lock_tree(struct file_table *t, pid_t root, pid_t img_root);
void sk_unlock_tree(pid_t root, int netns);

int sk_unix_open_all(struct rst_ctx *c);
int sk_unix_open_late(struct rst_ctx *c);
int sk_inet_open_all(struct rst_ctx *c);
int sk_netlink_open_all(struct rst_ctx *c);
int sk_packet_open_all(struct rst_ctx *c);
/* Make established TCP socket @fd (bound, in repair mode) the dumped stream. */
int sk_tcp_restore(struct rst_ctx *c, int fd, uint32_t ino, const void *src, int srclen,
		   const void *dst, int dstlen, const char *who);
/*
 * Then, once every TCP socket of the set exists (a peer inside the tree
 * must be there to answer): out of repair mode, the unsent data sent.
 */
int sk_tcp_finish(struct rst_ctx *c, int fd, uint32_t ino, const char *who);

/*
 * Queue refill: hand every packet sk-queues.img has for socket @id to @send
 * in order, with the tool's fds of the files in flight it carries (every
 * file must be open by then). 0 or -errno.
 */
typedef int (*sk_send_t)(const void *buf, size_t len, const int *fds, size_t nfds, void *arg);
int sk_queue_refill(struct rst_ctx *c, uint32_t id, sk_send_t send, void *arg);

#endif /* VZCR_SK_PRIV_H */
