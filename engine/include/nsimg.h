/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Namespace state of a container: its mount, net, ipc and uts namespaces
 * dumped to images in CRIU's format and rebuilt from them (engine/ns_*.c).
 *
 * Dump: ns_dump_X(pid, dfd) writes the state of the X namespace of task
 * @pid (a task of the CT, normally its init, seen from the host; its
 * namespaces differ from the caller's) into the image directory @dfd. What
 * must be looked at from inside is read by a forked helper that enters the
 * target's namespaces (pidfd_open + setns); the caller's own namespaces
 * never change. The running namespace is not changed either: SysV messages
 * are copied with MSG_COPY, POSIX mqueue messages are received and sent
 * back in the same order (the CT must be frozen meanwhile, as a dump has
 * it). What cannot be restored faithfully is refused with an error naming
 * the mount, link or object. Images carry the namespace's inode number as
 * their id (as task_kobj_ids_entry does):
 *   mnt: mountpoints-ID.img, tmpfs-dev-DEV.tar.gz.img (GNU tar, run by
 *        fork/exec; one per tmpfs superblock);
 *   net: netdev-ID.img, netns-ID.img, ifaddr-ID.img, route-ID.img,
 *        route6-ID.img (`ip addr|route save`), nftables-ID.img;
 *   ipc: ipcns-var-ID.img, ipcns-shm/sem/msg-ID.img, vzcr-mqueue-ID.img;
 *   uts: utsns-ID.img.
 *
 * Restore: ns_restore_X(dfd, ...) rebuilds the X namespace that the
 * calling process is in (fresh, made by the caller with unshare/clone)
 * from the one image set of that kind in @dfd; two sets of one kind in a
 * directory (nested namespaces) are refused. Order for a CT: uts, ipc, net
 * (the caller already in the CT's new pid namespace), then mnt (sysfs shows
 * the mounter's net ns, proc its pid ns, mqueue its ipc ns); all before the
 * caller pivots into the CT: they run ip, nft and tar of the host, and
 * write /proc/sys through the host's /proc (the knobs follow the writer's
 * namespaces).
 *
 * Every function returns 0 or -errno and logs each failure once.
 *
 * SysV shm segments attached by tasks are the engine's business: the
 * engine must restore the ipc namespace before the tasks' memory and map
 * each attached segment with shmat(shmid of the VMA) at the VMA's address;
 * this library only recreates the segments (same ids) with their contents.
 */
#ifndef VZCR_NSIMG_H
#define VZCR_NSIMG_H

#include <sys/types.h>

int ns_dump_mnt(pid_t pid, int dfd);
int ns_dump_net(pid_t pid, int dfd);
int ns_dump_ipc(pid_t pid, int dfd);
int ns_dump_uts(pid_t pid, int dfd);

/*
 * In a fresh mount namespace of the caller's own (unshared, "/" made
 * private): mount the CT's root from @root_src at @target (a directory:
 * bind mount; a regular file: a raw disk image, attached to a free loop
 * device with autoclear and mounted with the dumped fs type), then every
 * dumped mount under it, parents first: bind mounts inside the CT, tmpfs
 * with its contents and options, proc, sysfs, devpts (newinstance),
 * mqueue; then per-mount flags (ro, nosuid, nodev, noexec, atime) and
 * propagation (shared peers, slaves, with MOVE_MOUNT_SET_GROUP). The caller
 * then pivot_roots or chroots into @target itself.
 */
int ns_restore_mnt(int dfd, const char *root_src, const char *target);

#define NS_NET_MAX_VETH 16

struct ns_net_opts {
	int host_netns_fd;	/* an fd of the host's net ns: peers go there */
	/*
	 * For the i-th dumped veth (the order of netdev-ID.img), the name its
	 * peer end gets in the host ns ("vzXXXXXXXX"); the caller configures
	 * the host end itself.
	 */
	const char *veth_host_name[NS_NET_MAX_VETH];
};

/*
 * In the CT's fresh net namespace: lo up, each veth recreated as a pair
 * (name, ifindex, MAC, MTU, flags; the peer moved into o->host_netns_fd),
 * the sysctls that matter (ip_forward, conf.*.forwarding and rp_filter,
 * ipv6 disable_ipv6 and forwarding), addresses, routes, the nftables
 * ruleset. Other link kinds were refused at dump.
 */
int ns_restore_net(int dfd, const struct ns_net_opts *o);

/*
 * In the CT's fresh ipc namespace: the ipc sysctls, SysV shm segments
 * (same key, id, mode, owner, size and contents), semaphore sets with their
 * values, message queues with their messages in order, POSIX message
 * queues with attributes and messages.
 */
int ns_restore_ipc(int dfd);

/* In the CT's fresh uts namespace: host name and domain name. */
int ns_restore_uts(int dfd);

#endif /* VZCR_NSIMG_H */
