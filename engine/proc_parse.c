// SPDX-License-Identifier: GPL-2.0-only
/* Readers of /proc/PID/{smaps,status,stat}. */
#define LOG_PREFIX "proc: "
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "cleanup.h"
#include "log.h"
#include "proc_parse.h"
#include "xmalloc.h"

#define PAGE_SZ 4096UL

void vma_list_free(struct vma_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->v[i].path);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* Classify a mapping by the name /proc gives it. */
static void vma_classify(struct vma_area *v)
{
	const char *p = v->path;
	bool anon = !p || !*p || !strncmp(p, "[anon:", 6) || !strcmp(p, "[heap]") ||
		    !strcmp(p, "[stack]");

	/* as CRIU marks them: regular areas of a special kind, vsyscall apart */
	if (p && !strcmp(p, "[vdso]")) {
		v->status |= VMA_AREA_REGULAR | VMA_AREA_VDSO;
	} else if (p && !strcmp(p, "[vvar]")) {
		v->status |= VMA_AREA_REGULAR | VMA_AREA_VVAR;
	} else if (p && !strcmp(p, "[vvar_vclock]")) {
		v->status |= VMA_AREA_REGULAR | VMA_AREA_VVAR_VCLOCK;
	} else if (p && !strcmp(p, "[vsyscall]")) {
		v->status |= VMA_AREA_VSYSCALL;
	} else if (p && !strncmp(p, "[anon_shmem:", 12)) {
		/* named shared anonymous memory (PR_SET_VMA_ANON_NAME) */
		v->flags |= MAP_ANONYMOUS;
		v->status |= VMA_AREA_REGULAR | VMA_ANON_SHARED;
	} else if (p && p[0] == '[' && !anon) {
		v->status |= VMA_UNSUPP;	/* [uprobes], [anon_shmem:...] and the like */
		v->why_unsupp = "special mapping";
	} else if (anon) {
		v->flags |= MAP_ANONYMOUS;
		v->status |= VMA_AREA_REGULAR |
			     (v->flags & MAP_SHARED ? VMA_ANON_SHARED : VMA_ANON_PRIVATE);
		if (p && !strcmp(p, "[heap]"))
			v->status |= VMA_AREA_HEAP;
		if (p && !strcmp(p, "[stack]"))
			v->status |= VMA_AREA_STACK;
	} else if (v->dev == makedev(0, 1) && !strncmp(p, "/SYSV", 5)) {
		v->status |= VMA_AREA_REGULAR | VMA_AREA_SYSVIPC;
	} else if (v->dev == makedev(0, 1) && !strcmp(p, "/dev/zero") && v->deleted) {
		/* MAP_SHARED|MAP_ANONYMOUS memory lives on the internal shmem mount */
		v->flags |= MAP_ANONYMOUS;
		v->status |= VMA_AREA_REGULAR | VMA_ANON_SHARED;
	} else {
		v->status |= VMA_AREA_REGULAR |
			     (v->flags & MAP_SHARED ? VMA_FILE_SHARED : VMA_FILE_PRIVATE);
		if (!strncmp(p, "/memfd:", 7))
			v->status |= VMA_AREA_MEMFD;
	}
}

/* "start-end perms offset maj:min inode   path" */
static int parse_vma_line(const char *line, struct vma_area *v)
{
	unsigned int maj, min;
	char perms[5];
	int pos = 0;
	const char *path;
	size_t l;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
		   &v->start, &v->end, perms, &v->pgoff, &maj, &min, &v->ino, &pos) < 7)
		return -EINVAL;
	v->dev = makedev(maj, min);
	v->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	v->flags = perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE;
	path = line + pos;
	l = strcspn(path, "\n");
	if (l >= 10 && !strncmp(path + l - 10, " (deleted)", 10)) {
		v->deleted = true;
		l -= 10;
	}
	v->path = l ? strndup(path, l) : NULL;
	if (l && !v->path)
		return -ENOMEM;
	vma_classify(v);
	return 0;
}

