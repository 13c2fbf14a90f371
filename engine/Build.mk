# SPDX-License-Identifier: GPL-2.0-only
# kerndat: the kernel-feature probes, one file per area
obj-y += kerndat.o kerndat-child.o kerndat-ptrace.o kerndat-task.o kerndat-clone3.o
obj-y += kerndat-mm.o kerndat-uffd.o kerndat-net.o kerndat-ns.o kerndat-cgroup.o
obj-y += kerndat-vdso.o kerndat-prctl.o
# the dump: /proc readers, ptrace, syscall injection, per-object dumpers
obj-y += proc_parse.o ptrace.o infect.o pstree.o
obj-y += pidns.o freezer.o pstree_cg.o ct_image.o ct_path.o
obj-y += page_xfer.o mem_dump.o files.o files_dump.o pipes.o
obj-y += dump.o dump_task.o dump_core.o dump_sig.o dump_timers.o dump_mm.o
# the restore: images, files, the tree of skeletons, memory, task state
obj-y += restore.o restore_img.o restore_files.o restore_tree.o restore_mm.o
obj-y += restore_sig.o restore_task.o
obj-y += restore_helpers.o
obj-y += vdso.o vdso_restore.o
obj-y += ghost.o fifo.o
# memory: shared anonymous objects
obj-y += shmem.o
obj-y += sysv_shm.o
obj-y += vma_name.o
obj-y += seccomp.o
obj-y += restore_timers.o
# sockets: unix, inet (TCP, UDP), netlink, packet
obj-y += sockets.o sk-unix.o sk-unix-restore.o sk-queue.o
obj-y += sk-inet.o sk-tcp.o sk-netlink.o sk-packet.o sk-lock.o
# namespaces of a CT: mount, net, ipc, uts (include/nsimg.h)
obj-y += ns_util.o ns_uts.o ns_ipc.o ns_ipc_msg.o ns_mqueue.o
obj-y += ns_net.o ns_net_link.o ns_net_restore.o
obj-y += ns_mnt.o ns_mnt_restore.o ns_tmpfs.o
# files with state of their own: one table (fdkinds.c), one file a kind
obj-y += fdkinds.o eventfd.o signalfd.o timerfd.o epoll.o inotify.o memfd.o tty.o pidfd.o tty_data.o
obj-y += tty_restore.o
