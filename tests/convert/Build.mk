# SPDX-License-Identifier: GPL-2.0-only
# mkcpt writes synthetic OpenVZ dumps (valid and malformed) for the *.t tests
# and the fuzz corpus; it is not installed.
helper-y += mkcpt
helper-y += cptlive
