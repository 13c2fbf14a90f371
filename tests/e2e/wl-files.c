// SPDX-License-Identifier: GPL-2.0-only
/*
 * Open files across checkpoint/restore: a regular file open in every access
 * mode with offsets and flags (O_APPEND, O_NONBLOCK, O_DIRECT, FD_CLOEXEC,
 * O_PATH), a dup and a child sharing one offset, a directory fd, cwd and
 * umask, an unlinked (ghost) file open twice, an O_TMPFILE file, pipes with data (both ends,
 * one end, a grown pipe, an end in a child), a FIFO with data and the
 * character devices /dev/null, zero, full and urandom. Each is checked
 * after the signal to go on: flags, offsets, contents, sharing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

#define REG_SIZE	(256 * 1024)
#define GHOST_HOLE	(1024 * 1024)	/* the ghost has data at 0 and here */
#define BIG_PIPE	(200 * 1024)

struct fdrec {
	const char *what;
	int fd;
	int fl, fd_fl;
	off_t pos;
};

static struct fdrec recs[32];
static int nrecs;
static char path_reg[4096], path_ghost[4096], path_fifo[4096], path_sub[4096];

static unsigned char pat(off_t i)
{
	return (i * 7 + i / 251) & 0xff;
}

static void fill_pat(unsigned char *b, off_t off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(off + i);
}

static bool is_pat(const unsigned char *b, off_t off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pat(off + i))
			return false;
	return true;
}

static int must(int v, const char *what)
{
	if (v < 0) {
		fprintf(stderr, "setup: %s: %s\n", what, strerror(errno));
		exit(2);
	}
	return v;
}

/*
 * Our fds live at 100 and up: the restore tool's ready pipe sits at low fd
 * numbers (4, 5) in the skeletons and a task fd placed there cut it (see
 * the report on restore_tree.c's skel_fds); this keeps the files under test
 * clear of that bug. O_CLOEXEC set at open is carried over.
 */
static int hi(int fd)
{
	int n;

	if (fd < 0)
		return fd;
	n = fcntl(fd, fcntl(fd, F_GETFD) & FD_CLOEXEC ? F_DUPFD_CLOEXEC : F_DUPFD, 100);
	close(fd);
	return n;
}

static void hi_pipe(int p[2])
{
	p[0] = hi(p[0]);
	p[1] = hi(p[1]);
}

/* Remember fd's flags, FD_CLOEXEC and offset for the after-check. */
static int rec(const char *what, int fd)
{
	recs[nrecs++] = (struct fdrec){ what, fd, fcntl(fd, F_GETFL), fcntl(fd, F_GETFD),
					lseek(fd, 0, SEEK_CUR) };
	return fd;
}

static void check_recs(void)
{
	int i;

	for (i = 0; i < nrecs; i++) {
		struct fdrec *r = &recs[i];

		wl_check(fcntl(r->fd, F_GETFL) == r->fl, "%s: flags %#x, were %#x", r->what,
			 fcntl(r->fd, F_GETFL), r->fl);
		wl_check(fcntl(r->fd, F_GETFD) == r->fd_fl, "%s: fd flags %d, were %d", r->what,
			 fcntl(r->fd, F_GETFD), r->fd_fl);
		wl_check(lseek(r->fd, 0, SEEK_CUR) == r->pos, "%s: offset %lld, was %lld", r->what,
			 (long long)lseek(r->fd, 0, SEEK_CUR), (long long)r->pos);
	}
}

static void make_file(const char *path, off_t at, size_t n)
{
	unsigned char *b = malloc(n);
	int fd = must(hi(open(path, O_RDWR | O_CREAT, 0644)), path);

	fill_pat(b, at, n);
	if (pwrite(fd, b, n, at) != (ssize_t)n)
		must(-1, "write");
	free(b);
	close(fd);
}

/* --- regular files, dup, directory, cwd, umask --- */
static int f_rw, f_ro, f_wo, f_nb, f_dir, f_path, f_dup, f_direct = -1;
static ino_t dir_ino;

