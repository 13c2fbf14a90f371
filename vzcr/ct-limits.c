// SPDX-License-Identifier: GPL-2.0-only
/*
 * A CT's memory and CPU limits: the vzctl keys of its config, checked, turned
 * into cgroup knobs of v2 or v1 and written into its cgroups (ct-cgroup.c).
 *
 *   PHYSPAGES  [barrier:]limit  RAM; pages of 4 KiB (N or NP), bytes with
 *              K/M/G/T, or "unlimited". As vzctl (VSwap) we use the limit
 *              and ignore the barrier.
 *              v2 memory.max; v1 memory.limit_in_bytes.
 *   SWAPPAGES  [barrier:]limit  swap on top of the RAM, same units; needs
 *              PHYSPAGES, default 0. v2 memory.swap.max;
 *              v1 memory.memsw.limit_in_bytes = RAM + swap.
 *              "unlimited" writes "max" (v2) or -1 (v1): no limit.
 *   CPUS       N  vzctl: the CPUs the CT has. Ours: it runs on the first N
 *              CPUs its parent cgroup allows (cpuset.cpus), so nproc says N.
 *   CPULIMIT   percent of one CPU (200 = two CPUs), 0 = none.
 *              v2 cpu.max "PCT*1000 100000"; v1 cpu.cfs_quota_us over a
 *              100 ms cpu.cfs_period_us.
 *   CPUUNITS   relative weight, 8..500000, vzctl's default 1000.
 *              v2 cpu.weight = units / 10 (1000 -> the default 100);
 *              v1 cpu.shares = units * 1024 / 1000 (1000 -> 1024).
 */
#define LOG_PREFIX "limits: "
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "log.h"

#define PAGE_4K		4096ULL	/* vzctl's page on x86 */
#define RAM_MIN		(16ULL << 20)	/* init and a shell */
#define MEM_MAX		(1ULL << 50)
#define CFS_PERIOD	100000	/* us */

/* "N" or "NP" pages, "N[KMGT]" bytes, or "unlimited" (0); NULL or what is wrong. */
static const char *parse_mem(const char *s, unsigned long long *ret)
{
	unsigned long long n = 0, mul = PAGE_4K;
	const char *p = s;

	if (!strcmp(s, "unlimited")) {
		*ret = CT_MEM_UNLIMITED;
		return NULL;
	}
	if (!isdigit((unsigned char)*p))
		return "not a number of pages or a size with K, M, G or T";
	for (; isdigit((unsigned char)*p); p++) {
		if (n > MEM_MAX)
			return "too large";
		n = n * 10 + (*p - '0');
	}
	if (*p) {
		const char *units = "KMGT", *u = strchr(units, toupper((unsigned char)*p));

		if ((!u && toupper((unsigned char)*p) != 'P') || p[1])
			return "not a number of pages or a size with K, M, G or T";
		mul = u ? 1ULL << (10 * (u - units + 1)) : PAGE_4K;	/* P: pages */
	}
	if (n > MEM_MAX / mul)
		return "too large (at most 1024T)";
	*ret = n * mul;
	return NULL;
}

/* vzctl's "barrier:limit" (or one value): the limit in bytes. */
static int parse_pages(const char *where, const char *key, const char *v,
		       unsigned long long *ret)
{
	char barrier[32];
	const char *colon = strchr(v, ':'), *why;
	unsigned long long b;

	if (colon) {
		if ((size_t)(colon - v) >= sizeof(barrier) || strchr(colon + 1, ':'))
			return log_err(-EINVAL, "%s: key %s: '%s' is not BARRIER:LIMIT", where, key, v);
		memcpy(barrier, v, colon - v);
		barrier[colon - v] = '\0';
		why = parse_mem(barrier, &b);
		if (why)
			return log_err(-EINVAL, "%s: key %s: barrier '%s' is %s", where, key, barrier, why);
		v = colon + 1;
	}
	why = parse_mem(v, ret);
	if (why)
		return log_err(-EINVAL, "%s: key %s: '%s' is %s", where, key, v, why);
	return 0;
}

static int parse_uint(const char *where, const char *key, const char *v, unsigned int min,
		      unsigned int max, unsigned int *ret)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || errno || n < min || n > max)
		return log_err(-EINVAL, "%s: key %s: '%s' is not a number from %u to %u", where, key,
			       v, min, max);
	*ret = n;
	return 0;
}

