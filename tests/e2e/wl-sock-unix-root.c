// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unix sockets of a chrooted task: a child chroots into DIR/newroot and
 * binds a datagram server to "/srv.sock" and a stream listener to the
 * relative name "rel.sock" in /inner, its cwd there; a client connected
 * to the server has a message queued. After the signal to go on the names
 * read the same, the files are in the child's root (and not in the
 * host's), and new clients reach both by those names.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

static socklen_t path_addr(struct sockaddr_un *sa, const char *p)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", p);
	return offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1;
}

static bool name_is(int fd, const char *p)
{
	struct sockaddr_un sa;
	socklen_t l = sizeof(sa);

	return !getsockname(fd, (struct sockaddr *)&sa, &l) && !strcmp(sa.sun_path, p);
}

static __attribute__((noreturn)) void child_main(const char *root)
{
	struct sockaddr_un sa;
	socklen_t l;
	struct stat st;
	char buf[8] = "";
	int srv, cli, lsn, c2;

	if (chroot(root) || chdir("/inner"))
		_exit(2);
	srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	l = path_addr(&sa, "/srv.sock");
	if (srv < 0 || bind(srv, (struct sockaddr *)&sa, l))
		_exit(3);
	cli = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (cli < 0 || connect(cli, (struct sockaddr *)&sa, l) || send(cli, "q", 1, 0) != 1)
		_exit(4);
	lsn = socket(AF_UNIX, SOCK_STREAM, 0);
	l = path_addr(&sa, "rel.sock");
	if (lsn < 0 || bind(lsn, (struct sockaddr *)&sa, l) || listen(lsn, 2))
		_exit(5);
	wl_wait();
	if (!name_is(srv, "/srv.sock") || !name_is(lsn, "rel.sock"))
		_exit(11);
	if (stat("/srv.sock", &st) || !S_ISSOCK(st.st_mode) || stat("/inner/rel.sock", &st) ||
	    !S_ISSOCK(st.st_mode))
		_exit(12);
	if (recv(srv, buf, sizeof(buf), MSG_DONTWAIT) != 1 || buf[0] != 'q')
		_exit(13);
	if (send(cli, "r", 1, 0) != 1 || recv(srv, buf, sizeof(buf), MSG_DONTWAIT) != 1)
		_exit(14);
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	l = path_addr(&sa, "/inner/rel.sock");
	if (c2 < 0 || connect(c2, (struct sockaddr *)&sa, l))
		_exit(15);
	_exit(0);
}

int main(int argc, char **argv)
{
	char root[4096], inner[4200], host[4200];
	struct stat st;
	pid_t pid;
	int status;

	wl_init(argc, argv);
	snprintf(root, sizeof(root), "%s/newroot", wl_dir());
	snprintf(inner, sizeof(inner), "%s/inner", root);
	if (mkdir(root, 0755) || mkdir(inner, 0755)) {
		wl_fail("mkdir: %s", strerror(errno));
		return wl_done();
	}
	pid = fork();
	if (!pid)
		child_main(root);
	wl_ready();
	wl_wait();
	kill(pid, SIGUSR2);
	wl_check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
		 "chrooted child: status %#x", status);
	snprintf(host, sizeof(host), "%s/srv.sock", root);
	wl_check(!stat(host, &st) && S_ISSOCK(st.st_mode), "the socket file is in the child's root");
	wl_check(stat("/srv.sock", &st) != 0, "and not in the host's root");
	return wl_done();
}