static void setup_reg(void)
{
	char buf[512], odd[4200];

	make_file(path_reg, 0, REG_SIZE);
	f_rw = rec("rdwr", must(hi(open(path_reg, O_RDWR)), "rdwr"));
	lseek(f_rw, 100, SEEK_SET);
	recs[nrecs - 1].pos = 100;
	f_dup = rec("dup of rdwr", hi(dup(f_rw)));
	f_ro = must(hi(open(path_reg, O_RDONLY | O_CLOEXEC)), "rdonly");
	lseek(f_ro, 4000, SEEK_SET);
	rec("rdonly cloexec", f_ro);
	f_wo = must(hi(open(path_reg, O_WRONLY | O_APPEND)), "append");
	lseek(f_wo, 777, SEEK_SET);
	rec("wronly append", f_wo);
	f_nb = must(hi(open(path_reg, O_RDONLY | O_NONBLOCK | O_NOATIME)), "nonblock");
	lseek(f_nb, REG_SIZE, SEEK_SET);
	rec("nonblock noatime", f_nb);
	f_direct = hi(open(path_reg, O_RDONLY | O_DIRECT));
	if (f_direct >= 0) {
		lseek(f_direct, 8192, SEEK_SET);
		rec("direct", f_direct);
	}
	f_path = rec("O_PATH", must(hi(open(path_reg, O_PATH)), "path"));
	/* a real name that ends like the kernel's mark of an unlinked file */
	snprintf(odd, sizeof(odd), "%s/odd (deleted)", wl_dir());
	make_file(odd, 0, 100);
	rec("a name ending in ' (deleted)'", must(hi(open(odd, O_RDONLY)), odd));
	f_dir = must(hi(open(wl_dir(), O_RDONLY | O_DIRECTORY)), "dir");
	if (syscall(SYS_getdents64, f_dir, buf, sizeof(buf)) < 0)
		must(-1, "getdents");
	rec("directory", f_dir);
	must(mkdir(path_sub, 0755), "mkdir");
	must(chdir(path_sub), "chdir");
	umask(027);
}

static void check_reg(void)
{
	unsigned char b[4096];
	struct stat st, st2;
	char cwd[4096];
	mode_t um = umask(0);

	umask(um);
	wl_check(um == 027, "umask %o, was 027", um);
	wl_check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, path_sub), "cwd '%s'", cwd);
	wl_check(!fstat(f_dir, &st) && st.st_ino == dir_ino && S_ISDIR(st.st_mode), "directory fd");
	wl_check(!fstat(f_path, &st) && !stat(path_reg, &st2) && st.st_ino == st2.st_ino,
		 "O_PATH fd on the file");
	check_recs();
	wl_check(read(f_ro, b, 1000) == 1000 && is_pat(b, 4000, 1000), "read at the offset");
	wl_check(read(f_nb, b, 10) == 0, "read at the end");
	wl_check(f_direct < 0 || lseek(f_direct, 0, SEEK_CUR) == 8192, "O_DIRECT offset");
	/* one offset for the dup: a write through one moves the other (same bytes) */
	fill_pat(b, 100, 50);
	wl_check(write(f_rw, b, 50) == 50 && lseek(f_dup, 0, SEEK_CUR) == 150,
		 "a dup shares the offset");
	wl_check(write(f_ro, b, 1) < 0 && errno == EBADF, "read-only stays read-only");
	wl_check(read(f_wo, b, 1) < 0 && errno == EBADF, "write-only stays write-only");
}

/* --- a file shared with a child: one offset for both --- */
static int f_shared;
static pid_t child;
static int child_pipe[2];
static const char child_msg[] = "to the child across the dump";

static __attribute__((noreturn)) void child_main(void)
{
	unsigned char b[64];

	close(child_pipe[1]);
	wl_wait();
	fill_pat(b, 1000, 10);
	/* the parent checks that its offset moved with ours */
	if (lseek(f_shared, 0, SEEK_CUR) != 1000 || write(f_shared, b, 10) != 10)
		_exit(21);
	if (read(child_pipe[0], b, sizeof(b)) != sizeof(child_msg) - 1 ||
	    memcmp(b, child_msg, sizeof(child_msg) - 1))
		_exit(22);
	if (read(child_pipe[0], b, sizeof(b)) != 0)
		_exit(23);	/* the parent closed its end: EOF */
	_exit(0);
}

