// SPDX-License-Identifier: GPL-2.0-only
/*
 * cptlive (with cptlive-dump.c): writes an OpenVZ cpt dump of a LIVE process tree of this
 * machine, the way the old kernel's checkpointer laid it out (note
 * ../shared/notes/ovz-cpt-format.md, RHEL6 order and records; --rhel5 for
 * 2.6.18 record sizes), for the chain "live process -> cpt -> ovz2img ->
 * vzcr restore" (live.t). The process is seized and stopped with ptrace;
 * registers and FPU/xstate from PTRACE_GETREGSET; memory maps from smaps,
 * present private pages (pagemap) read from /proc/PID/mem; fds, their
 * offsets and flags from /proc, shared descriptions by kcmp, pipe contents
 * by tee() from a pidfd_getfd copy (nothing is consumed); cwd, root, umask;
 * what only the task knows (sigactions, itimers, POSIX timers, sigaltstack,
 * clear_tid, brk, pdeath signal, securebits) by syscalls injected with the
 * engine's infect.c; pending signals by PTRACE_PEEKSIGINFO. With --kill the
 * process is killed afterwards (vzctl chkpnt's CPT_KILL). Not installed.
 *
 * The whole tree under PID is dumped: processes breadth first, each with
 * its threads; pages a later process shares with an earlier one (fork) as
 * COPYPAGES, the way the old writer did; zombies as a bare TASK record;
 * stopped tasks with what /proc tells of them (no syscall runs in them).
 *
 * With --old-vdso EDITS the vDSO is written as an old kernel's
 * (cptlive-vdso.c), in the VSYSCALL section or with --vdso-out in a file.
 *
 *   cptlive [--rhel5] [--kill] [--old-vdso EDITS [--vdso-out F]] PID FILE
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <asm/syscall-nr.h>

#include "cptlive.h"
#include "engine/dump.h"
#include "engine/infect.h"
#include "engine/ptrace.h"
#include "log.h"

struct cptlive L;

void die(const char *what)
{
	fprintf(stderr, "cptlive: %s: %s\n", what, strerror(errno));
	for (int i = 0; i < L.np; i++)
		kill(L.p[i].pid, SIGKILL);
	exit(1);
}

static long inj(struct infect *inf, long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		unsigned long a3)
{
	long r = infect_call(inf, "cptlive", nr, a0, a1, a2, a3, 0, 0);

	if (r < 0) {
		errno = (int)-r;
		die("injected syscall");
	}
	return r;
}

static void peek(struct infect *inf, void *buf, size_t len)
{
	if (infect_peek(inf, inf->scratch, buf, len) < 0)
		die("peek");
}

/* /proc/PID/timers: ids, clocks, signals, how they notify. */
static void read_timer_list(struct lproc *P)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/timers", P->pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		struct ltimer *t = &P->tm[P->ntm];
		char how[16], kind[8];
		unsigned long long v;
		unsigned int n;

		if (sscanf(line, "ID: %u", &n) == 1 && P->ntm < MAX_TIMERS) {
			memset(t, 0, sizeof(*t));
			t->id = n;
			P->ntm++;
		} else if (P->ntm && sscanf(line, "signal: %u/%llx", &n, &v) == 2) {
			t[-1].signo = n;
			t[-1].value = v;
		} else if (P->ntm && sscanf(line, "notify: %15[a-z]/%7[a-z].%u", how, kind, &n) == 3) {
			t[-1].notify = !strcmp(how, "none") ? SIGEV_NONE : SIGEV_SIGNAL;
			if (!strcmp(kind, "tid"))
				t[-1].notify |= SIGEV_THREAD_ID;
			t[-1].tid = n;
		} else if (P->ntm && sscanf(line, "ClockID: %u", &n) == 1) {
			t[-1].clock = n;
		}
	}
	if (f)
		fclose(f);
}

