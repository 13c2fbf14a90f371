#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Failures lose nothing: a restore into taken pids fails clearly and leaves
# the running tree alone; a second try after the pids are free works; an
# incomplete image set (no inventory.img) is refused; a dump into a
# non-empty directory is refused and the tree runs on; a dump of a pid that
# does not exist fails.
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

dir=$e2e_tmp/fail
wl_start "$dir" tests/e2e/wl-tree 2 || bail_out "workload does not start"
root=$(cat "$dir/root")
tree_pids "$root" >"$dir/pids"

run_ok "checkpoint --leave-running" $tvzcr checkpoint --pid "$root" -D "$dir/img" --leave-running
$tvzcr restore -D "$dir/img" >"$dir/out1" 2>&1
is $? 1 "restore while the pids are taken: exit 1"
grep -q "taken" "$dir/out1"
ok $? "the error says a pid is taken"
all_gone $(cat "$dir/pids")
ok $((! $?)) "the running tree is untouched"

mkdir -p "$dir/img2" && echo junk >"$dir/img2/note"
$tvzcr checkpoint --pid "$root" -D "$dir/img2" >"$dir/out2" 2>&1
is $? 1 "dump into a non-empty directory: exit 1"
grep -q "not empty" "$dir/out2"
ok $? "the error says the directory is not empty"
[ "$(ls "$dir/img2")" = note ]
ok $? "the directory is left as it was"

cp -r "$dir/img" "$dir/img3" && rm "$dir/img3/inventory.img"
$tvzcr restore -D "$dir/img3" >"$dir/out3" 2>&1
is $? 1 "restore without inventory.img: exit 1"
grep -q "not a complete checkpoint" "$dir/out3"
ok $? "the error says the checkpoint is incomplete"

$tvzcr checkpoint --pid 4194000 -D "$dir/img4" >"$dir/out4" 2>&1
is $? 1 "dump of a pid that does not exist: exit 1"
[ ! -e "$dir/img4/inventory.img" ]
ok $? "no inventory.img for it"

# a stopped task is refused, and stays stopped
kill -STOP "$root"
wait_for 10 grep -q '^State:.*T' /proc/$root/status
$tvzcr checkpoint --pid "$root" -D "$dir/img5" >"$dir/out5" 2>&1
is $? 1 "dump of a stopped task: exit 1"
grep -q "is stopped" "$dir/out5"
ok $? "the error says the task is stopped"
grep -q '^State:.*T' /proc/$root/status
ok $? "the task is still stopped"
kill -CONT "$root"

# the original still passes, then the retry of the restore works
is "$(wl_verdict "$dir")" PASS "the original tree runs on and passes"
wait_for 30 all_gone $(cat "$dir/pids")
ok $? "the original tree is gone"
rm -f "$dir/result"
run_ok "the second restore works" $tvzcr restore -D "$dir/img"
is "$(wl_verdict "$dir")" PASS "the restored tree passes"
done_testing
