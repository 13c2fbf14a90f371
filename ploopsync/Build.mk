# SPDX-License-Identifier: GPL-2.0-only
obj-y += hash.o stream.o recv.o send.o tracker.o tracker_scan.o tracker_reflink.o tracker_ploop.o
obj-y += codec.o
obj-y += compat_ovz.o
obj-y += tracefs.o tracefs_parse.o loopdev.o tracker_tracepoint.o
