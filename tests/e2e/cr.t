#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Checkpoint/restore of process trees: each workload in each mode.
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

for mode in kill leave; do
	cr_run mem $mode tests/e2e/wl-mem
	cr_run tree $mode tests/e2e/wl-tree
	cr_run threads $mode tests/e2e/wl-threads 6
	cr_run regs $mode tests/e2e/wl-regs
	cr_run creds $mode tests/e2e/wl-creds
	cr_run counter $mode tests/e2e/wl-counter
done
cr_run tree50 kill tests/e2e/wl-tree 46
done_testing
