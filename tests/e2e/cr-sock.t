#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Sockets across checkpoint/restore: each workload checks its sockets itself.
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

for mode in kill leave; do
	cr_run sock-unix $mode tests/e2e/wl-sock-unix
	cr_run sock-tcp $mode tests/e2e/wl-sock-tcp
done
done_testing
