# SPDX-License-Identifier: GPL-2.0-only
# test-ct-limits: the limit keys parsed and turned into v2 and v1 cgroup knobs.
test-y += test-ct-limits
