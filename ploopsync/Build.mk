# SPDX-License-Identifier: GPL-2.0-only
obj-y += hash.o stream.o
