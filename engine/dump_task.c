// SPDX-License-Identifier: GPL-2.0-only
/* Dump one process: its memory map first, then syscalls inside it. */
#define LOG_PREFIX "dump: "
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "dump.h"
#include "log.h"

#define GUARD		(1UL << 20)
#define HOLE_FLOOR	(1UL << 32)	/* above brk heaps of non-PIE binaries */
#define TASK_TOP	0x7ffffffff000UL

/* A syscall instruction in the vDSO, else in any executable mapping. */
static unsigned long find_syscall_ip(pid_t pid, const struct vma_list *l)
{
	unsigned long ip = 0;
	size_t i;

	for (i = 0; i < l->n && !ip; i++)
		if (l->v[i].status & VMA_AREA_VDSO)
			ip = infect_find_syscall(pid, l->v[i].start, l->v[i].end);
	for (i = 0; i < l->n && !ip; i++)
		if ((l->v[i].prot & PROT_EXEC) && !(l->v[i].status & VMA_AREA_VSYSCALL))
			ip = infect_find_syscall(pid, l->v[i].start, l->v[i].end);
	return ip;
}

/*
 * A hole of @size with a guard gap on both sides, so that the scratch
 * mapping never merges with (or extends) one of the task's VMAs.
 */
unsigned long vma_find_hole(const struct vma_list *l, size_t size)
{
	unsigned long prev_end = HOLE_FLOOR;
	size_t i;

	for (i = 0; i <= l->n; i++) {
		unsigned long next = i < l->n ? l->v[i].start : TASK_TOP;

		if (next > TASK_TOP)
			next = TASK_TOP;
		if (next >= prev_end && next - prev_end >= size + 2 * GUARD)
			return prev_end + GUARD;
		if (i < l->n && l->v[i].end > prev_end)
			prev_end = l->v[i].end;
	}
	return 0;
}

static int task_start(struct task_dump *td)
{
	pid_t pid = td->it->pid;
	unsigned long ip, hole;
	int err;

	err = proc_parse_smaps(pid, &td->vmas) ?: proc_parse_status(pid, pid, &td->status) ?:
	      proc_parse_stat(pid, pid, &td->stat);
	if (err)
		return err;
	ip = find_syscall_ip(pid, &td->vmas);
	if (!ip)
		return log_err(-ENOEXEC, "Task %d has no syscall instruction in its mappings", pid);
	hole = vma_find_hole(&td->vmas, INFECT_SCRATCH_SIZE);
	if (!hole)
		return log_err(-ENOMEM, "Task %d has no room for a scratch area", pid);
	return infect_start(&td->inf, pid, ip, hole);
}

int dump_task(struct dump_ctx *c, struct pstree_item *it)
{
	struct task_dump td = { .it = it, .inf.mem_fd = -1 };
	int err, err2;

	if (it->zombie)
		return dump_zombie(c, it);
	err = task_start(&td);
	if (err)
		goto out;
	err = dump_task_core(c, &td) ?: dump_task_mm(c, &td) ?: dump_task_files(c, &td);
	err2 = infect_stop(&td.inf);
	if (!err)
		err = err2;
out:
	vma_list_free(&td.vmas);
	proc_status_free(&td.status);
	if (err)
		pr_debug("Dump of task %d failed: %d", it->pid, err);
	return err;
}
