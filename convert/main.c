// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovz2img: legacy OpenVZ checkpoint files to vzcr images. `--info` reads,
 * checks and describes a dump; `DUMPFILE OUTDIR` translates it (xlate.c).
 */
#define LOG_PREFIX "ovz2img: "

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpt.h"
#include "info.h"
#include "log.h"
#include "xlate.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"Usage: ovz2img [-v|-q] --info DUMPFILE [--json]\n"
	"       ovz2img [-v|-q] [--json] [--force] [--vdso FILE] [--ctid CTID] DUMPFILE OUTDIR\n"
	"\n"
	"Reads a legacy OpenVZ checkpoint file (vzctl chkpnt --dumpfile; 2.6.18 RHEL5 and\n"
	"2.6.32 RHEL6 kernels), checks its structure, and describes it (--info) or writes\n"
	"the vzcr image set of its process tree to OUTDIR for `vzcr restore -D OUTDIR`.\n"
	"OUTDIR must be absent or empty; it appears only once the set is complete.\n"
	"\n"
	"  --info      print the header, version, kernel generation, arch, the sections\n"
	"              with object counts and the tasks with pids and commands\n"
	"  --json      the same as JSON; with OUTDIR, the report of what was written\n"
	"  --force     leave out what vzcr restore cannot bring back (ttys but ptys,\n"
	"              epoll, netlink and packet sockets, mounts, network devices,\n"
	"              ...) instead of\n"
	"              refusing;\n"
	"  --ctid CTID the set of container CTID, for `vzcr restore CTID -D OUTDIR`\n"
	"              (vzcr-ct.img; pids are the container's, init is 1)\n"
	"              everything left out is listed in the report\n"
	"  --vdso FILE the old kernel's vDSO (the old host's /lib/modules/VER/vdso/vdso.so)\n"
	"              when the dump holds none; vzcr restore then makes the old\n"
	"              vDSO's functions jump to this kernel's\n"
	"  -v, -q      more or fewer log messages\n"
	"  -h, --help  this text\n"
	"\n"
	"Only x86_64 tasks are translated; see ovz2img(8) for what maps to what.\n";

static int usage_error(const char *msg)
{
	pr_err("%s (try 'ovz2img --help')", msg);
	return EXIT_USAGE;
}

/* The dump at @path read and checked, or NULL (said why). */
static struct cpt_file *open_dump(const char *path)
{
	struct cpt_file *f;

	if (cpt_open(path, &f) < 0) {
		pr_err("Failed to read dump '%s'", path);
		return NULL;
	}
	return f;
}

static int do_info(const char *path, bool json)
{
	struct cpt_file *f = open_dump(path);

	if (!f)
		return 1;
	cpt_info_print(stdout, f, path, json);
	cpt_close(f);
	return fflush(stdout) ? 1 : 0;
}

static int do_convert(const char *path, const char *outdir, bool force, bool json,
		      const char *vdso, const char *ctid)
{
	struct cpt_file *f = open_dump(path);
	int r;

	if (!f)
		return 1;
	r = xlate_dump(f, outdir, force, json, stdout, vdso, ctid);
	cpt_close(f);
	if (r < 0) {
		pr_err("Failed to convert '%s': nothing written to '%s'", path, outdir);
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "info", no_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ "vdso", required_argument, NULL, 'V' },
		{ "ctid", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	enum log_level level = LOG_WARN;
	bool info = false, json = false, force = false;
	const char *vdso = NULL;
	const char *ctid = NULL;
	int c;

	log_set_plain(true);
	while ((c = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': info = true; break;
		case 'j': json = true; break;
		case 'f': force = true; break;
		case 'V': vdso = optarg; break;
		case 'c': ctid = optarg; break;
		case 'v': level = LOG_DEBUG; break;
		case 'q': level = LOG_ERROR; break;
		case 'h': return fputs(usage_text, stdout), 0;
		default: return usage_error("bad option");
		}
	}
	log_set_level(level);
	if (info) {
		if (argc - optind != 1)
			return usage_error("--info wants one DUMPFILE");
		return do_info(argv[optind], json);
	}
	if (argc - optind != 2)
		return usage_error("DUMPFILE OUTDIR expected (or --info DUMPFILE)");
	if (ctid && xl_ctid_check(ctid) < 0)
		return EXIT_USAGE;
	return do_convert(argv[optind], argv[optind + 1], force, json, vdso, ctid);
}
