// SPDX-License-Identifier: GPL-2.0-only
/*
 * Root and cwd across checkpoint/restore: a child chroots into DIR/newroot
 * and works in /inner there, with umask 077; after the signal to go on it
 * checks that its root, cwd and umask are still those.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

static __attribute__((noreturn)) void child_main(const char *root, const struct stat *want)
{
	struct stat st;
	char cwd[256];

	if (chroot(root) || chdir("/inner"))
		_exit(2);
	umask(077);
	wl_wait();
	if (stat("/", &st) || st.st_ino != want->st_ino || st.st_dev != want->st_dev)
		_exit(11);	/* not in its root */
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/inner"))
		_exit(12);
	if (umask(0) != 077)
		_exit(13);
	_exit(0);
}

int main(int argc, char **argv)
{
	char root[4096], inner[4200];
	struct stat want;
	pid_t child;
	int st = -1;

	wl_init(argc, argv);
	snprintf(root, sizeof(root), "%s/newroot", wl_dir());
	snprintf(inner, sizeof(inner), "%s/inner", root);
	if (mkdir(root, 0755) || mkdir(inner, 0755) || stat(root, &want))
		wl_fail("setup: %s", strerror(errno));
	child = fork();
	if (child == 0)
		child_main(root, &want);
	wl_ready();
	wl_wait();
	kill(child, SIGUSR2);
	wl_check(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st),
		 "chrooted child: status %#x", st);
	return wl_done();
}
