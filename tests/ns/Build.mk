# SPDX-License-Identifier: GPL-2.0-only
# Namespace state (engine/include/nsimg.h): nstool drives the library for
# the *.t scripts here (dump a namespace set, restore into fresh ones, make
# and show ipc objects).
helper-y += nstool
