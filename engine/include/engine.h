/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The checkpoint/restore engine: dump a process tree to an image directory
 * and bring it back. Each entry point takes its own options struct.
 */
#ifndef VZCR_ENGINE_H
#define VZCR_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ct_image;

/*
 * A file a CT holds that lies outside its root (its console file in the
 * host's run directory): the images name it @name, a path under
 * /.vzcr-ext/; the dump finds it at @host_path, the restore gets @fd.
 */
struct eng_ext_file {
	const char *name;
	const char *host_path;		/* dump */
	int fd;				/* restore: opened by the caller */
};

struct dump_opts {
	pid_t pid;			/* root of the tree */
	const char *dir;		/* image directory; created if missing */
	bool leave_running;		/* thaw instead of kill after the dump */
	/*
	 * A whole CT: pid is its init (pid 1 of its pid namespace), @cgroup
	 * its cgroup, frozen while its tasks are seized; images carry the pids
	 * and paths the CT sees; @ct goes to vzcr-ct.img.
	 */
	const char *cgroup;
	const struct ct_image *ct;
	const struct eng_ext_file *ext;
	int nr_ext;
};

struct dump_stats {
	unsigned int nr_tasks, nr_threads;
	uint64_t pages_scanned, pages_written, pages_zero;
	uint64_t frozen_us;		/* from seize to release/kill */
	uint64_t memdump_us;
};

/*
 * Dump the tree at opts->pid. On success the images are complete
 * (inventory.img written last) and the tree is killed, or left running.
 * On failure the tree runs on as before and no inventory.img exists.
 * 0 or -errno; the first error logged says which task and object failed.
 */
int eng_dump(const struct dump_opts *opts, struct dump_stats *ret_stats);

struct restore_opts {
	const char *dir;
	const char *pidfile;		/* gets the root's pid; may be NULL */
	/*
	 * A whole CT: the root task (pid 1 in the images) is cloned with
	 * @ns_flags (CLONE_NEWPID and others, not CLONE_NEWNS: the caller has
	 * made the CT's mount tree under @root in a mount namespace of its
	 * own, where the tasks stay); image paths are taken under @root.
	 * @init_created runs in the caller once the root task exists (host
	 * pid), @init_setup first thing in the root task (proc, sysfs, net).
	 */
	const char *root;
	unsigned long ns_flags;
	int (*init_created)(pid_t pid, void *arg);
	int (*init_setup)(void *arg);
	void *ns_arg;
	const struct eng_ext_file *ext;
	int nr_ext;
	int netns_fd;			/* > 0: sockets are made in this net ns (a CT's) */
};

/*
 * Restore the tree in opts->dir with its original pids; returns once every
 * task runs again, detached from the caller, with the host pid of the root
 * in *ret_root. On failure every task created so far is killed. 0 or -errno.
 */
int eng_restore(const struct restore_opts *opts, pid_t *ret_root);

#endif /* VZCR_ENGINE_H */
