// SPDX-License-Identifier: GPL-2.0-only
/* Syscall injection into stopped threads. */
#define LOG_PREFIX "infect: "
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asm/syscall-nr.h>

#include "cleanup.h"
#include "infect.h"
#include "io.h"
#include "log.h"
#include "proc_parse.h"
#include "ptrace.h"

#define SYSCALL_STOP (SIGTRAP | 0x80)
#define TRAP_LEN (sizeof((unsigned char[])ARCH_SYSCALL_TRAP))

static int open_mem(pid_t tid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", tid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return log_perr(-errno, "Failed to open '%s'", path);
	return fd;
}

int infect_poke(struct infect *inf, unsigned long addr, const void *buf, size_t len)
{
	ssize_t n = pwrite(inf->mem_fd, buf, len, addr);

	if (n != (ssize_t)len)
		return log_perr(n < 0 ? -errno : -EIO, "Failed to write %zu bytes at %#lx of %d",
				len, addr, inf->tid);
	return 0;
}

int infect_peek(struct infect *inf, unsigned long addr, void *buf, size_t len)
{
	ssize_t n = pread(inf->mem_fd, buf, len, addr);

	if (n != (ssize_t)len)
		return log_perr(n < 0 ? -errno : -EIO, "Failed to read %zu bytes at %#lx of %d",
				len, addr, inf->tid);
	return 0;
}

unsigned long infect_find_syscall(pid_t pid, unsigned long start, unsigned long end)
{
	static const unsigned char insn[] = ARCH_SYSCALL_INSN;
	_cleanup_close_ int fd = open_mem(pid);
	unsigned char buf[4096 + ARCH_SYSCALL_INSN_LEN];
	unsigned long a;

	if (fd < 0)
		return 0;
	/* any byte sequence that decodes as the instruction will do */
	for (a = start; a < end; a += 4096) {
		size_t want = end - a < sizeof(buf) ? end - a : sizeof(buf);
		ssize_t n = pread(fd, buf, want, a);
		ssize_t i;

		for (i = 0; i + ARCH_SYSCALL_INSN_LEN <= n; i++)
			if (!memcmp(buf + i, insn, ARCH_SYSCALL_INSN_LEN))
				return a + i;
	}
	return 0;
}

/*
 * Run the thread through the injected syscall: into the breakpoint after it
 * (@trap), or from syscall entry to syscall exit. Clone events on the way
 * (the new task is attached already) are stepped over.
 */
static int run_syscall(pid_t tid, bool trap)
{
	int stops = 0, status;

	for (;;) {
		if (ptrace(trap ? PTRACE_CONT : PTRACE_SYSCALL, tid, 0, 0) < 0)
			return log_perr(-errno, "Failed to resume %d into an injected syscall", tid);
		status = ptrace_wait(tid);
		if (status < 0)
			return status;
		if (!WIFSTOPPED(status))
			return log_err(-ESRCH, "Task %d died in an injected syscall (status %#x)",
				       tid, status);
		if (trap && WSTOPSIG(status) == SIGTRAP && !(status >> 16))
			return 0;	/* the breakpoint; events have status >> 16 */
		if (!trap && WSTOPSIG(status) == SYSCALL_STOP && ++stops == 2)
			return 0;	/* syscall exit */
		if (WSTOPSIG(status) != SIGTRAP && WSTOPSIG(status) != SYSCALL_STOP)
			return log_err(-EPROTO, "Task %d stopped by signal %d in an injected syscall",
				       tid, WSTOPSIG(status));
	}
}

int infect_syscall(struct infect *inf, long *ret, long nr, const unsigned long args[6])
{
	arch_regs_t regs = inf->orig;
	int err;

	pr_debug("Task %d: syscall %ld(%#lx, %#lx, %#lx, ...) at %#lx", inf->tid, nr, args[0],
		 args[1], args[2], inf->syscall_ip);
	arch_regs_prep_syscall(&regs, inf->syscall_ip, nr, args);
	err = arch_regs_set(inf->tid, &regs);
	if (err)
		return err;
	err = run_syscall(inf->tid, inf->trap);
	if (err)
		return err;
	err = arch_regs_get(inf->tid, &regs);
	if (err)
		return err;
	/* a SIGTRAP from elsewhere is not our breakpoint */
	if (inf->trap && arch_regs_ip(&regs) != inf->syscall_ip + TRAP_LEN)
		return log_err(-EPROTO, "Task %d: SIGTRAP at %#lx in an injected syscall", inf->tid,
			       arch_regs_ip(&regs));
	*ret = arch_regs_retval(&regs);
	return 0;
}

