// SPDX-License-Identifier: GPL-2.0-only
/*
 * ct-limits.c without a cgroup: the vzctl keys parsed (units, barrier:limit,
 * ranges, refusals naming the key) and turned into v2 and v1 knobs. The v2
 * knobs are checked here because this project's test host is hybrid: its v2
 * mount offers no memory, cpu or cpuset controller, so tests/ct/limits.t can
 * only see the v1 files.
 */
#define LOG_PREFIX "test: "
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ct.h"
#include "log.h"
#include "tap.h"

static struct ct_conf conf(const char *ram, const char *swap, const char *cpus,
			   const char *cpulimit, const char *cpuunits)
{
	struct ct_conf c;

	memset(&c, 0, sizeof(c));
	snprintf(c.physpages, sizeof(c.physpages), "%s", ram);
	snprintf(c.swappages, sizeof(c.swappages), "%s", swap);
	snprintf(c.cpus, sizeof(c.cpus), "%s", cpus);
	snprintf(c.cpulimit, sizeof(c.cpulimit), "%s", cpulimit);
	snprintf(c.cpuunits, sizeof(c.cpuunits), "%s", cpuunits);
	return c;
}

/* "file=value file=value" of one controller */
static const char *files(const struct ct_limits *l, const char *ctrl, bool v2, const char *cpus)
{
	static char buf[512];
	struct ct_limit_file f[CT_LIMIT_FILES_MAX];
	int i, n = ct_limits_files(l, ctrl, v2, cpus, f);
	size_t o = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s%s=%s", i ? " " : "", f[i].file, f[i].val);
	return buf;
}

static void parse_ok(void)
{
	struct ct_conf c = conf("0:16384", "0:32M", "2", "20", "500");
	struct ct_limits l;

	ok(ct_limits_parse(&c, "t", &l) == 0, "parse a full set of limits");
	is_int(l.ram, 64 << 20, "PHYSPAGES 0:16384 is 16384 pages of 4 KiB");
	is_int(l.swap, 32 << 20, "SWAPPAGES 0:32M is 32 MiB");
	is_int(l.cpus, 2, "CPUS");
	is_int(l.cpulimit, 20, "CPULIMIT");
	is_int(l.cpuunits, 500, "CPUUNITS");
	c = conf("1G", "", "", "0", "");
	ok(ct_limits_parse(&c, "t", &l) == 0 && l.ram == 1 << 30 && l.swap == 0,
	   "PHYSPAGES 1G (one value, bytes with a unit); no swap");
	ok(l.has_cpulimit && l.cpulimit == 0, "CPULIMIT 0 is set, and means no limit");
	c = conf("", "", "", "", "");
	ok(ct_limits_parse(&c, "t", &l) == 0 && !l.ram && !l.has_cpulimit && !l.cpus,
	   "no keys, no limits");
	c = conf("unlimited:unlimited", "0:262144p", "", "", "");
	ok(ct_limits_parse(&c, "t", &l) == 0 && l.ram == CT_MEM_UNLIMITED && l.swap == 1 << 30,
	   "PHYSPAGES unlimited; SWAPPAGES with a P (pages) suffix");
}

static void parse_bad(void)
{
	static const struct { const char *key, *val, *why; } bad[] = {
		{ "PHYSPAGES", "0:1M", "under 16M" }, { "PHYSPAGES", "0:1:2", "two colons" },
		{ "PHYSPAGES", "99999999999999999999", "too large" },
		{ "SWAPPAGES", "0:1M", "without PHYSPAGES" }, { "CPUS", "0", "no CPU" },
		{ "CPUS", "5000", "over 4096" }, { "CPULIMIT", "409601", "over 409600" },
		{ "CPUUNITS", "7", "under 8" }, { "CPUUNITS", "500001", "over 500000" },
		{ "PHYSPAGES", "0:unlimitedx", "a word after unlimited" },
		{ "PHYSPAGES", "0:5PK", "two units" },
	};
	struct ct_limits l;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	size_t i;

	if (null >= 0)
		log_set_fd(null);	/* the refusals are expected: keep prove's output clean */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ct_conf c = conf("", "", "", "", "");

		if (!strcmp(bad[i].key, "PHYSPAGES"))
			snprintf(c.physpages, sizeof(c.physpages), "%s", bad[i].val);
		else if (!strcmp(bad[i].key, "SWAPPAGES"))
			snprintf(c.swappages, sizeof(c.swappages), "%s", bad[i].val);
		else if (!strcmp(bad[i].key, "CPUS"))
			snprintf(c.cpus, sizeof(c.cpus), "%s", bad[i].val);
		else if (!strcmp(bad[i].key, "CPULIMIT"))
			snprintf(c.cpulimit, sizeof(c.cpulimit), "%s", bad[i].val);
		else
			snprintf(c.cpuunits, sizeof(c.cpuunits), "%s", bad[i].val);
		ok(ct_limits_parse(&c, "t", &l) == -EINVAL, "%s=\"%s\" is refused (%s)",
		   bad[i].key, bad[i].val, bad[i].why);
	}
	log_set_fd(STDERR_FILENO);
	if (null >= 0)
		close(null);
}