static void setup_shared(void)
{
	f_shared = must(hi(open(path_reg, O_RDWR)), "shared");
	lseek(f_shared, 1000, SEEK_SET);
	must(pipe(child_pipe), "pipe");
	hi_pipe(child_pipe);
	child = must(fork(), "fork");
	if (child == 0)
		child_main();
	close(child_pipe[0]);
	if (write(child_pipe[1], child_msg, sizeof(child_msg) - 1) < 0)
		must(-1, "write");
}

static void check_shared(void)
{
	int st;

	close(child_pipe[1]);
	kill(child, SIGUSR2);
	wl_check(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st),
		 "child: status %#x", st);
	wl_check(lseek(f_shared, 0, SEEK_CUR) == 1010, "fork shares the offset: %lld",
		 (long long)lseek(f_shared, 0, SEEK_CUR));
}

/* --- an unlinked file, open twice, with a hole --- */
static int g_rw, g_ro;
static ino_t g_ino;

static void setup_ghost(void)
{
	struct stat st;

	make_file(path_ghost, 0, 5000);
	make_file(path_ghost, GHOST_HOLE, 3000);
	g_rw = must(hi(open(path_ghost, O_RDWR)), "ghost");
	g_ro = must(hi(open(path_ghost, O_RDONLY)), "ghost 2");
	lseek(g_rw, 12345, SEEK_SET);
	lseek(g_ro, 4000, SEEK_SET);
	rec("ghost rw", g_rw);
	rec("ghost ro", g_ro);
	fchmod(g_rw, 0640);
	must(unlink(path_ghost), "unlink");
	fstat(g_rw, &st);
	g_ino = st.st_ino;
}

/* An O_TMPFILE file: never had a name but its "#INO" one. */
static int t_fd;

static void setup_tmpfile(void)
{
	unsigned char b[10000];

	t_fd = must(hi(open(wl_dir(), O_TMPFILE | O_RDWR, 0600)), "O_TMPFILE");
	fill_pat(b, 0, sizeof(b));
	if (write(t_fd, b, sizeof(b)) != sizeof(b))
		must(-1, "write tmpfile");
	lseek(t_fd, 500, SEEK_SET);
}

static void check_tmpfile(void)
{
	unsigned char b[1000];
	struct stat st;

	/* its flags keep O_TMPFILE's bits, a reopen cannot: the access mode must stay */
	wl_check((fcntl(t_fd, F_GETFL) & O_ACCMODE) == O_RDWR, "O_TMPFILE file: access mode");
	wl_check(!fstat(t_fd, &st) && st.st_nlink == 0 && st.st_size == 10000,
		 "O_TMPFILE file: unlinked, %lld bytes", (long long)st.st_size);
	wl_check(read(t_fd, b, sizeof(b)) == sizeof(b) && is_pat(b, 500, sizeof(b)),
		 "O_TMPFILE file: data at the offset");
}

