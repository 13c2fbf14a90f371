/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Containers on a mainline host: a CTID, its config file, its private area
 * (the root filesystem), its runtime state and a lock. Every path lives
 * under $VZCR_ROOT (default "/") so that tests can run several "hosts" on
 * one machine:
 *	$VZCR_ROOT/etc/vzcr/conf/CTID.conf	config, vzctl-style KEY="value"
 *	$VZCR_ROOT/var/run/vzcr/CTID.lock	flock serializing operations
 *	$VZCR_ROOT/var/run/vzcr/CTID.state	init pid, veth, cgroup of a running CT
 * Paths inside the config (VE_ROOT, VE_PRIVATE) are taken under $VZCR_ROOT too.
 */
#ifndef VZCR_CT_H
#define VZCR_CT_H

#include <stdbool.h>
#include <sys/types.h>

#define CTID_MAX	64
#define CT_PATH_MAX	4096

struct ct_conf {
	char ve_root[CT_PATH_MAX];	/* as written, "$VEID" expanded */
	char ve_private[CT_PATH_MAX];
	char ostemplate[64];
	char hostname[65];
	char ip_address[16];		/* one IPv4 address, "" for none */
	char host_ip[16];		/* the host end of the veth */
	char disk[32];			/* root on an ext4 image of this size, "" for a directory */
	char physpages[32], swappages[32];
	char cpus[16], cpulimit[16], cpuunits[16];
	char onboot[4];
};

/* Runtime state of a running CT, in CTID.state. */
struct ct_state {
	pid_t init_pid;
	unsigned long long init_start;	/* /proc/PID/stat starttime, against pid reuse */
	char veth_host[16];
	char cgroup[CT_PATH_MAX];	/* absolute path of its cgroup directory */
};

struct ct {
	char id[CTID_MAX + 1];
	char root[CT_PATH_MAX];		/* $VZCR_ROOT without a trailing '/' ("" for /) */
	int lock_fd;
	struct ct_conf conf;
};

