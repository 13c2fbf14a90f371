// SPDX-License-Identifier: GPL-2.0-only
/*
 * The process of the "live process -> cpt file -> ovz2img -> vzcr restore"
 * chain (tests/convert/live.t): one of everything ovz2img translates, each
 * checked by the process itself once it goes on. Memory: anonymous pages,
 * heap, a private file mapping written to (COW), a stack array, shared
 * anonymous memory. Files: a regular file at an offset, a dup sharing it,
 * O_APPEND with close-on-exec, a pipe and a named FIFO holding data, an
 * unlinked file still open, cwd, umask. Signals: a handler with flags and mask, SIGINT ignored,
 * a blocked and pending SIGUSR1, a queued real-time signal with its value.
 * Timers: ITIMER_REAL and a POSIX timer, remaining time sane. FPU: the
 * rounding mode (x87 control word and MXCSR). Tree: a child in its own
 * process group that checks the memory it shares with its parent since
 * fork and its own, writes to the shared memory its parent then reads, and
 * left bytes in a pipe its parent reads; a zombie child with its exit
 * code; a stopped child; a thread with its own blocked mask, a signal pending for it alone
 * and a TLS variable.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

#define ANON_PAGES	64
#define HEAP_PAGES	8
#define SIG_RT		(SIGRTMIN + 3)
#define SIG_TIMER	(SIGRTMIN + 4)
#define SIG_THREAD	(SIGRTMIN + 6)
#define CHILD_PAGES	16

/* Rounding "up" in the x87 control word and in MXCSR (no libm needed). */
static void fpu_round_up(void)
{
	unsigned short cw;
	unsigned int mx;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	cw = (cw & ~0xc00) | 0x800;
	__asm__ volatile("fldcw %0" : : "m"(cw));
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	mx = (mx & ~0x6000u) | 0x4000;
	__asm__ volatile("ldmxcsr %0" : : "m"(mx));
}

static bool fpu_rounds_up(void)
{
	unsigned short cw;
	unsigned int mx;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	return (cw & 0xc00) == 0x800 && (mx & 0x6000) == 0x4000;
}

static volatile int usr1_runs, usr1_bad, rt_runs, rt_value;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;

	(void)uc;
	usr1_runs++;
	/* sa_mask came back: SIGHUP is blocked while the handler runs */
	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (sig != SIGUSR1 || si->si_signo != SIGUSR1 || !sigismember(&cur, SIGHUP))
		usr1_bad++;
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	(void)sig;
	rt_runs++;
	rt_value = si->si_value.sival_int;
}

static void handlers(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIG_RT, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIG_TIMER, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIG_RT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	sigqueue(getpid(), SIG_RT, (union sigval){ .sival_int = 4242 });
}

static void check_signals(void)
{
	struct sigaction sa;
	sigset_t pend, unblock;

	sigaction(SIGUSR1, NULL, &sa);
	wl_check(sa.sa_sigaction == on_usr1 && (sa.sa_flags & SA_RESTART) &&
		 sigismember(&sa.sa_mask, SIGHUP), "SIGUSR1 handler, flags and mask kept");
	sigaction(SIGINT, NULL, &sa);
	wl_check(sa.sa_handler == SIG_IGN, "SIGINT still ignored");
	sigpending(&pend);
	wl_check(sigismember(&pend, SIGUSR1), "SIGUSR1 still pending");
	wl_check(sigismember(&pend, SIG_RT), "the real-time signal still queued");
	sigemptyset(&unblock);
	sigaddset(&unblock, SIGUSR1);
	sigaddset(&unblock, SIG_RT);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	wl_check(usr1_runs == 1 && !usr1_bad, "SIGUSR1 delivered once with its mask (%d runs, %d bad)",
		 usr1_runs, usr1_bad);
	wl_check(rt_runs == 1 && rt_value == 4242, "real-time signal delivered with its value (%d, %d)",
		 rt_runs, rt_value);
}

static timer_t tm;
/* argv[2] "no-posix-timers": a 2.6.18 dump has no room for them */
static bool posix_timers = true;

