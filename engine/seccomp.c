// SPDX-License-Identifier: GPL-2.0-only
/* seccomp filters: dump through ptrace, restore by seccomp() inside the thread. */
#define LOG_PREFIX "seccomp: "
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include <asm/syscall-nr.h>

#include "image.h"
#include "log.h"
#include "seccomp.h"
#include "xmalloc.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER	0x420c
#endif
#ifndef PTRACE_SECCOMP_GET_METADATA
#define PTRACE_SECCOMP_GET_METADATA	0x420d
#endif
#define MAX_FILTERS			64	/* the kernel allows a chain of 32k insns */

struct seccomp_meta {
	uint64_t filter_off, flags;
};

/* The index of an equal filter (same program, same predecessor), or -1. */
static ssize_t find(const struct seccomp_table *t, const void *prog, size_t len, bool has_prev,
		    uint32_t prev, uint32_t flags)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const SeccompFilter *f = t->v[i];

		if (f->filter.len == len && !memcmp(f->filter.data, prog, len) &&
		    f->has_prev == has_prev && (!has_prev || f->prev == prev) && f->flags == flags)
			return i;
	}
	return -1;
}

static ssize_t add(struct seccomp_table *t, void *prog, size_t len, bool has_prev, uint32_t prev,
		   uint32_t flags)
{
	ssize_t i = find(t, prog, len, has_prev, prev, flags);
	SeccompFilter *f, **nv;

	if (i >= 0) {
		free(prog);
		return i;
	}
	f = xmalloc(sizeof(*f));
	nv = xrealloc(t->v, (t->n + 1) * sizeof(*nv));
	if (!f || !nv) {
		free(f);
		free(prog);
		if (nv)
			t->v = nv;
		return -ENOMEM;
	}
	seccomp_filter__init(f);
	f->filter.data = prog;
	f->filter.len = len;
	f->has_prev = has_prev;
	f->prev = prev;
	f->has_flags = true;
	f->flags = flags;
	t->v = nv;
	t->v[t->n] = f;
	return t->n++;
}

/* Filter @i of @tid (0 = the oldest): its program and flags; 0, -ENOENT past the last. */
static int get_filter(pid_t tid, int i, void **ret_prog, size_t *ret_len, uint32_t *ret_flags)
{
	struct seccomp_meta meta = { .filter_off = i };
	long n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)(long)i, NULL);
	void *prog;

	if (n < 0 && errno == ENOENT)
		return -ENOENT;
	if (n <= 0)
		return log_perr(n < 0 ? -errno : -EINVAL, "Failed to read seccomp filter %d of %d", i,
				tid);
	prog = xmalloc(n * sizeof(struct sock_filter));
	if (!prog)
		return -ENOMEM;
	if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)(long)i, prog) != n ||
	    ptrace(PTRACE_SECCOMP_GET_METADATA, tid, sizeof(meta), &meta) < 0) {
		free(prog);
		return log_perr(-errno, "Failed to read seccomp filter %d of %d", i, tid);
	}
	*ret_prog = prog;
	*ret_len = n * sizeof(struct sock_filter);
	*ret_flags = meta.flags;
	return 0;
}

int seccomp_dump_thread(struct seccomp_table *t, pid_t tid, uint32_t *ret_index)
{
	void *progs[MAX_FILTERS];
	size_t lens[MAX_FILTERS];
	uint32_t flags[MAX_FILTERS];
	int i, nr, err = 0;
	ssize_t idx = -1;

	for (nr = 0; nr < MAX_FILTERS; nr++) {
		err = get_filter(tid, nr, &progs[nr], &lens[nr], &flags[nr]);
		if (err)
			break;
	}
	if (err != -ENOENT) {
		while (nr-- > 0)
			free(progs[nr]);
		return err ? err : log_err(-E2BIG, "Thread %d has over %d seccomp filters", tid,
					  MAX_FILTERS);
	}
	if (!nr)
		return log_err(-EINVAL, "Thread %d is in seccomp filter mode without filters", tid);
	/* ptrace counts from the oldest: each predecessor has its index already */
	for (i = 0; i < nr; i++) {
		idx = add(t, progs[i], lens[i], idx >= 0, idx >= 0 ? idx : 0, flags[i]);
		if (idx < 0) {
			while (++i < nr)
				free(progs[i]);
			return idx;
		}
	}
	*ret_index = idx;
	return 0;
}

int seccomp_write(struct seccomp_table *t, int dfd)
{
	SeccompEntry e = SECCOMP_ENTRY__INIT;

	if (!t->n)
		return 0;
	e.seccomp_filters = t->v;
	e.n_seccomp_filters = t->n;
	return img_write_single(dfd, IMG_SECCOMP, 0, &e);
}

void seccomp_table_free(struct seccomp_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		seccomp_filter__free_unpacked(t->v[i], NULL);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static int install(struct infect *inf, const SeccompFilter *f)
{
	struct { uint16_t len; uint16_t pad[3]; uint64_t filter; } prog;
	long r;

	if (!f->filter.len || f->filter.len % sizeof(struct sock_filter) ||
	    f->filter.len / sizeof(struct sock_filter) > BPF_MAXINSNS ||
	    f->filter.len + sizeof(prog) > inf->scratch_len)
		return log_err(-EINVAL, "seccomp.img: a filter of %zu bytes", f->filter.len);
	prog.len = f->filter.len / sizeof(struct sock_filter);
	memset(prog.pad, 0, sizeof(prog.pad));
	prog.filter = inf->scratch + sizeof(prog);
	r = infect_poke(inf, inf->scratch, &prog, sizeof(prog)) ?:
	    infect_poke(inf, prog.filter, f->filter.data, f->filter.len);
	if (!r)
		r = infect_call(inf, "install a seccomp filter", NR_seccomp,
				SECCOMP_SET_MODE_FILTER, f->has_flags ? f->flags : 0, inf->scratch,
				0, 0, 0);
	return r < 0 ? r : 0;
}

int seccomp_restore_thread(struct infect *inf, const SeccompEntry *e, uint32_t index)
{
	uint32_t chain[MAX_FILTERS];
	int n = 0, err;

	/* walk back to the first filter, then install forwards */
	for (;;) {
		if (!e || index >= e->n_seccomp_filters || n == MAX_FILTERS)
			return log_err(-EINVAL, "seccomp.img: no filter %u for thread %d", index,
				       inf->tid);
		chain[n++] = index;
		if (!e->seccomp_filters[index]->has_prev)
			break;
		if (e->seccomp_filters[index]->prev >= index)
			return log_err(-EINVAL, "seccomp.img: filter %u comes after its successor",
				       e->seccomp_filters[index]->prev);
		index = e->seccomp_filters[index]->prev;
	}
	while (n-- > 0) {
		err = install(inf, e->seccomp_filters[chain[n]]);
		if (err)
			return err;
	}
	return 0;
}