int ct_limits_parse(const struct ct_conf *c, const char *where, struct ct_limits *ret)
{
	struct ct_limits l = { 0 };
	int err = 0;

	if (c->physpages[0] && (err = parse_pages(where, "PHYSPAGES", c->physpages, &l.ram)) < 0)
		return err;
	if (c->physpages[0] && l.ram < RAM_MIN)	/* unlimited is the largest */
		return log_err(-EINVAL, "%s: key PHYSPAGES: %llu bytes is too little, at least 16M",
			       where, l.ram);
	if (c->swappages[0] && !c->physpages[0])
		return log_err(-EINVAL, "%s: key SWAPPAGES: needs PHYSPAGES (swap is on top of RAM)",
			       where);
	if (c->swappages[0] && (err = parse_pages(where, "SWAPPAGES", c->swappages, &l.swap)) < 0)
		return err;
	if ((c->cpus[0] && (err = parse_uint(where, "CPUS", c->cpus, 1, 4096, &l.cpus)) < 0) ||
	    (c->cpulimit[0] &&
	     (err = parse_uint(where, "CPULIMIT", c->cpulimit, 0, 409600, &l.cpulimit)) < 0) ||
	    (c->cpuunits[0] &&
	     (err = parse_uint(where, "CPUUNITS", c->cpuunits, 8, 500000, &l.cpuunits)) < 0))
		return err;
	l.has_cpulimit = c->cpulimit[0];
	*ret = l;
	return 0;
}

static void add(struct ct_limit_file *out, int *n, const char *file, const char *fmt,
		unsigned long long v)
{
	out[*n].file = file;
	snprintf(out[*n].val, sizeof(out[*n].val), fmt, v);
	(*n)++;
}

static int cpu_files(const struct ct_limits *l, bool v2, struct ct_limit_file *out)
{
	unsigned long long quota = (unsigned long long)l->cpulimit * (CFS_PERIOD / 100);
	unsigned long long w;
	int n = 0;

	if (l->has_cpulimit && v2)
		add(out, &n, "cpu.max", l->cpulimit ? "%llu 100000" : "max 100000", quota);
	if (l->has_cpulimit && !v2) {
		add(out, &n, "cpu.cfs_period_us", "%llu", CFS_PERIOD);
		if (l->cpulimit)
			add(out, &n, "cpu.cfs_quota_us", "%llu", quota);
		else
			add(out, &n, "cpu.cfs_quota_us", "-1", 0);
	}
	if (l->cpuunits && v2) {
		w = l->cpuunits / 10;
		add(out, &n, "cpu.weight", "%llu", w < 1 ? 1 : w > 10000 ? 10000 : w);
	}
	if (l->cpuunits && !v2) {
		w = (unsigned long long)l->cpuunits * 1024 / 1000;
		add(out, &n, "cpu.shares", "%llu", w < 2 ? 2 : w);
	}
	return n;
}

int ct_limits_files(const struct ct_limits *l, const char *ctrl, bool v2, const char *cpus,
		    struct ct_limit_file out[CT_LIMIT_FILES_MAX])
{
	int n = 0;

	if (!strcmp(ctrl, "memory") && l->ram) {
		bool unl_ram = l->ram == CT_MEM_UNLIMITED;
		bool unl_sw = unl_ram || l->swap == CT_MEM_UNLIMITED;
		const char *max = v2 ? "max" : "-1";

		/* v1: memsw >= limit at every step; ct_limits_apply() may swap the two */
		add(out, &n, v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
		    unl_sw ? max : "%llu", v2 ? l->swap : l->ram + l->swap);
		add(out, &n, v2 ? "memory.max" : "memory.limit_in_bytes", unl_ram ? max : "%llu",
		    l->ram);
	} else if (!strcmp(ctrl, "cpu")) {
		n = cpu_files(l, v2, out);
	} else if (!strcmp(ctrl, "cpuset") && cpus && (l->cpus || !v2)) {
		/* v1 needs a set to run at all; v2 inherits its parent's */
		out[n].file = "cpuset.cpus";
		snprintf(out[n++].val, sizeof(out[0].val), "%s", cpus);
	}
	return n;
}

