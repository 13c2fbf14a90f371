// SPDX-License-Identifier: GPL-2.0-only
/* Names of anonymous VMAs: from /proc at dump, set by prctl in the task at restore. */
#define LOG_PREFIX "mem: "
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>

#include <asm/syscall-nr.h>

#include "log.h"
#include "restore.h"
#include "vma_name.h"
#include "vzcr-vma-name.pb-c.h"

#define PR_SET_VMA_		0x53564d41
#define PR_SET_VMA_ANON_NAME_	0
#define ANON_NAME_MAX		80	/* the kernel's ANON_VMA_NAME_MAX_LEN */

/* The name in "[anon:NAME]" or "[anon_shmem:NAME]": its length, else 0. */
static size_t anon_name(const char *path, const char **ret)
{
	size_t l = path ? strlen(path) : 0, skip;

	if (l && !strncmp(path, "[anon:", 6))
		skip = 6;
	else if (l && !strncmp(path, "[anon_shmem:", 12))
		skip = 12;
	else
		return 0;
	if (path[l - 1] != ']' || l <= skip + 1)
		return 0;
	*ret = path + skip;
	return l - skip - 1;
}

int vma_names_dump(int dfd, pid_t pid, const struct vma_list *vmas)
{
	struct img *img = NULL;
	size_t i, n;
	int err = 0;

	for (i = 0; i < vmas->n && !err; i++) {
		VzcrVmaNameEntry e = VZCR_VMA_NAME_ENTRY__INIT;
		char name[ANON_NAME_MAX + 1];
		const char *p;

		n = anon_name(vmas->v[i].path, &p);
		if (!n || !(vmas->v[i].status & (VMA_ANON_PRIVATE | VMA_ANON_SHARED)))
			continue;
		if (n > ANON_NAME_MAX)
			n = ANON_NAME_MAX;
		memcpy(name, p, n);
		name[n] = '\0';
		if (!img)
			img = img_open(dfd, IMG_VZCR_VMA_NAMES, O_WRONLY, pid);
		if (!img)
			return -errno;
		e.start = vmas->v[i].start;
		e.name = name;
		err = img_write(img, &e);
	}
	if (err)
		img_abort(img);
	else if (img)
		err = img_close(img);
	return err;
}

static int name_vma(struct rst_task *t, const VzcrVmaNameEntry *e)
{
	size_t i, len = strlen(e->name);
	long r;

	for (i = 0; i < t->mm->n_vmas; i++)
		if (t->mm->vmas[i]->start == e->start &&
		    (t->mm->vmas[i]->status & (VMA_ANON_PRIVATE | VMA_ANON_SHARED)))
			break;
	if (i == t->mm->n_vmas || len > ANON_NAME_MAX)
		return log_err(-EINVAL, "vzcr-vma-names-%d.img: '%s' at %#llx names no anonymous VMA",
			       t->pid, e->name, (unsigned long long)e->start);
	const unsigned long args[6] = { PR_SET_VMA_, PR_SET_VMA_ANON_NAME_, e->start,
					t->mm->vmas[i]->end - e->start, t->inf.scratch, 0 };
	int err;

	err = infect_poke(&t->inf, t->inf.scratch, e->name, len + 1) ?:
	      infect_syscall(&t->inf, &r, NR_prctl, args);
	if (err)
		return err;
	/* a kernel without CONFIG_ANON_VMA_NAME: the memory matters, its name less */
	if (r == -EINVAL)
		pr_warn("Task %d: VMA %#llx stays unnamed ('%s'): this kernel cannot name VMAs, ignoring",
			t->pid, (unsigned long long)e->start, e->name);
	else if (r < 0)
		return log_perr((int)r, "Failed to name VMA %#llx of task %d '%s'",
				(unsigned long long)e->start, t->pid, e->name);
	return 0;
}

int vma_names_restore(struct rst_ctx *c, struct rst_task *t)
{
	struct img *img;
	void *e;
	int ret;

	if (!img_exists(c->dfd, IMG_VZCR_VMA_NAMES, t->pid))
		return 0;
	img = img_open(c->dfd, IMG_VZCR_VMA_NAMES, O_RDONLY, t->pid);
	if (!img)
		return -errno;
	while ((ret = img_read(img, &e)) > 0) {
		ret = name_vma(t, e);
		img_free_entry(e);
		if (ret < 0)
			break;
	}
	img_close(img);
	return ret;
}