static void check_ghost(void)
{
	unsigned char b[4096], z[4096] = {};
	struct stat a, c;
	char link[4200], want[4200], proc[64];
	ssize_t n;

	wl_check(!fstat(g_rw, &a) && !fstat(g_ro, &c) && a.st_ino == c.st_ino && a.st_dev == c.st_dev,
		 "both ghost fds on one inode");
	wl_check(a.st_nlink == 0 && access(path_ghost, F_OK) < 0, "the ghost is unlinked again");
	wl_check(a.st_size == GHOST_HOLE + 3000, "ghost size %lld", (long long)a.st_size);
	wl_check((a.st_mode & 0777) == 0640, "ghost mode %o", a.st_mode & 0777);
	wl_check(pread(g_ro, b, 5000 > 4096 ? 4096 : 5000, 0) == 4096 && is_pat(b, 0, 4096),
		 "ghost data at 0");
	wl_check(pread(g_ro, b, 3000, GHOST_HOLE) == 3000 && is_pat(b, GHOST_HOLE, 3000),
		 "ghost data after the hole");
	wl_check(pread(g_ro, b, 4096, 8192) == 4096 && !memcmp(b, z, 4096), "ghost hole reads zeros");
	wl_check(read(g_ro, b, 1000) == 1000 && is_pat(b, 4000, 1000), "ghost read at offset");
	/* the two are one inode: a write through one shows through the other */
	wl_check(pwrite(g_rw, "GHOST", 5, 20) == 5 && pread(g_ro, b, 5, 20) == 5 &&
		 !memcmp(b, "GHOST", 5), "ghost fds share the inode");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", g_rw);
	n = readlink(proc, link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = '\0';
	snprintf(want, sizeof(want), "%s (deleted)", path_ghost);
	wl_check(!strcmp(link, want), "ghost fd link '%s'", link);
	(void)g_ino;
}

/* --- pipes --- */
static int p_both[2], p_rd, p_wr, p_big[2], p_small[2];
static const char msg1[] = "both ends here", msg2[] = "only the read end", msg3[] = "only the writer";

static void setup_pipes(void)
{
	unsigned char *big = malloc(BIG_PIPE);
	int p[2];

	must(pipe2(p_both, O_NONBLOCK), "pipe");
	hi_pipe(p_both);
	rec("pipe read end, nonblock", p_both[0]);
	if (write(p_both[1], msg1, sizeof(msg1)) < 0)
		must(-1, "write");
	must(pipe(p), "pipe");
	hi_pipe(p);
	if (write(p[1], msg2, sizeof(msg2)) < 0)
		must(-1, "write");
	close(p[1]);
	p_rd = p[0];
	must(pipe(p), "pipe");
	hi_pipe(p);
	if (write(p[1], msg3, sizeof(msg3)) < 0)
		must(-1, "write");
	close(p[0]);
	p_wr = p[1];
	must(pipe(p_big), "pipe");
	hi_pipe(p_big);
	must(fcntl(p_big[1], F_SETPIPE_SZ, 256 * 1024), "grow pipe");
	fill_pat(big, 0, BIG_PIPE);
	if (write(p_big[1], big, BIG_PIPE) != BIG_PIPE)
		must(-1, "write big");
	free(big);
	/* a pipe shrunk to one page must not come back at the default size */
	must(pipe2(p_small, O_NONBLOCK), "pipe");
	hi_pipe(p_small);
	must(fcntl(p_small[1], F_SETPIPE_SZ, 4096), "shrink pipe");
	if (write(p_small[1], msg1, sizeof(msg1)) < 0)
		must(-1, "write");
}

static void check_pipes(void)
{
	unsigned char *big = malloc(BIG_PIPE + 1);
	char b[128];
	int n = -1;

	wl_check(read(p_both[0], b, sizeof(b)) == sizeof(msg1) && !memcmp(b, msg1, sizeof(msg1)),
		 "pipe with both ends: data");
	wl_check(read(p_both[0], b, 1) < 0 && errno == EAGAIN, "pipe read end is nonblocking");
	wl_check(write(p_both[1], "x", 1) == 1 && read(p_both[0], b, 1) == 1 && b[0] == 'x',
		 "pipe ends are one pipe");
	wl_check(read(p_rd, b, sizeof(b)) == sizeof(msg2) && !memcmp(b, msg2, sizeof(msg2)),
		 "pipe read end alone: data");
	wl_check(read(p_rd, b, sizeof(b)) == 0, "pipe read end alone: then EOF");
	wl_check(!ioctl(p_wr, FIONREAD, &n) && n == sizeof(msg3), "pipe write end alone: %d bytes", n);
	wl_check(fcntl(p_big[0], F_GETPIPE_SZ) == 256 * 1024, "grown pipe size %d",
		 fcntl(p_big[0], F_GETPIPE_SZ));
	fcntl(p_big[0], F_SETFL, O_NONBLOCK);	/* a missing byte fails, never hangs */
	wl_check(read(p_big[0], big, BIG_PIPE + 1) == BIG_PIPE && is_pat(big, 0, BIG_PIPE),
		 "grown pipe: all its data");
	wl_check(fcntl(p_small[0], F_GETPIPE_SZ) == 4096, "shrunk pipe size %d",
		 fcntl(p_small[0], F_GETPIPE_SZ));
	wl_check(read(p_small[0], b, sizeof(b)) == sizeof(msg1), "shrunk pipe: its data");
	free(big);
}

/* --- a FIFO --- */
static int fi_rw, fi_rd;
static const char fmsg[] = "data in a fifo";

static void setup_fifo(void)
{
	must(mkfifo(path_fifo, 0600), "mkfifo");
	fi_rw = rec("fifo rdwr", must(hi(open(path_fifo, O_RDWR)), "fifo"));
	fi_rd = rec("fifo rdonly nonblock", must(hi(open(path_fifo, O_RDONLY | O_NONBLOCK)), "fifo rd"));
	if (write(fi_rw, fmsg, sizeof(fmsg)) < 0)
		must(-1, "write fifo");
}

static void check_fifo(void)
{
	char b[64];
	struct stat a, c;

	wl_check(!fstat(fi_rw, &a) && !stat(path_fifo, &c) && a.st_ino == c.st_ino &&
		 S_ISFIFO(a.st_mode), "fifo fd on the fifo");
	wl_check(read(fi_rd, b, sizeof(b)) == sizeof(fmsg) && !memcmp(b, fmsg, sizeof(fmsg)),
		 "fifo data");
	wl_check(read(fi_rd, b, 1) < 0 && errno == EAGAIN, "fifo empty, a writer left");
	wl_check(write(fi_rw, "y", 1) == 1 && read(fi_rd, b, 1) == 1 && b[0] == 'y',
		 "fifo ends are one fifo");
}

/* --- character devices --- */
static int d_null, d_zero, d_full, d_rand;

static void setup_dev(void)
{
	d_null = rec("/dev/null", must(hi(open("/dev/null", O_WRONLY)), "null"));
	d_zero = rec("/dev/zero", must(hi(open("/dev/zero", O_RDONLY)), "zero"));
	d_full = rec("/dev/full", must(hi(open("/dev/full", O_RDWR)), "full"));
	d_rand = rec("/dev/urandom", must(hi(open("/dev/urandom", O_RDONLY | O_CLOEXEC)), "urandom"));
}

static bool is_dev(int fd, unsigned int maj, unsigned int min)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == makedev(maj, min);
}