/* The first @want CPUs of the list @list ("0-3,8"), as a list into @out. */
static unsigned int cpus_first(const char *list, unsigned int want, char *out, size_t len)
{
	unsigned int got = 0, a, b;
	const char *p = list;
	size_t o = 0;
	int k;

	out[0] = '\0';
	while (got < want && sscanf(p, "%u%n", &a, &k) == 1) {
		p += k;
		b = a;
		if (*p == '-' && sscanf(p + 1, "%u%n", &b, &k) == 1)
			p += 1 + k;
		if (b < a)
			break;
		if (b - a >= want - got)
			b = a + (want - got) - 1;
		o += snprintf(out + o, o < len ? len - o : 0, "%s%u", got ? "," : "", a);
		if (b > a)
			o += snprintf(out + o, o < len ? len - o : 0, "-%u", b);
		got += b - a + 1;
		if (*p != ',')
			break;
		p++;
	}
	return o < len ? got : 0;
}

/* The CPU list for the CT: the first CPUS of what its parent has. */
static int ct_cpus(const struct ct *ct, const struct ct_limits *l, const struct ct_cg_place *pl,
		   char *out, size_t len)
{
	struct ct_cg_place parent = *pl;
	char list[256];
	unsigned int got;
	int ret;

	*strrchr(parent.dir, '/') = '\0';
	ret = ct_cgroup_get(&parent, pl->v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus",
			    list, sizeof(list));
	if (ret < 0)
		return ret;
	got = cpus_first(list, l->cpus ? l->cpus : ~0U, out, len);
	if (!got)
		return log_err(-EINVAL, "Failed to parse the CPU list '%s' of '%s'", list, parent.dir);
	if (l->cpus > got)
		pr_warn("CT %s: CPUS is %u but only %u CPUs (%s) are there, giving it those, ignoring",
			ct->id, l->cpus, got, out);
	return 0;
}

/* v1 memory: lower the limit first when the new memsw is under the current limit. */
static void memory_order(const struct ct_cg_place *pl, struct ct_limit_file *f, int n)
{
	char cur[32];
	struct ct_limit_file t;

	if (n != 2 || pl->v2 || ct_cgroup_get(pl, "memory.limit_in_bytes", cur, sizeof(cur)) < 0)
		return;
	if (strtoull(f[0].val, NULL, 10) < strtoull(cur, NULL, 10)) {
		t = f[0];
		f[0] = f[1];
		f[1] = t;
	}
}

static int apply_ctrl(const struct ct *ct, const struct ct_limits *l, const char *ctrl,
		      const struct ct_cg_place *pl)
{
	struct ct_limit_file f[CT_LIMIT_FILES_MAX];
	char cpus[256] = "", path[CT_PATH_MAX + 64];
	int i, n, ret;

	if (!strcmp(ctrl, "cpuset") && (l->cpus || !pl->v2) &&
	    (ret = ct_cpus(ct, l, pl, cpus, sizeof(cpus))) < 0)
		return ret;
	n = ct_limits_files(l, ctrl, pl->v2, cpus, f);
	if (!strcmp(ctrl, "memory"))
		memory_order(pl, f, n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", pl->dir, f[i].file);
		/* memsw exists only with swap accounting, swap.max only with swap */
		if (strstr(f[i].file, "sw") && access(path, F_OK) < 0) {
			if (l->swap)
				pr_warn("CT %s: no '%s' (no swap accounting): SWAPPAGES not applied, ignoring",
					ct->id, path);
			continue;
		}
		ret = ct_cgroup_set(pl, ctrl, f[i].file, f[i].val);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int ct_limits_apply(const struct ct *ct)
{
	static const struct { const char *ctrl, *keys; } ctrls[] = {
		{ "memory", "PHYSPAGES" }, { "cpu", "CPULIMIT or CPUUNITS" }, { "cpuset", "CPUS" },
	};
	struct ct_cg_place pl;
	struct ct_limits l;
	char where[CTID_MAX + 8];
	size_t i;
	int ret;

	snprintf(where, sizeof(where), "CT %s", ct->id);
	ret = ct_limits_parse(&ct->conf, where, &l);
	if (ret < 0)
		return ret;
	for (i = 0; i < ARRAY_SIZE(ctrls); i++) {
		bool needed = i == 0 ? l.ram : i == 1 ? l.has_cpulimit || l.cpuunits : l.cpus;

		ret = ct_cgroup_place(ct, ctrls[i].ctrl, &pl);
		if (ret == -ENOENT && needed)
			return log_err(-ENOTSUP, "CT %s: %s is set, but the host has no %s controller",
				       ct->id, ctrls[i].keys, ctrls[i].ctrl);
		if (ret == -ENOENT)
			continue;
		if (ret < 0 || (ret = apply_ctrl(ct, &l, ctrls[i].ctrl, &pl)) < 0)
			return ret;
	}
	return 0;
}
