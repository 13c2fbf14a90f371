# SPDX-License-Identifier: GPL-2.0-only
# kerndat: the kernel-feature probes, one file per area
obj-y += kerndat.o kerndat-child.o kerndat-ptrace.o kerndat-task.o kerndat-clone3.o
obj-y += kerndat-mm.o kerndat-uffd.o kerndat-net.o kerndat-ns.o kerndat-cgroup.o
obj-y += kerndat-vdso.o