static void timers(void)
{
	struct itimerval it = { .it_value = { 1000, 0 } };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIG_TIMER };
	struct itimerspec its = { .it_value = { 500, 0 }, .it_interval = { 7, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
	if (!posix_timers)
		return;
	timer_create(CLOCK_MONOTONIC, &sev, &tm);
	timer_settime(tm, 0, &its, NULL);
}

static void check_timers(void)
{
	struct itimerval it;
	struct itimerspec its;

	getitimer(ITIMER_REAL, &it);
	wl_check(it.it_value.tv_sec > 900 && it.it_value.tv_sec < 1000,
		 "ITIMER_REAL left %ld s of 1000", (long)it.it_value.tv_sec);
	if (!posix_timers)
		return;
	wl_check(timer_gettime(tm, &its) == 0, "the POSIX timer exists (%s)", strerror(errno));
	wl_check(its.it_value.tv_sec > 400 && its.it_value.tv_sec < 500 &&
		 its.it_interval.tv_sec == 7, "POSIX timer: %ld s left of 500, interval %ld",
		 (long)its.it_value.tv_sec, (long)its.it_interval.tv_sec);
}

struct files {
	int reg, dup, app, pipe[2], ghost, fifo;
	char *map;
};

static void files(struct files *f)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/data", wl_dir());
	f->reg = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f->reg < 0 || write(f->reg, "0123456789abcdef", 16) != 16)
		wl_fail("cannot write %s", path);
	lseek(f->reg, 5, SEEK_SET);
	f->dup = dup(f->reg);
	snprintf(path, sizeof(path), "%s/append", wl_dir());
	f->app = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (pipe(f->pipe) < 0 || write(f->pipe[1], "hello pipe", 10) != 10)
		wl_fail("cannot fill a pipe");
	snprintf(path, sizeof(path), "%s/ghost", wl_dir());
	f->ghost = open(path, O_RDWR | O_CREAT | O_TRUNC, 0640);
	if (f->ghost < 0 || pwrite(f->ghost, "ghost data", 10, 0) != 10 ||
	    pwrite(f->ghost, "tail", 4, 8192) != 4 || unlink(path) < 0)
		wl_fail("cannot make an unlinked file");
	lseek(f->ghost, 3, SEEK_SET);
	snprintf(path, sizeof(path), "%s/fifo", wl_dir());
	if (mkfifo(path, 0600) < 0 || (f->fifo = open(path, O_RDWR | O_NONBLOCK)) < 0 ||
	    write(f->fifo, "fifo bytes", 10) != 10)
		wl_fail("cannot fill a FIFO");
	f->map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, f->reg, 0);
	if (f->map == MAP_FAILED)
		wl_fail("cannot map %s", path);
	else
		memcpy(f->map, "COW!", 4);	/* the file keeps "0123" */
	if (chdir(wl_dir()) < 0)
		wl_fail("cannot chdir");
	umask(027);
}

/* The unlinked file: still unlinked, its mode, size, offset and contents. */
static void check_ghost(int fd)
{
	char buf[16] = { 0 };
	struct stat st;

	wl_check(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 8196 &&
		 (st.st_mode & 07777) == 0640, "unlinked file: no link, 8196 bytes, mode 0640");
	wl_check(lseek(fd, 0, SEEK_CUR) == 3, "unlinked file: offset 3");
	wl_check(pread(fd, buf, 10, 0) == 10 && !strcmp(buf, "ghost data"), "unlinked file: head");
	memset(buf, 0, sizeof(buf));
	wl_check(pread(fd, buf, 8, 8192) == 4 && !strcmp(buf, "tail"), "unlinked file: tail");
}

static void check_files(struct files *f)
{
	char buf[32] = { 0 }, cwd[4096];
	mode_t old = umask(0);

	wl_check(lseek(f->reg, 0, SEEK_CUR) == 5, "regular file at offset 5");
	wl_check(read(f->dup, buf, 3) == 3 && !memcmp(buf, "567", 3), "dup reads on at the shared offset");
	wl_check(lseek(f->reg, 0, SEEK_CUR) == 8, "the offset is shared by the dup");
	wl_check((fcntl(f->app, F_GETFL) & O_APPEND) && (fcntl(f->app, F_GETFD) & FD_CLOEXEC),
		 "O_APPEND and close-on-exec kept");
	memset(buf, 0, sizeof(buf));
	fcntl(f->pipe[0], F_SETFL, O_NONBLOCK);
	wl_check(read(f->pipe[0], buf, sizeof(buf)) == 10 && !strcmp(buf, "hello pipe"),
		 "pipe data kept ('%s')", buf);
	wl_check(!memcmp(f->map, "COW!4567", 8), "private file mapping: written page and file page");
	wl_check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, wl_dir()), "cwd kept (%s)", cwd);
	check_ghost(f->ghost);
	memset(buf, 0, sizeof(buf));
	wl_check(read(f->fifo, buf, sizeof(buf)) == 10 && !strcmp(buf, "fifo bytes") &&
		 (fcntl(f->fifo, F_GETFL) & O_NONBLOCK), "FIFO: its data and flags kept ('%s')", buf);
	wl_check(old == 027, "umask kept (%o)", old);
}

static __thread int tls_word = 77;
static volatile int thr_ready, thr_stop, thr_ok;

/* A thread: its own mask, a signal pending for it alone, a TLS word. */
static void *thread_fn(void *arg)
{
	sigset_t m, cur, pend;

	(void)arg;
	sigemptyset(&m);
	sigaddset(&m, SIG_THREAD);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
	tls_word = 1234;
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIG_THREAD);
	thr_ready = 1;
	while (!thr_stop) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	sigpending(&pend);
	thr_ok = (tls_word == 1234) | sigismember(&cur, SIG_THREAD) << 1 |
		 sigismember(&pend, SIG_THREAD) << 2;
	return NULL;
}

#define SHM_PAGES	4
static char *shm;	/* MAP_SHARED | MAP_ANONYMOUS: two pages written, two untouched */