/* What only a thread can tell: its sigaltstack and clear_tid address. */
static void thread_queries(struct infect *inf, struct lthr *t)
{
	inj(inf, NR_sigaltstack, 0, inf->scratch, 0, 0);
	peek(inf, &t->ss, sizeof(t->ss));
	inj(inf, NR_prctl, PR_GET_TID_ADDRESS, inf->scratch, 0, 0);
	peek(inf, &t->clear_tid, sizeof(t->clear_tid));
}

/* What only the task can tell, by syscalls run inside it. */
static void inject_queries(struct lproc *P)
{
	struct infect inf = { .mem_fd = -1 };
	unsigned long ip = 0, hole;

	for (size_t i = 0; i < P->vmas.n && !ip; i++)
		if ((P->vmas.v[i].prot & 4) && !(P->vmas.v[i].status & VMA_AREA_VSYSCALL))
			ip = infect_find_syscall(P->pid, P->vmas.v[i].start, P->vmas.v[i].end);
	hole = vma_find_hole(&P->vmas, INFECT_SCRATCH_SIZE);
	if (!ip || !hole || infect_start(&inf, P->pid, ip, hole) < 0)
		die("infect_start");
	for (int sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		inj(&inf, NR_rt_sigaction, sig, 0, inf.scratch, ARCH_KSIGSET_SIZE);
		peek(&inf, &P->sa[sig], sizeof(P->sa[sig]));
	}
	for (int w = 0; w < 3; w++) {
		inj(&inf, NR_getitimer, w, inf.scratch, 0, 0);
		peek(&inf, &P->it[w], sizeof(P->it[w]));
	}
	read_timer_list(P);
	for (int i = 0; i < P->ntm; i++) {
		inj(&inf, NR_timer_gettime, P->tm[i].id, inf.scratch, 0, 0);
		peek(&inf, &P->tm[i].its, sizeof(P->tm[i].its));
		P->tm[i].overrun = (int)inj(&inf, NR_timer_getoverrun, P->tm[i].id, 0, 0, 0);
	}
	thread_queries(&inf, &P->th[0]);
	inj(&inf, NR_prctl, PR_GET_PDEATHSIG, inf.scratch, 0, 0);
	peek(&inf, &P->pdeath, sizeof(int));
	P->secbits = inj(&inf, NR_prctl, PR_GET_SECUREBITS, 0, 0, 0);
	P->brk = (uint64_t)inj(&inf, NR_brk, 0, 0, 0, 0);
	for (int i = 1; i < P->nth; i++) {
		struct infect ti = { .mem_fd = -1 };

		if (infect_attach_scratch(&ti, P->th[i].tid, inf.scratch_map, inf.scratch_map_len) < 0)
			die("infect a thread");
		thread_queries(&ti, &P->th[i]);
		if (infect_stop(&ti) < 0)
			die("infect_stop");
	}
	if (infect_stop(&inf) < 0)
		die("infect_stop");
}

static void peek_signals(pid_t tid, bool shared, siginfo_t *out, int *n)
{
	for (*n = 0; *n < MAX_SIGS; (*n)++) {
		struct __ptrace_peeksiginfo_args a = { .off = *n, .nr = 1,
			.flags = shared ? PTRACE_PEEKSIGINFO_SHARED : 0 };
		long r = ptrace(PTRACE_PEEKSIGINFO, tid, &a, &out[*n]);

		if (r < 0)
			die("PTRACE_PEEKSIGINFO");
		if (r == 0)
			break;
	}
}

