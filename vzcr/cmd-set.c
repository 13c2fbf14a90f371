// SPDX-License-Identifier: GPL-2.0-only
/* vzcr set: change a container's memory and CPU limits, vzctl-style. */
#define LOG_PREFIX "set: "
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char set_usage[] =
	"Usage: vzcr set CTID [--ram SIZE] [--swap SIZE] [--cpus N] [--cpulimit PCT]\n"
	"                [--cpuunits N] [--save]\n"
	"\n"
	"Change the limits of a running container at once, in its cgroup; with\n"
	"--save also in its config (then a stopped container may be changed too).\n"
	"\n"
	"Options:\n"
	"  --ram SIZE       its RAM (PHYSPAGES=\"0:PAGES\"): bytes, or with K, M, G, T\n"
	"  --swap SIZE      swap on top of the RAM (SWAPPAGES=\"0:PAGES\"), same units\n"
	"  --cpus N         it runs on N CPUs (CPUS)\n"
	"  --cpulimit PCT   at most PCT percent of one CPU, 0 for none (CPULIMIT)\n"
	"  --cpuunits N     its CPU weight against others, 8..500000, default 1000\n"
	"                   (CPUUNITS)\n"
	"  --save           write the new values into its config\n"
	"  -h, --help       print this text and exit\n"
	"\n"
	"Exit status: 0 changed, 1 failure (bad value, not running without --save),\n"
	"2 usage error.\n";

static int set_run(int argc, char **argv);

const struct cmd cmd_set = {
	.name = "set",
	.summary = "change a container's memory and CPU limits",
	.usage = set_usage,
	.run = set_run,
};

struct set_opts {
	const char *ram, *swap, *cpus, *cpulimit, *cpuunits;
	bool save;
};

/* --ram/--swap SIZE (bytes, or K/M/G/T) as vzctl writes it: "0:PAGES" of 4 KiB. */
static int size_to_pages(const char *opt, const char *v, char *out, size_t len)
{
	unsigned long long n = 0, mul = 1;
	const char *p = v;

	if (!isdigit((unsigned char)*p))
		return log_err(-EINVAL, "%s: '%s' is not a size (bytes, or with K, M, G or T)", opt, v);
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (1ULL << 50))
			return log_err(-ERANGE, "%s: '%s' is too large", opt, v);
		n = n * 10 + (*p - '0');
	}
	if (*p) {
		const char *units = "KMGT", *u = strchr(units, toupper((unsigned char)*p));

		if (!u || p[1])
			return log_err(-EINVAL, "%s: '%s' is not a size (bytes, or with K, M, G or T)",
				       opt, v);
		mul = 1ULL << (10 * (u - units + 1));
	}
	if (n > (1ULL << 50) / mul)
		return log_err(-ERANGE, "%s: '%s' is too large", opt, v);
	snprintf(out, len, "0:%llu", n * mul / 4096);
	return 0;
}

/* The options into @conf, each checked as the config parser would. */
static int set_conf(struct ct_conf *conf, const struct set_opts *o)
{
	char ram[32], swap[32];
	int ret;

	if ((o->ram && ((ret = size_to_pages("--ram", o->ram, ram, sizeof(ram))) < 0 ||
			(ret = ct_conf_set(conf, "PHYSPAGES", ram, "--ram")) < 0)) ||
	    (o->swap && ((ret = size_to_pages("--swap", o->swap, swap, sizeof(swap))) < 0 ||
			 (ret = ct_conf_set(conf, "SWAPPAGES", swap, "--swap")) < 0)) ||
	    (o->cpus && (ret = ct_conf_set(conf, "CPUS", o->cpus, "--cpus")) < 0) ||
	    (o->cpulimit && (ret = ct_conf_set(conf, "CPULIMIT", o->cpulimit, "--cpulimit")) < 0) ||
	    (o->cpuunits && (ret = ct_conf_set(conf, "CPUUNITS", o->cpuunits, "--cpuunits")) < 0))
		return ret;
	return 0;
}

static int set_ct(const char *id, const struct set_opts *o)
{
	struct ct_limits l;
	struct ct ct;
	int ret;

	ret = ct_open(&ct, id);
	if (ret < 0)
		return ret;
	ret = set_conf(&ct.conf, o);
	if (ret == 0)
		ret = ct_limits_parse(&ct.conf, "vzcr set", &l);
	if (ret == 0)
		ret = ct_running(&ct, NULL);
	if (ret > 0)
		ret = ct_limits_apply(&ct);
	else if (ret == 0 && !o->save)
		ret = log_err(-ESRCH, "CT %s is not running: nothing changed (--save changes its config)",
			      ct.id);
	if (ret == 0 && o->save)
		ret = ct_conf_write(&ct);
	ct_unlock(&ct);
	return ret;
}

static int set_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ram", required_argument, NULL, 'r' },
		{ "swap", required_argument, NULL, 's' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "cpulimit", required_argument, NULL, 'l' },
		{ "cpuunits", required_argument, NULL, 'u' },
		{ "save", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct set_opts o = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.ram = optarg; break;
		case 's': o.swap = optarg; break;
		case 'c': o.cpus = optarg; break;
		case 'l': o.cpulimit = optarg; break;
		case 'u': o.cpuunits = optarg; break;
		case 'S': o.save = true; break;
		case 'h':
			cmd_usage(&cmd_set, stdout);
			return 0;
		default:
			return cmd_usage_error(&cmd_set, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(&cmd_set, "want one CTID");
	if (!o.ram && !o.swap && !o.cpus && !o.cpulimit && !o.cpuunits)
		return cmd_usage_error(&cmd_set, "nothing to set");
	if (set_ct(argv[optind], &o) < 0)
		return 1;
	printf("CT %s: limits %s\n", argv[optind], o.save ? "saved" : "changed");
	return 0;
}