static void check_dev(void)
{
	unsigned char b[64], z[64] = {};

	wl_check(is_dev(d_null, 1, 3) && write(d_null, "x", 1) == 1, "/dev/null");
	wl_check(is_dev(d_zero, 1, 5) && read(d_zero, b, 64) == 64 && !memcmp(b, z, 64), "/dev/zero");
	wl_check(is_dev(d_full, 1, 7) && write(d_full, "x", 1) < 0 && errno == ENOSPC, "/dev/full");
	wl_check(is_dev(d_rand, 1, 9) && read(d_rand, b, 64) == 64, "/dev/urandom");
}

int main(int argc, char **argv)
{
	struct stat st;

	wl_init(argc, argv);
	snprintf(path_reg, sizeof(path_reg), "%s/reg", wl_dir());
	snprintf(path_ghost, sizeof(path_ghost), "%s/ghost", wl_dir());
	snprintf(path_fifo, sizeof(path_fifo), "%s/fifo", wl_dir());
	snprintf(path_sub, sizeof(path_sub), "%s/sub", wl_dir());
	if (wl_dir()[0] != '/' || stat(wl_dir(), &st) < 0)
		must(-1, "the state directory must be an absolute path");
	dir_ino = st.st_ino;
	setup_reg();
	setup_shared();
	setup_ghost();
	setup_tmpfile();
	setup_pipes();
	setup_fifo();
	setup_dev();
	wl_ready();
	wl_wait();
	check_reg();
	check_ghost();
	check_tmpfile();
	check_pipes();
	check_fifo();
	check_dev();
	check_shared();
	return wl_done();
}
