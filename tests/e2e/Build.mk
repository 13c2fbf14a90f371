# SPDX-License-Identifier: GPL-2.0-only
# Workloads of the end-to-end checkpoint/restore tests (run by *.t here).
wl-y += wl-mem wl-tree wl-threads wl-regs
wl-y += wl-signals wl-timers wl-restart