static void seize_thread(struct lthr *t)
{
	struct iovec iov = { t->fpu, sizeof(t->fpu) };
	struct seized s;

	if (ptrace_seize_stop(t->tid, SEIZE_OPTS_DUMP, &s) < 0)
		die("seize");
	if (arch_regs_get(t->tid, &t->regs) < 0)
		die("registers");
	if (L.rhel5)	/* 2.6.18 kernels knew fxsave only */
		iov.iov_len = 512;
	if (ptrace(PTRACE_GETREGSET, t->tid, L.rhel5 ? NT_PRFPREG : NT_X86_XSTATE, &iov) < 0)
		die("FPU state");
	t->fpu_len = iov.iov_len;
	if (ptrace_get_sigmask(t->tid, &t->blocked) < 0)
		die("sigmask");
	peek_signals(t->tid, false, t->priv, &t->npriv);
	syscall(SYS_get_robust_list, t->tid, &t->robust, &(size_t){ 0 });
}

/* Ids in a /proc list file (task/, children), appended to @out. */
static int proc_list(const char *path, pid_t *out, int n, int max)
{
	char buf[4096], *p = buf;
	int fd = open(path, O_RDONLY);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (len < 0)
		return n;
	buf[len] = '\0';
	while (n < max && (out[n] = (pid_t)strtol(p, &p, 10)) > 0)
		n++;
	return n;
}

/*
 * A task in a group stop traps back into it whenever it is resumed: no
 * syscall can run in it (the engine's own dump refuses it for that). What
 * only such a syscall tells stays at its default, but for what /proc shows:
 * ignored signals (SigIgn) and the brk (the end of [heap]).
 */
static void stopped_defaults(struct lproc *P)
{
	uint64_t ign = status_field(P->pid, "SigIgn", 0);

	for (int sig = 1; sig <= 64; sig++)
		if (ign & (1ULL << (sig - 1)))
			P->sa[sig].handler = 1;	/* SIG_IGN */
	for (int i = 0; i < P->nth; i++)
		P->th[i].ss.ss_flags = SS_DISABLE;
	P->brk = stat_field(P->pid, 47);
	for (size_t i = 0; i < P->vmas.n; i++)
		if (P->vmas.v[i].status & VMA_AREA_HEAP)
			P->brk = P->vmas.v[i].end;
}

/* The process @pid and its threads, seized; its children queued after it. */
static void seize_proc(pid_t pid)
{
	struct lproc *P = &L.p[L.np++];
	char path[64];
	struct dirent *e;
	DIR *d;

	P->pid = pid;
	P->th[P->nth++].tid = pid;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (atoi(e->d_name) > 0 && atoi(e->d_name) != pid && P->nth < MAX_THREADS)
			P->th[P->nth++].tid = atoi(e->d_name);
	if (d)
		closedir(d);
	for (int i = 0; i < P->nth; i++)
		seize_thread(&P->th[i]);
	peek_signals(pid, true, P->shared, &P->nshared);
	if (proc_parse_smaps(pid, &P->vmas) < 0)
		die("smaps");
	if (P->stopped)
		stopped_defaults(P);
	else
		inject_queries(P);
	vma_list_free(&P->vmas);
	if (proc_parse_smaps(pid, &P->vmas) < 0)	/* without the scratch area */
		die("smaps");
}