static const struct {
	char code[3];
	int madv;
} vmflag_madv[] = {
	{ "dc", MADV_DONTFORK },
	{ "dd", MADV_DONTDUMP },
	{ "hg", MADV_HUGEPAGE },
	{ "nh", MADV_NOHUGEPAGE },
	{ "mg", MADV_MERGEABLE },
	{ "wf", MADV_WIPEONFORK },
	{ "sr", MADV_SEQUENTIAL },
	{ "rr", MADV_RANDOM },
};

static void parse_vmflags(const char *s, struct vma_area *v)
{
	size_t i;

	for (; *s; s++) {
		if (!isalpha(s[0]) || !isalpha(s[1]))
			continue;
		for (i = 0; i < ARRAY_SIZE(vmflag_madv); i++)
			if (!strncmp(s, vmflag_madv[i].code, 2))
				v->madv |= 1ULL << vmflag_madv[i].madv;
		if (!strncmp(s, "gd", 2))
			v->flags |= MAP_GROWSDOWN;
		else if (!strncmp(s, "lo", 2))
			v->locked = true, v->flags |= MAP_LOCKED;
		else if (!strncmp(s, "nr", 2))
			v->flags |= MAP_NORESERVE;
		else if ((!strncmp(s, "io", 2) || !strncmp(s, "pf", 2)) &&
			 (v->status & VMA_AREA_REGULAR) &&
			 !(v->status & (VMA_AREA_VVAR | VMA_AREA_VVAR_VCLOCK | VMA_AREA_VDSO))) {
			v->status |= VMA_UNSUPP;	/* device memory: no pages to save */
			v->why_unsupp = "device (VM_IO/VM_PFNMAP) mapping";
		}
		s++;
	}
}

static int vma_list_add(struct vma_list *l, size_t *cap)
{
	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct vma_area *nv = xrealloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		*cap = ncap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return 0;
}

int proc_parse_smaps(pid_t pid, struct vma_list *ret_list)
{
	struct vma_list l = {};
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, len = 0;
	char path[64];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return log_perr(-errno, "Failed to open '%s'", path);
	while (getline(&line, &len, f) > 0) {
		if (!strncmp(line, "VmFlags:", 8)) {
			if (l.n)
				parse_vmflags(line + 8, &l.v[l.n - 1]);
			continue;
		}
		/* "Key:   value" lines; a mapping line starts with a hex address */
		if (!isxdigit(line[0]) || !strchr(line, '-') || strchr(line, ':') < strchr(line, ' '))
			continue;
		ret = vma_list_add(&l, &cap);
		if (ret < 0)
			goto err;
		ret = parse_vma_line(line, &l.v[l.n]);
		if (ret < 0) {
			pr_err("Failed to parse '%s' line '%.*s'", path, (int)strcspn(line, "\n"),
			       line);
			goto err;
		}
		l.nr_pages += (l.v[l.n].end - l.v[l.n].start) / PAGE_SZ;
		l.n++;
	}
	*ret_list = l;
	return 0;
err:
	vma_list_free(&l);
	return ret;
}

static int parse_ids(const char *s, uint32_t *ids, int n)
{
	return sscanf(s, "%u %u %u %u", &ids[0], &ids[1], &ids[2], &ids[3]) == n ? 0 : -EINVAL;
}

static int parse_groups(const char *s, struct proc_status *st)
{
	char *end;

	while (*s) {
		unsigned long g = strtoul(s, &end, 10);
		uint32_t *ng;

		if (end == s)
			break;
		ng = xrealloc(st->groups, (st->nr_groups + 1) * sizeof(*ng));
		if (!ng)
			return -ENOMEM;
		st->groups = ng;
		st->groups[st->nr_groups++] = g;
		s = end;
	}
	return 0;
}

static uint64_t hex64(const char *s)
{
	return strtoull(s, NULL, 16);
}

