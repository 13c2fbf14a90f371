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
proto-y += seccomp.proto
proto-y += vzcr-ct.proto
