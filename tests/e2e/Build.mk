# SPDX-License-Identifier: GPL-2.0-only
# Workloads of the end-to-end checkpoint/restore tests (run by *.t here),
# one per line so that additions merge cleanly.
wl-y += wl-mem
wl-y += wl-tree
wl-y += wl-threads
wl-y += wl-regs
wl-y += wl-creds
wl-y += wl-counter
wl-y += wl-crit
wl-y += wl-files
wl-y += wl-files-refuse
wl-y += wl-files-root
wl-y += wl-shmem
wl-y += wl-vma
wl-y += wl-sparse
wl-y += wl-vdso
wl-y += wl-refuse
wl-y += wl-signals
wl-y += wl-timers
wl-y += wl-restart
wl-y += wl-seccomp
wl-y += wl-ovz