/* The whole tree, breadth first as the old kernel's TASKS section has it. */
/* The state letter of /proc/PID/stat ('Z' for a zombie). */
static char proc_state(pid_t pid)
{
	char p[64], buf[512], *s;
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	fd = open(p, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		die(p);
	buf[n] = '\0';
	s = strrchr(buf, ')');
	return s && s[1] && s[2] ? s[2] : '?';
}

static void seize(pid_t root)
{
	pid_t queue[MAX_PROCS];
	int nq = 1;

	queue[0] = root;
	for (int i = 0; i < nq; i++) {
		char path[96];

		if (L.np == MAX_PROCS) {
			errno = E2BIG;
			die("too many processes");
		}
		if (proc_state(queue[i]) == 'Z') {	/* nothing to seize, no children */
			struct lproc *P = &L.p[L.np++];

			P->pid = P->th[0].tid = queue[i];
			P->nth = 1;
			P->zombie = true;
			continue;
		}
		L.p[L.np].stopped = proc_state(queue[i]) == 'T';
		seize_proc(queue[i]);
		for (int k = 0; k < L.p[L.np - 1].nth; k++) {
			snprintf(path, sizeof(path), "/proc/%d/task/%d/children", queue[i],
				 L.p[L.np - 1].th[k].tid);
			nq = proc_list(path, queue, nq, MAX_PROCS);
		}
	}
}

/* ---- files: fds, mapped files, pipe contents ---- */

static int add_file(const char *path, const struct stat *st, uint32_t flags, uint64_t pos,
		    pid_t pid, int fd)
{
	struct lfile *f = &L.files[L.nfiles];

	if (L.nfiles == MAX_FILES) {
		errno = EMFILE;
		die("too many files");
	}
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->i_mode = st->st_mode;
	f->ino = st->st_ino;
	f->flags = flags;
	f->fpos = pos;
	f->pid = pid;
	f->fd = fd;
	f->map_only = fd < 0;
	return L.nfiles++;
}

/* The description of fd @fd of @pid is one we have already? (kcmp) */
static int same_description(pid_t pid, int fd)
{
	for (int i = 0; i < L.nfiles; i++)
		if (L.files[i].fd >= 0 &&
		    syscall(SYS_kcmp, L.files[i].pid, pid, KCMP_FILE, L.files[i].fd, fd) == 0)
			return i;
	return -1;
}

static void one_fd(struct lproc *P, int fd)
{
	char p[128], target[4096], line[256];
	unsigned long long pos = 0;
	unsigned int flags = 0;
	struct stat st;
	ssize_t n;
	FILE *fi;
	int k;

	snprintf(p, sizeof(p), "/proc/%d/fd/%d", P->pid, fd);
	n = readlink(p, target, sizeof(target) - 1);
	if (n < 0 || stat(p, &st) < 0)
		die(p);
	target[n] = '\0';
	snprintf(p, sizeof(p), "/proc/%d/fdinfo/%d", P->pid, fd);
	fi = fopen(p, "r");
	while (fi && fgets(line, sizeof(line), fi))
		if (sscanf(line, "pos: %llu", &pos) != 1)
			sscanf(line, "flags: %o", &flags);
	if (fi)
		fclose(fi);
	P->fd_cloexec[fd] = (flags & O_CLOEXEC) != 0;
	k = same_description(P->pid, fd);
	if (k < 0) {
		k = add_file(target, &st, flags & ~O_CLOEXEC, pos, P->pid, fd);
		L.files[k].deleted = S_ISREG(st.st_mode) && !st.st_nlink;
	}
	P->fd_file[fd] = k;
}

/* Shared anonymous memory: one deleted "/dev/zero" file per object. */
static void map_shm(const struct lproc *P, const struct vma_area *v)
{
	struct stat st = { .st_mode = S_IFREG | 0666, .st_ino = v->ino };
	struct lfile *f;

	for (int k = 0; k < L.nfiles; k++)
		if (L.files[k].shm && L.files[k].ino == v->ino)
			return;
	f = &L.files[add_file("/dev/zero (deleted)", &st, O_RDWR, 0, P->pid, -1)];
	f->shm = true;
	f->map_only = false;
	f->shm_start = v->start;
	f->shm_end = v->end;
	f->shm_pgoff = v->pgoff;
}

/* Non-zero pages of @fd up to @end as PAGES blocks at their offsets + @base. */
static void map_files(const struct lproc *P)
{
	for (size_t i = 0; i < P->vmas.n; i++) {
		struct vma_area *v = &P->vmas.v[i];
		struct stat st;
		int k;

		if (v->status & VMA_ANON_SHARED) {
			map_shm(P, v);
			continue;
		}
		if (!(v->status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)) || !v->path)
			continue;
		for (k = 0; k < L.nfiles; k++)
			if (L.files[k].map_only && !strcmp(L.files[k].path, v->path))
				break;
		if (k < L.nfiles)
			continue;
		if (stat(v->path, &st) < 0)
			die(v->path);
		add_file(v->path, &st, (v->flags & MAP_SHARED) && (v->prot & 2) ? O_RDWR : O_RDONLY,
			 0, P->pid, -1);
	}
}

