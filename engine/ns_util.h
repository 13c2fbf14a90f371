/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the namespace dumpers and restorers (ns_*.c): run a function
 * inside a task's namespaces, run a program, find a namespace's image id,
 * read and write /proc/sys knobs.
 */
#ifndef VZCR_NS_UTIL_H
#define VZCR_NS_UTIL_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Fork a helper that enters the namespaces @nstypes (CLONE_NEW*) of task
 * @pid and runs @fn(@arg) there; returns what @fn returned (0 or -errno),
 * or -errno if the helper could not run. The helper shares no memory with
 * the caller: it reports through its exit status, and its first error
 * comes back through a pipe to be the caller's first error too
 * (log_first_error()), as if logged by the caller.
 */
int ns_run_in(pid_t pid, int nstypes, int (*fn)(void *arg), void *arg);

/* The inode number of /proc/PID/ns/@ns into *ret_id: the images' id. */
int ns_id(pid_t pid, const char *ns, uint32_t *ret_id);

/*
 * Find the one image "PREFIX<id>SUFFIX" in @dfd: 1 and *ret_id if there is
 * one, 0 if there is none, -EINVAL (logged) if there are several.
 */
int ns_find_image(int dfd, const char *prefix, const char *suffix, uint32_t *ret_id);
/* The same for an image a restore cannot go without: 0, or -errno (logged). */
int ns_need_image(int dfd, const char *prefix, uint32_t *ret_id);

/*
 * Run @argv[0] (a full path) with stdin from @in_fd and stdout to @out_fd
 * (-1: /dev/null), stderr inherited; 0 if it exits 0, else -EIO (logged
 * with the command and @what it was for: "the tmpfs at '/dev'").
 */
int ns_spawn(char *const argv[], int in_fd, int out_fd, const char *what);
/* A program by name from /usr/sbin, /sbin, /usr/bin or /bin; NULL if none. */
const char *ns_prog(const char *name);

/* /proc/sys/@path of the caller's namespaces, its value without "\n". */
int ns_sysctl_get(const char *path, char *buf, size_t size);
int ns_sysctl_get_u64(const char *path, uint64_t *ret);
int ns_sysctl_set(const char *path, const char *value);
int ns_sysctl_set_u64(const char *path, uint64_t v);

#endif /* VZCR_NS_UTIL_H */
