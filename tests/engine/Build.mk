# SPDX-License-Identifier: GPL-2.0-only
# test-kerndat: kernel-feature probes checked against independent evidence.
test-y += test-kerndat
test-y += test-vdso
