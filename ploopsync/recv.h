/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The receiver's safe replacement of IMAGE, shared by the ploopsync stream
 * and the OpenVZ ploop copy streams (compat_ovz.c): a temporary file beside
 * IMAGE, renamed over it only when the whole stream was verified.
 */
#ifndef PLOOPSYNC_RECV_H
#define PLOOPSYNC_RECV_H

/* Create `.IMAGE.ploopsync-XXXXXX` beside @image (its mode if it exists). */
int ps_tmp_create(const char *image, char **ret_tmp, int *ret_fd);
/* fsync @fd and rename @tmp over @image. */
int ps_tmp_commit(int fd, const char *tmp, const char *image);

#endif /* PLOOPSYNC_RECV_H */