/* ct.c: ids, paths, lock, state */
bool ct_id_valid(const char *id);
/* Fill @ct for @id (validated, logged when bad); does not read the config. */
int ct_init(struct ct *ct, const char *id);
/* "$VZCR_ROOT/REL" into @buf (@rel starts with '/'). */
int ct_path(const struct ct *ct, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Take the CT's lock (blocking), creating the runtime directory. */
int ct_lock(struct ct *ct);
void ct_unlock(struct ct *ct);
/* Remove the lock file, then unlock: for a CT that does not exist (any more). */
void ct_unlock_remove(struct ct *ct);
/* ct_init + ct_lock + ct_conf_read: what most commands start with. */
int ct_open(struct ct *ct, const char *id);
/* Whether the CT has a config file. */
bool ct_exists(const struct ct *ct);
/* 1 and @ret_st if the CT runs, 0 if not (stale state is cleaned up). */
int ct_running(struct ct *ct, struct ct_state *ret_st);
/* starttime of /proc/PID/stat, 0 if gone or a zombie. */
unsigned long long ct_proc_starttime(pid_t pid);
int ct_state_write(const struct ct *ct, const struct ct_state *st);
int ct_state_remove(const struct ct *ct);
/* mkdir -p of an absolute path. */
int ct_mkdir_p(const char *path, mode_t mode);
/* Run @argv (argv[0] a path), wait; 0 when it exited 0. Output is kept quiet. */
int ct_run_prog(char *const argv[], bool quiet);

/* ct-conf.c: the config file */
int ct_conf_read(struct ct *ct);
/* Parse @path into @conf; errors name the file, line and key. */
int ct_conf_parse(const char *path, const char *id, struct ct_conf *conf);
int ct_conf_write(const struct ct *ct);
/* Set KEY to @val with the same checks as the parser. */
int ct_conf_set(struct ct_conf *conf, const char *key, const char *val, const char *where);
/* Absolute host path of VE_ROOT / VE_PRIVATE. */
int ct_root_dir(const struct ct *ct, char *buf, size_t len);
int ct_private_dir(const struct ct *ct, char *buf, size_t len);

/* ct-rootfs.c: the busybox template */
int ct_rootfs_create(const struct ct *ct);
int ct_rootfs_destroy(const struct ct *ct);
/* rm -rf that never crosses a mount point. */
int ct_rm_rf(const char *path);

/* ct-disk.c: the root on an ext4 image (DISK) */
/* A disk size ("512M", "2G"; a bare number is KiB) in bytes; errors name @what. */
int ct_disk_size_parse(const char *val, const char *what, unsigned long long *ret_bytes);
/* The image file: VE_PRIVATE/root.hdd. */
int ct_disk_image(const struct ct *ct, char *buf, size_t len);
/* A new image of DISK bytes holding an ext4 filesystem with the files of @tree. */
int ct_disk_create(const struct ct *ct, const char *tree);
/* Attach the image to a loop device and mount it on @root (leftovers cleaned first). */
int ct_disk_mount(const struct ct *ct, const char *root);
/*
 * Unmount VE_ROOT and detach the image's loop devices; 0 at once without
 * DISK. -EBUSY (a warning) when a device stays bound because another mount
 * namespace still has the filesystem: it detaches itself when that goes.
 */
int ct_disk_umount(const struct ct *ct);

/* ct-cgroup.c */
/* Short hash of $VZCR_ROOT, to tell several roots on one host apart. */
unsigned int ct_root_tag(const struct ct *ct);
/* The CT's cgroup (path into @ret_path) and those of its limits, limits applied. */
int ct_cgroup_create(const struct ct *ct, char *ret_path, size_t len);
/* Move @pid into the CT's cgroup @cg and into those of its limits. */
int ct_cgroup_attach(const char *cg, pid_t pid);
/* Remove the CT's cgroup @cg and those of its limits. */
int ct_cgroup_remove(const char *cg);
/* Where one controller of a CT's cgroup is: v2, or a v1 hierarchy. */
struct ct_cg_place {
	char mnt[256];			/* the hierarchy's mount */
	char rel[CTID_MAX + 16];	/* "vzcr-TAG/CTID", the name under it */
	char dir[CT_PATH_MAX];		/* mnt/rel */
	bool v2;
};
/* -ENOENT if the host has no hierarchy with @ctrl usable for the CT. */
int ct_cgroup_place(const struct ct *ct, const char *ctrl, struct ct_cg_place *ret);
/* Write @val to @file of @pl (@ctrl its controller); failures are logged. */
int ct_cgroup_set(const struct ct_cg_place *pl, const char *ctrl, const char *file,
		  const char *val);
/* Read the first line of @file of @pl. */
int ct_cgroup_get(const struct ct_cg_place *pl, const char *file, char *buf, size_t len);

/* ct-limits.c: memory and CPU limits (PHYSPAGES, SWAPPAGES, CPUS, CPULIMIT, CPUUNITS) */
#define CT_MEM_UNLIMITED (~0ULL)	/* vzctl's "unlimited" */
struct ct_limits {
	unsigned long long ram, swap;	/* bytes or CT_MEM_UNLIMITED; ram 0: not set */
	unsigned int cpus;		/* CPUs it may run on; 0: all */
	unsigned int cpulimit;		/* percent of one CPU; 0: no limit */
	unsigned int cpuunits;		/* relative weight; 0: the default */
	bool has_cpulimit;		/* CPULIMIT is set (its 0 lifts a limit) */
};
/* The limits of @conf; a bad value is refused naming @where and the key. */
int ct_limits_parse(const struct ct_conf *conf, const char *where, struct ct_limits *ret);
/* One cgroup knob and its value. */
struct ct_limit_file {
	const char *file;
	char val[64];
};
#define CT_LIMIT_FILES_MAX 4
/*
 * The knobs of controller @ctrl ("memory", "cpu", "cpuset") for @l on v2 or
 * v1, in an order that can be written; @cpus is the CPU list the CT may use
 * (cpuset). Returns how many, into @out.
 */
int ct_limits_files(const struct ct_limits *l, const char *ctrl, bool v2, const char *cpus,
		    struct ct_limit_file out[CT_LIMIT_FILES_MAX]);
/*
 * Write the CT's limits from its config into its cgroups (made by
 * ct_cgroup_create(), which calls this; restore and `vzcr set` call it
 * again). Idempotent.
 */
int ct_limits_apply(const struct ct *ct);

/* ct-net.c: the veth pair */
void ct_veth_names(const struct ct *ct, char *host, char *peer);
int ct_net_host_setup(const struct ct *ct, pid_t pid, const char *host, const char *peer);
/* The host end @host of a veth that exists: HOST_IP, up, the route to the CT. */
int ct_net_host_conf(const struct ct *ct, const char *host);
int ct_net_ct_setup(const struct ct *ct, const char *peer);
void ct_net_host_cleanup(const char *host);
/* HOST_IP, or the default host end address. */
const char *ct_host_ip(const struct ct *ct);

/* ct-start.c, ct-stop.c, ct-exec.c */
int ct_start(struct ct *ct);
#define CT_MNT_KERN	0x1	/* proc, sysfs */
#define CT_MNT_DEV	0x2	/* /dev tmpfs with nodes, devpts, /dev/shm */
int ct_mount_fs(unsigned int what);
int ct_stop(struct ct *ct, int timeout_sec);
/* What stop does once init is gone: veth, cgroup, state file. */
int ct_stop_cleanup(struct ct *ct, const struct ct_state *st);
/*
 * Run @argv inside the running CT; returns its exit status (0..255) or
 * -errno. @detached: in a session of its own with the CT's /dev/null as
 * stdio and no other fd, not waited for (0 once forked).
 */
int ct_exec(struct ct *ct, const struct ct_state *st, char *const argv[], bool detached);

#endif /* VZCR_CT_H */
