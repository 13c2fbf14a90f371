#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Checkpoint/restore of signal and timer state, and of tasks caught inside
# blocking syscalls: each workload in each mode.
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

for mode in kill leave; do
	cr_run signals $mode tests/e2e/wl-signals
	cr_run timers $mode tests/e2e/wl-timers
	cr_run restart $mode tests/e2e/wl-restart
done
done_testing
