# SPDX-License-Identifier: GPL-2.0-only
obj-y += fpu.o
obj-y += regs.o thread.o
obj-y += vdso.o