/*
 * The breakpoint raises a forced SIGTRAP: the kernel resets an ignored
 * SIGTRAP to SIG_DFL and merges it with a pending one. Use it only where
 * SIGTRAP is neither ignored nor pending; elsewhere stop at syscall exit.
 */
static bool trap_safe(pid_t tid)
{
	const uint64_t bit = 1ULL << (SIGTRAP - 1);
	struct proc_status st;
	bool safe;

	if (proc_parse_status(tid, tid, &st))
		return false;
	safe = !((st.sig_pending | st.shd_pending | st.sig_ignored) & bit);
	proc_status_free(&st);
	return safe;
}


long infect_call(struct infect *inf, const char *what, long nr, unsigned long a0,
		 unsigned long a1, unsigned long a2, unsigned long a3, unsigned long a4,
		 unsigned long a5)
{
	const unsigned long args[6] = { a0, a1, a2, a3, a4, a5 };
	long ret;
	int err;

	err = infect_syscall(inf, &ret, nr, args);
	if (err)
		return err;
	if (ret < 0 && ret > -4096)
		return log_perr((int)ret, "Failed to %s in task %d", what, inf->tid);
	return ret;
}

static int infect_init(struct infect *inf, pid_t tid)
{
	int err;

	memset(inf, 0, sizeof(*inf));
	inf->tid = tid;
	inf->mem_fd = open_mem(tid);
	if (inf->mem_fd < 0)
		return inf->mem_fd;
	err = arch_regs_get(tid, &inf->orig);
	if (!err)
		err = ptrace_get_sigmask(tid, &inf->orig_sigmask);
	if (!err)
		/* all blocked but SIGTRAP: a blocked one would lose its handler to the breakpoint */
		err = ptrace_set_sigmask(tid, ~0ULL & ~(1ULL << (SIGTRAP - 1)));
	if (err)
		close(inf->mem_fd);
	return err;
}

/* Syscalls run at the start of @map; the pages after the first carry data. */
static void use_scratch(struct infect *inf, unsigned long map, size_t len)
{
	inf->scratch_map = map;
	inf->scratch_map_len = len;
	inf->scratch = map + INFECT_CODE_SIZE;
	inf->scratch_len = len - INFECT_CODE_SIZE;
	inf->syscall_ip = map;
}

int infect_start(struct infect *inf, pid_t tid, unsigned long syscall_ip,
		 unsigned long scratch_at)
{
	static const unsigned char insn[] = ARCH_SYSCALL_TRAP;
	long addr;
	int err;

	err = infect_init(inf, tid);
	if (err)
		return err;
	inf->syscall_ip = syscall_ip;
	if (!scratch_at)
		return 0;
	addr = infect_call(inf, "map the scratch area", NR_mmap, scratch_at, INFECT_SCRATCH_SIZE,
			   PROT_READ | PROT_WRITE | PROT_EXEC,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (addr < 0)
		goto err;
	use_scratch(inf, addr, INFECT_SCRATCH_SIZE);
	inf->own_scratch = true;
	/* later syscalls run from our own page, whatever happens to the task's */
	err = infect_poke(inf, addr, insn, sizeof(insn));
	if (err)
		goto err;
	inf->trap = trap_safe(tid);
	return 0;
err:
	infect_stop(inf);
	return addr < 0 ? (int)addr : err;
}

int infect_attach_scratch(struct infect *inf, pid_t tid, unsigned long map, size_t len)
{
	int err = infect_init(inf, tid);

	if (!err) {
		use_scratch(inf, map, len);
		/* every scratch area starts with ARCH_SYSCALL_TRAP */
		inf->trap = trap_safe(tid);
	}
	return err;
}

int infect_stop(struct infect *inf)
{
	int ret = 0;

	if (inf->own_scratch && inf->scratch_map) {
		long r;

		/* the breakpoint goes with the page: stop at the syscall's exit instead */
		inf->trap = false;
		r = infect_call(inf, "unmap the scratch area", NR_munmap, inf->scratch_map,
				inf->scratch_map_len, 0, 0, 0, 0);

		if (r < 0)
			ret = r;
		inf->scratch_map = inf->scratch = 0;
	}
	if (!inf->keep_regs) {
		int err = arch_regs_set(inf->tid, &inf->orig);

		if (!err)
			err = ptrace_set_sigmask(inf->tid, inf->orig_sigmask);
		if (err && !ret)
			ret = err;
	}
	if (inf->mem_fd >= 0)
		close(inf->mem_fd);
	inf->mem_fd = -1;
	return ret;
}
