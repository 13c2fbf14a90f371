# SPDX-License-Identifier: GPL-2.0-only
# Workloads of the end-to-end checkpoint/restore tests (run by *.t here).
wl-y += wl-mem wl-tree
wl-y += wl-shmem
wl-y += wl-vma
wl-y += wl-sparse
wl-y += wl-vdso
wl-y += wl-refuse
