# SPDX-License-Identifier: GPL-2.0-only
# Image framing in CRIU's format, and the schemas of its messages.
# Schemas are compiled by protoc-c into engine/images/gen/ (see README).
proto-y += inventory.proto pstree.proto core.proto core-x86.proto
proto-y += rlimit.proto timer.proto creds.proto sa.proto siginfo.proto rseq.proto
proto-y += mm.proto vma.proto pagemap.proto
proto-y += fdinfo.proto regfile.proto fown.proto pipe.proto pipe-data.proto
proto-y += fs.proto utsns.proto stats.proto

obj-y += desc.o image.o image_util.o
proto-y += time.proto ghost-file.proto remap-file-path.proto fifo.proto
proto-y += vzcr-vma-name.proto
proto-y += vzcr-vdso.proto
proto-y += seccomp.proto
proto-y += sk-opts.proto sk-unix.proto sk-inet.proto sk-packet.proto tcp-stream.proto
proto-y += sk-netlink.proto packet-sock.proto
# namespaces: mount, net, ipc (engine/ns_*.c)
proto-y += mnt.proto
proto-y += sysctl.proto macvlan.proto tun.proto sit.proto vzcr-sysctl.proto netdev.proto
proto-y += ipc-desc.proto ipc-var.proto ipc-shm.proto ipc-sem.proto ipc-msg.proto
proto-y += vzcr-mqueue.proto
proto-y += vzcr-ct.proto
proto-y += eventfd.proto eventpoll.proto signalfd.proto timerfd.proto fh.proto fsnotify.proto memfd.proto tty.proto
proto-y += vzcr-pidfd.proto
