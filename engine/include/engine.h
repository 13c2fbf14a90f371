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

struct dump_opts {
	pid_t pid;			/* root of the tree */
	const char *dir;		/* image directory; created if missing */
	bool leave_running;		/* thaw instead of kill after the dump */
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
};

/*
 * Restore the tree in opts->dir with its original pids; returns once every
 * task runs again, detached from the caller. On failure every task created
 * so far is killed. 0 or -errno.
 */
int eng_restore(const struct restore_opts *opts, pid_t *ret_root);

#endif /* VZCR_ENGINE_H */