/* One "Key:\tvalue" line of status into @st. */
static int status_line(const char *key, const char *val, struct proc_status *st)
{
	static const struct {
		const char *key;
		size_t off;
	} masks[] = {
		{ "SigPnd", offsetof(struct proc_status, sig_pending) },
		{ "ShdPnd", offsetof(struct proc_status, shd_pending) },
		{ "SigBlk", offsetof(struct proc_status, sig_blocked) },
		{ "SigIgn", offsetof(struct proc_status, sig_ignored) },
		{ "SigCgt", offsetof(struct proc_status, sig_caught) },
		{ "CapInh", offsetof(struct proc_status, cap_inh) },
		{ "CapPrm", offsetof(struct proc_status, cap_prm) },
		{ "CapEff", offsetof(struct proc_status, cap_eff) },
		{ "CapBnd", offsetof(struct proc_status, cap_bnd) },
		{ "CapAmb", offsetof(struct proc_status, cap_amb) },
	};
	const char *last;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(masks); i++)
		if (!strcmp(key, masks[i].key)) {
			*(uint64_t *)((char *)st + masks[i].off) = hex64(val);
			return 0;
		}
	if (!strcmp(key, "Tgid"))
		st->tgid = atoi(val);
	else if (!strcmp(key, "PPid"))
		st->ppid = atoi(val);
	else if (!strcmp(key, "TracerPid"))
		st->tracer = atoi(val);
	else if (!strcmp(key, "Umask"))
		st->umask = strtoul(val, NULL, 8);
	else if (!strcmp(key, "Threads"))
		st->threads = atoi(val);
	else if (!strcmp(key, "NoNewPrivs"))
		st->no_new_privs = atoi(val);
	else if (!strcmp(key, "Seccomp"))
		st->seccomp = atoi(val);
	else if (!strcmp(key, "Uid"))
		return parse_ids(val, st->uid, 4);
	else if (!strcmp(key, "Gid"))
		return parse_ids(val, st->gid, 4);
	else if (!strcmp(key, "Groups"))
		return parse_groups(val, st);
	else if (!strcmp(key, "NStgid")) {
		last = strrchr(val, '\t');
		st->nstgid_last = atoi(last ? last + 1 : val);
	}
	return 0;
}

int proc_parse_status(pid_t pid, pid_t tid, struct proc_status *ret)
{
	struct proc_status st = {};
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t len = 0;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return log_perr(-errno, "Failed to open '%s'", path);
	while (getline(&line, &len, f) > 0) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		if (status_line(line, colon + 1 + strspn(colon + 1, " \t"), &st) < 0) {
			proc_status_free(&st);
			return log_err(-EINVAL, "Failed to parse '%s' field '%s'", path, line);
		}
	}
	*ret = st;
	return 0;
}

void proc_status_free(struct proc_status *st)
{
	free(st->groups);
	st->groups = NULL;
	st->nr_groups = 0;
}

int proc_parse_stat(pid_t pid, pid_t tid, struct proc_stat *ret)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct proc_stat st = {};
	char buf[1024], path[64], *open_p, *close_p;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return log_perr(-errno, "Failed to open '%s'", path);
	if (!fgets(buf, sizeof(buf), f))
		return log_err(-EIO, "Failed to read '%s'", path);
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		return log_err(-EINVAL, "Failed to parse '%s': no comm", path);
	n = close_p - open_p - 1;
	snprintf(st.comm, sizeof(st.comm), "%.*s", n, open_p + 1);
	n = sscanf(close_p + 2,
		   "%c %d %d %d %*d %*d %lu %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu"
		   " %*u %*d %*u %lu %lu %lu %*u %*u %*u %*u %*u %*u %*u %*u %*u %*d %*d %*u %*u"
		   " %*u %*u %*d %lu %lu %lu %lu %lu %lu %lu %d",
		   &st.state, &st.ppid, &st.pgid, &st.sid, &st.flags, &st.start_time,
		   &st.start_code, &st.end_code, &st.start_stack, &st.start_data, &st.end_data,
		   &st.start_brk, &st.arg_start, &st.arg_end, &st.env_start, &st.env_end,
		   &st.exit_code);
	if (n < 17)
		return log_err(-EINVAL, "Failed to parse '%s': %d fields", path, n);
	*ret = st;
	return 0;
}
