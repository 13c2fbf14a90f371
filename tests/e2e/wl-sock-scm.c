// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files in flight (SCM_RIGHTS) across checkpoint/restore: a stream
 * socketpair whose queue holds a message with three fds (a regular file at
 * an offset, the read end of a pipe with data, one end of another
 * socketpair whose other end the task keeps) and a second one with
 * /dev/null; a datagram pair carrying a dup of the task's own file. The
 * senders closed their copies: the files live only in the queues. After
 * the signal to go on each is received and checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wl.h"

static void send_fds(int via, const char *data, const int *fds, int n)
{
	char ctl[CMSG_SPACE(sizeof(int) * 4)] = {};
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	wl_must(sendmsg(via, &mh, 0), "sendmsg");
}

/* One message: its data must be @data; its fds go to @fds; their count. */
static int recv_fds(int via, const char *data, int *fds)
{
	char ctl[CMSG_SPACE(sizeof(int) * 4)], buf[64] = "";
	struct iovec iov = { buf, strlen(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(via, &mh, MSG_DONTWAIT);
	int nfds = 0;

	if (!wl_check(n == (ssize_t)strlen(data) && !memcmp(buf, data, n), "message '%s' (%zd bytes)",
		      data, n))
		return 0;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(cm), nfds * sizeof(int));
		}
	return nfds;
}

int main(int argc, char **argv)
{
	int sv[2], dg[2], other[2], pp[2], fds[4], reg, own, n;
	char path[4096], buf[16] = "";
	struct stat st;

	wl_init(argc, argv);
	snprintf(path, sizeof(path), "%s/flying", wl_dir());
	reg = wl_must(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), "open");
	wl_must(write(reg, "0123456789", 10), "write");
	wl_must(lseek(reg, 4, SEEK_SET), "lseek");
	wl_must(pipe(pp), "pipe");
	wl_must(write(pp[1], "piped", 5), "write pipe");
	wl_must(socketpair(AF_UNIX, SOCK_STREAM, 0, other), "other pair");
	wl_must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "pair");
	wl_must(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg), "dgram pair");
	send_fds(sv[1], "files", (int[]){ reg, pp[0], other[1] }, 3);
	send_fds(sv[1], "null", (int[]){ wl_must(open("/dev/null", O_WRONLY), "null") }, 1);
	own = wl_must(open(path, O_RDONLY), "own");
	send_fds(dg[0], "own", (int[]){ own }, 1);
	close(reg);
	close(pp[0]);
	close(other[1]);

	wl_ready();
	wl_wait();
	n = recv_fds(sv[0], "files", fds);
	if (wl_check(n == 3, "3 files in the first message, got %d", n)) {
		wl_check(lseek(fds[0], 0, SEEK_CUR) == 4 && read(fds[0], buf, 3) == 3 &&
			 !memcmp(buf, "456", 3), "the file in flight keeps its offset");
		wl_check(read(fds[1], buf, 5) == 5 && !memcmp(buf, "piped", 5), "the pipe in flight has its data");
		wl_check(write(pp[1], "!", 1) == 1 && read(fds[1], buf, 1) == 1 && buf[0] == '!',
			 "the pipe in flight is the task's pipe");
		wl_check(write(fds[2], "hi", 2) == 2 && read(other[0], buf, 2) == 2 && !memcmp(buf, "hi", 2),
			 "the socket in flight is connected to the end the task kept");
	}
	n = recv_fds(sv[0], "null", fds);
	wl_check(n == 1 && !fstat(fds[0], &st) && S_ISCHR(st.st_mode) &&
		 (fcntl(fds[0], F_GETFL) & O_ACCMODE) == O_WRONLY, "/dev/null in flight, write-only");
	n = recv_fds(dg[1], "own", fds);
	wl_check(n == 1 && lseek(fds[0], 0, SEEK_CUR) == 0, "a datagram carries a file too");
	wl_check(read(own, buf, 2) == 2 && lseek(fds[0], 0, SEEK_CUR) == 2,
		 "the file in flight shares its description with the task's own fd");
	return wl_done();
}