static void knobs(void)
{
	struct ct_conf c = conf("0:16384", "0:32M", "1", "20", "500");
	struct ct_limits l;

	ct_limits_parse(&c, "t", &l);
	is_str(files(&l, "memory", true, NULL), "memory.swap.max=33554432 memory.max=67108864",
	       "v2 memory");
	is_str(files(&l, "memory", false, NULL),
	       "memory.memsw.limit_in_bytes=100663296 memory.limit_in_bytes=67108864",
	       "v1 memory: memsw is RAM + swap");
	is_str(files(&l, "cpu", true, NULL), "cpu.max=20000 100000 cpu.weight=50", "v2 cpu");
	is_str(files(&l, "cpu", false, NULL),
	       "cpu.cfs_period_us=100000 cpu.cfs_quota_us=20000 cpu.shares=512", "v1 cpu");
	is_str(files(&l, "cpuset", true, "0"), "cpuset.cpus=0", "v2 cpuset");
	is_str(files(&l, "cpuset", false, "0"), "cpuset.cpus=0", "v1 cpuset");

	c = conf("0:unlimited", "0:1G", "", "", "");
	ct_limits_parse(&c, "t", &l);
	is_str(files(&l, "memory", true, NULL), "memory.swap.max=max memory.max=max",
	       "v2: unlimited RAM lifts both limits");
	is_str(files(&l, "memory", false, NULL),
	       "memory.memsw.limit_in_bytes=-1 memory.limit_in_bytes=-1", "v1: the same with -1");
	c = conf("0:256M", "0:unlimited", "", "", "");
	ct_limits_parse(&c, "t", &l);
	is_str(files(&l, "memory", false, NULL),
	       "memory.memsw.limit_in_bytes=-1 memory.limit_in_bytes=268435456",
	       "v1: 256M of RAM, unlimited swap");

	c = conf("", "", "", "0", "1000");
	ct_limits_parse(&c, "t", &l);
	is_str(files(&l, "memory", true, NULL), "", "v2: no PHYSPAGES, no memory knob");
	is_str(files(&l, "cpu", true, NULL), "cpu.max=max 100000 cpu.weight=100",
	       "v2: CPULIMIT 0 lifts the quota; CPUUNITS 1000 is the default weight 100");
	is_str(files(&l, "cpu", false, NULL),
	       "cpu.cfs_period_us=100000 cpu.cfs_quota_us=-1 cpu.shares=1024",
	       "v1: quota -1; CPUUNITS 1000 is the default 1024 shares");
	is_str(files(&l, "cpuset", true, "0-1"), "", "v2: no CPUS, the parent's CPUs (no knob)");
	is_str(files(&l, "cpuset", false, "0-1"), "cpuset.cpus=0-1",
	       "v1: no CPUS, all the parent's CPUs (v1 needs a set)");

	c = conf("", "", "", "", "500000");
	ct_limits_parse(&c, "t", &l);
	is_str(files(&l, "cpu", true, NULL), "cpu.weight=10000", "v2: CPUUNITS 500000 is weight 10000");
	c = conf("", "", "", "", "8");
	ct_limits_parse(&c, "t", &l);
	is_str(files(&l, "cpu", true, NULL), "cpu.weight=1", "v2: CPUUNITS 8 is weight 1 (not 0)");
	is_str(files(&l, "cpu", false, NULL), "cpu.shares=8", "v1: CPUUNITS 8 is 8 shares");
}

int main(void)
{
	parse_ok();
	parse_bad();
	knobs();
	return done_testing();
}
