// SPDX-License-Identifier: GPL-2.0-only
/* vzcr create: a new container from a template, and its config. */
#define LOG_PREFIX "create: "
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ct.h"
#include "log.h"

static const char create_usage[] =
	"Usage: vzcr create CTID [--template busybox] [--ip ADDR] [--host-ip ADDR]\n"
	"                   [--hostname NAME] [--disk SIZE]\n"
	"\n"
	"Create a container from the host's static busybox: its root filesystem as a\n"
	"directory in VE_PRIVATE ($VZCR_ROOT/vz/private/CTID), or with --disk as an\n"
	"ext4 filesystem in the raw image file VE_PRIVATE/root.hdd; and its config\n"
	"$VZCR_ROOT/etc/vzcr/conf/CTID.conf. CTID is a number or a name of\n"
	"a-z, 0-9 and '-'.\n"
	"\n"
	"Options:\n"
	"  --template NAME  the root filesystem template; only \"busybox\" for now\n"
	"  --ip ADDR        the container's IPv4 address on eth0 (IP_ADDRESS)\n"
	"  --host-ip ADDR   the address of the host end of its veth (HOST_IP,\n"
	"                   default 169.254.0.1)\n"
	"  --hostname NAME  its host name (HOSTNAME, default the CTID)\n"
	"  --disk SIZE      the root on an ext4 image of SIZE (DISK): a number with\n"
	"                   K, M, G or T (a bare number is KiB), at least 64M; the\n"
	"                   image is sparse, start mounts it through a loop device\n"
	"  -h, --help       print this text and exit\n"
	"\n"
	"Exit status: 0 created, 1 failure (exists, bad value), 2 usage error.\n";

static int create_run(int argc, char **argv);

const struct cmd cmd_create = {
	.name = "create",
	.summary = "create a container",
	.usage = create_usage,
	.run = create_run,
};

struct create_opts {
	const char *template, *ip, *host_ip, *hostname, *disk;
};

static int create_ct(const char *id, const struct create_opts *o)
{
	char path[CT_PATH_MAX];
	struct ct ct;
	int ret;

	if (ct_init(&ct, id) < 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/vz/root/%s", id);
	if ((ret = ct_conf_set(&ct.conf, "VE_ROOT", path, "--root")) < 0)
		return ret;
	snprintf(path, sizeof(path), "/vz/private/%s", id);
	if ((ret = ct_conf_set(&ct.conf, "VE_PRIVATE", path, "--private")) < 0 ||
	    (ret = ct_conf_set(&ct.conf, "OSTEMPLATE", o->template, "--template")) < 0 ||
	    (o->ip && (ret = ct_conf_set(&ct.conf, "IP_ADDRESS", o->ip, "--ip")) < 0) ||
	    (o->host_ip && (ret = ct_conf_set(&ct.conf, "HOST_IP", o->host_ip, "--host-ip")) < 0) ||
	    (ret = ct_conf_set(&ct.conf, "HOSTNAME", o->hostname ? o->hostname : id,
			       "--hostname")) < 0 ||
	    (o->disk && (ret = ct_conf_set(&ct.conf, "DISK", o->disk, "--disk")) < 0))
		return ret;
	if (ct_exists(&ct))
		return log_err(-EEXIST, "CT %s already exists", id);
	ret = ct_lock(&ct);
	if (ret < 0)
		return ret;
	if (ct_exists(&ct)) {	/* created while we waited for the lock */
		ret = log_err(-EEXIST, "CT %s already exists", id);
		goto out;
	}
	ret = ct_rootfs_create(&ct);
	if (ret < 0)
		goto out;
	ret = ct_conf_write(&ct);
	if (ret < 0)
		ct_rootfs_destroy(&ct);
out:
	if (ret < 0)
		ct_unlock_remove(&ct);
	ct_unlock(&ct);
	return ret;
}

static int create_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "ip", required_argument, NULL, 'i' },
		{ "host-ip", required_argument, NULL, 'H' },
		{ "hostname", required_argument, NULL, 'n' },
		{ "disk", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct create_opts o = { .template = "busybox" };
	unsigned long long disk_bytes;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': o.template = optarg; break;
		case 'i': o.ip = optarg; break;
		case 'H': o.host_ip = optarg; break;
		case 'n': o.hostname = optarg; break;
		case 'd': o.disk = optarg; break;
		case 'h':
			cmd_usage(&cmd_create, stdout);
			return 0;
		default:
			return cmd_usage_error(&cmd_create, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(&cmd_create, "want one CTID");
	if (o.disk && ct_disk_size_parse(o.disk, "--disk", &disk_bytes) < 0)
		return 1;
	if (strcmp(o.template, "busybox")) {
		pr_err("Unknown template '%s': only \"busybox\" exists", o.template);
		return 1;
	}
	if (create_ct(argv[optind], &o) < 0)
		return 1;
	printf("CT %s created\n", argv[optind]);
	return 0;
}
