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
	cr_run seccomp $mode tests/e2e/wl-seccomp
done
# seccomp.img as crit reads it: three filters of 4 instructions, a chain 0 <- 1 <- 2
crit decode -i "$e2e_tmp/seccomp-kill/img/seccomp.img" 2>/dev/null | /usr/bin/python3 -c '
import base64, json, sys
f = json.load(sys.stdin)["entries"][0]["seccomp_filters"]
assert len(f) == 3, f
assert all(len(base64.b64decode(x["filter"])) == 32 for x in f), f
assert "prev" not in f[0] and f[1]["prev"] == 0 and f[2]["prev"] == 1, f
'
ok $? "seccomp.img: crit decodes the three filters and their chain"
cr_run tree50 kill tests/e2e/wl-tree 46
# the counter's log is shared by the original and the restored copy: kill mode only
cr_run counter kill tests/e2e/wl-counter
done_testing
