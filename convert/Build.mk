# SPDX-License-Identifier: GPL-2.0-only
# The cpt reader (cpt*.c, include/cpt.h), the --info printer and the CLI.
obj-y += cpt.o cpt-names.o cpt-task.o info.o main.o
