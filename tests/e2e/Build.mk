# SPDX-License-Identifier: GPL-2.0-only
# Workloads of the end-to-end checkpoint/restore tests (run by *.t here).
wl-y += wl-mem wl-tree wl-threads wl-regs
wl-y += wl-files wl-files-refuse wl-files-root
