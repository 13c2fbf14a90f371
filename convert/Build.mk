# SPDX-License-Identifier: GPL-2.0-only
# The cpt reader (cpt*.c, include/cpt.h), the --info printer and the CLI.
obj-y += cpt.o cpt-names.o cpt-task.o info.o main.o
# the translation to a vzcr image set (xlate.h)
obj-y += xlate.o xlate-task.o xlate-sig.o xlate-mm.o xlate-files.o xlate-vdso.o xlate-shmem.o xlate-ghost.o xlate-restart.o
obj-y += xlate-sock.o xlate-inet.o xlate-ipc.o xlate-mnt.o xlate-net.o xlate-ct.o
obj-y += xlate-tty.o