/* The child: memory shared with the parent since fork and its own. */
static int child(const char *anon, int out)
{
	char *own = mmap(NULL, CHILD_PAGES * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t parent = getppid();

	/*
	 * A VMA of its own next to one inherited from the parent: the kernel
	 * keeps them apart (two anon_vmas), a restore would map one. A
	 * madvise flag keeps them apart in both, and travels through the dump.
	 */
	if (own == MAP_FAILED || setpgid(0, 0) < 0 ||
	    madvise(own, CHILD_PAGES * 4096, MADV_NOHUGEPAGE) < 0)
		_exit(2);
	wl_fill(own, CHILD_PAGES, 21, 1);
	if (write(out, "kid", 3) != 3)
		_exit(3);
	wl_wait();
	if (!wl_same(anon, ANON_PAGES, 11, 1))
		_exit(4);
	if (!wl_same(own, CHILD_PAGES, 21, 1))
		_exit(5);
	if (!wl_same(shm, 2, 31, 1))
		_exit(7);
	shm[3 * 4096 + 5] = 0x77;	/* the parent must see it */
	_exit(getppid() == parent && getpgid(0) == getpid() ? 0 : 6);
}

static pid_t start_child(const char *anon, int kp[2])
{
	pid_t pid;
	int n = 0;

	if (pipe(kp) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		child(anon, kp[1]);
	while (pid > 0 && n < 3 && !ioctl(kp[0], FIONREAD, &n) && n < 3) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return pid;
}

/* A child that exits with 3 and is not reaped: a zombie across the chain. */
static pid_t start_zombie(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(3);
	if (pid > 0 && waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0)
		return -1;
	return pid;
}

static pid_t zombie, stopped;

/* A child that stopped itself (SIGSTOP): still stopped after the chain. */
static pid_t start_stopped(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid > 0 && (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)))
		return -1;
	return pid;
}

static char state_of(pid_t pid)
{
	char path[64], buf[256], *s = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f))
		s = strrchr(buf, ')');
	if (f)
		fclose(f);
	return s && s[1] && s[2] ? s[2] : '?';
}

static void check_tree(pid_t kid, int kp[2], pthread_t th)
{
	char buf[8] = { 0 };
	int st = -1;

	thr_stop = 1;
	pthread_join(th, NULL);
	wl_check(thr_ok == 7, "thread: TLS, own mask, own pending signal kept (%#x)", thr_ok);
	kill(kid, SIGUSR2);
	wl_check(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "child checks itself (status %#x)", st);
	wl_check(wl_same(shm, 2, 31, 1) && shm[3 * 4096 + 5] == 0x77 && !shm[2 * 4096],
		 "shared anonymous memory: contents kept, still shared with the child");
	wl_check(state_of(stopped) == 'T', "the stopped child is still stopped (%c)",
		 state_of(stopped));
	kill(stopped, SIGKILL);
	waitpid(stopped, NULL, 0);
	st = -1;
	wl_check(waitpid(zombie, &st, WNOHANG) == zombie && WIFEXITED(st) && WEXITSTATUS(st) == 3,
		 "the zombie child is still there, with its exit code (status %#x)", st);
	fcntl(kp[0], F_SETFL, O_NONBLOCK);
	wl_check(read(kp[0], buf, sizeof(buf)) == 3 && !strcmp(buf, "kid"),
		 "the child's bytes in the pipe ('%s')", buf);
}

int main(int argc, char **argv)
{
	pthread_t th;
	int kp[2];
	pid_t kid;
	unsigned char stack_page[4096];
	struct files f;
	char *anon, *heap;

	wl_init(argc, argv);
	posix_timers = !(argc > 2 && !strcmp(argv[2], "no-posix-timers"));
	anon = mmap(NULL, ANON_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	heap = malloc(HEAP_PAGES * 4096);
	if (anon == MAP_FAILED || !heap)
		wl_fail("no memory");
	wl_fill(anon, ANON_PAGES, 11, 1);
	wl_fill(heap, HEAP_PAGES, 12, 3);
	memset(stack_page, 0x5a, sizeof(stack_page));
	files(&f);
	shm = mmap(NULL, SHM_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		   0);
	if (shm == MAP_FAILED)
		wl_fail("no shared memory");
	wl_fill(shm, 2, 31, 1);
	kid = start_child(anon, kp);
	zombie = start_zombie();
	stopped = start_stopped();
	if (kid < 0 || zombie < 0 || stopped < 0)
		wl_fail("cannot fork");
	handlers();
	timers();
	fpu_round_up();
	if (pthread_create(&th, NULL, thread_fn, NULL))
		wl_fail("cannot start a thread");
	while (!thr_ready) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	wl_ready();
	wl_wait();
	wl_check(fpu_rounds_up(), "FPU rounding mode (x87 and MXCSR) kept");
	wl_check(wl_same(anon, ANON_PAGES, 11, 1), "anonymous pages kept");
	wl_check(wl_same(heap, HEAP_PAGES, 12, 3), "heap kept");
	for (size_t i = 0; i < sizeof(stack_page); i++)
		if (!wl_check(stack_page[i] == 0x5a, "stack byte %zu", i))
			break;
	check_files(&f);
	check_timers();
	check_signals();
	check_tree(kid, kp, th);
	return wl_done();
}