static void collect_files(void)
{
	for (int i = 0; i < L.np; i++) {
		struct lproc *P = &L.p[i];
		struct dirent *e;
		char p[64];
		DIR *d;

		memset(P->fd_file, 0xff, sizeof(P->fd_file));
		if (P->zombie)
			continue;
		snprintf(p, sizeof(p), "/proc/%d/fd", P->pid);
		d = opendir(p);
		if (!d)
			die(p);
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && atoi(e->d_name) < 1024)
				one_fd(P, atoi(e->d_name));
		closedir(d);
		map_files(P);
	}
}

/* The bytes queued in a pipe, copied with tee(): the task keeps them. */
size_t pipe_bytes(pid_t pid, int fd, char *buf, size_t size)
{
	char p[64];
	int rfd, tp[2];
	ssize_t n, got = 0;

	snprintf(p, sizeof(p), "/proc/%d/fd/%d", pid, fd);
	rfd = open(p, O_RDONLY | O_NONBLOCK);
	if (rfd < 0 || pipe(tp) < 0)
		die("pipe copy");
	fcntl(tp[1], F_SETPIPE_SZ, 1 << 20);
	n = tee(rfd, tp[1], size, SPLICE_F_NONBLOCK);
	if (n > 0)
		got = read(tp[0], buf, (size_t)n);
	close(rfd);
	close(tp[0]);
	close(tp[1]);
	return got > 0 ? (size_t)got : 0;
}

/* ---- the dump ---- */

uint64_t status_field(pid_t pid, const char *key, int idx)
{
	char p[64], line[1024];
	uint64_t v = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	f = fopen(p, "r");
	while (f && fgets(line, sizeof(line), f)) {
		size_t k = strlen(key);
		char *s = line + k;

		if (strncmp(line, key, k) || line[k] != ':')
			continue;
		s++;
		for (int i = 0; i <= idx; i++)
			v = strtoull(s, &s, !strncmp(key, "Cap", 3) ? 16 : !strcmp(key, "Umask") ? 8 : 10);
	}
	if (f)
		fclose(f);
	return v;
}

/* Fields of /proc/PID/stat, 1-based as proc(5) numbers them. */
uint64_t stat_field(pid_t pid, int n)
{
	char p[64], buf[4096], *s;
	ssize_t len;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	fd = open(p, O_RDONLY);
	len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (len < 0)
		die(p);
	buf[len] = '\0';
	s = strrchr(buf, ')');
	for (int i = 2; s && i < n; i++)
		s = strchr(s + 1, ' ');
	return s ? strtoull(s + 1, NULL, 10) : 0;
}


int main(int argc, char **argv)
{
	bool kill_it = false;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--rhel5"))
			L.rhel5 = true;
		else if (!strcmp(argv[i], "--kill"))
			kill_it = true;
		else if (!strcmp(argv[i], "--old-vdso") && i + 1 < argc)
			L.old_vdso = argv[++i];
		else if (!strcmp(argv[i], "--vdso-out") && i + 1 < argc)
			L.vdso_out = argv[++i];
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: cptlive [--rhel5] [--kill] [--old-vdso EDITS [--vdso-out F]] PID FILE\n");
		return 2;
	}
	log_set_level(LOG_WARN);
	seize(atoi(argv[i]));
	collect_files();
	sock_collect();
	tty_collect();
	if (write_dump(argv[i + 1]))
		die("write");
	for (int k = 0; kill_it && k < L.np; k++)
		kill(L.p[k].pid, SIGKILL);
	return 0;
}

