# SPDX-License-Identifier: GPL-2.0-only
# mkcpt writes synthetic OpenVZ dumps (valid and malformed) for the *.t tests
# and the fuzz corpus; it is not installed.
helper-y += mkcpt
helper-y += cptlive
# the workload of live-sock.t (unix sockets through the live chain)
wl-y += wl-ovzsock
# the workload of live-tty.t (a pty pair through the live chain)
wl-y += wl-ovztty
