#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Memory of process trees across checkpoint/restore, in both modes.
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

for mode in kill leave; do
	cr_run shmem $mode tests/e2e/wl-shmem
	echo "# shmem/$mode: $(cat "$e2e_tmp/shmem-$mode/pss" 2>/dev/null)"
	cr_run vma $mode tests/e2e/wl-vma
done
done_testing
