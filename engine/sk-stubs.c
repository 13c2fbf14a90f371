#include <errno.h>
#include "sk-priv.h"
#include "restore.h"
int sk_inet_make(struct file_desc *d, void *arg) { (void)d; (void)arg; return -EOPNOTSUPP; }
int sk_netlink_make(struct file_desc *d, void *arg) { (void)d; (void)arg; return -EOPNOTSUPP; }
int sk_packet_make(struct file_desc *d, void *arg) { (void)d; (void)arg; return -EOPNOTSUPP; }
int sk_tcp_dump_streams(struct file_table *t, int dfd) { (void)t; (void)dfd; return 0; }
void sk_tcp_repair_off(int fd) { (void)fd; }
int sk_inet_open_all(struct rst_ctx *c) { (void)c; return 0; }
int sk_netlink_open_all(struct rst_ctx *c) { (void)c; return 0; }
int sk_packet_open_all(struct rst_ctx *c) { (void)c; return 0; }
