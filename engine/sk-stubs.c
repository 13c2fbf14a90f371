#include <errno.h>
#include "sk-priv.h"
#include "restore.h"
int sk_netlink_make(struct file_desc *d, void *arg) { (void)d; (void)arg; return -EOPNOTSUPP; }
int sk_packet_make(struct file_desc *d, void *arg) { (void)d; (void)arg; return -EOPNOTSUPP; }
int sk_netlink_open_all(struct rst_ctx *c) { (void)c; return 0; }
int sk_packet_open_all(struct rst_ctx *c) { (void)c; return 0; }
