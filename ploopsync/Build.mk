# SPDX-License-Identifier: GPL-2.0-only
obj-y += hash.o stream.o recv.o send.o tracker.o tracker_scan.o tracker_reflink.o tracker_ploop.o
obj-y += codec.o
obj-y += compat_ovz.o
