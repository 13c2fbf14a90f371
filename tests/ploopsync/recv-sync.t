#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The receiver syncs the temporary image (fdatasync) at each PASS record, so
# that the writeback of earlier passes never lands in the frozen window: one
# fdatasync per pass the sender reported, seen with strace(1).
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
command -v strace >/dev/null || skip_all "strace(1) is not installed (needed to see the receiver's syscalls)"

img="$tmp/img"
ps_image "$img" $((12 * 1048576 + 4096))
"$ps" -q send "$img" --tracker scan --json --to-file "$tmp/stream" >"$tmp/progress"
ok $? "a stream of a still image is made"
passes=$(grep -c '"pass"' "$tmp/progress")
strace -f -qq -e trace=fdatasync,fsync,rename -o "$tmp/trace" "$ps" -q recv "$tmp/dst" --from-file "$tmp/stream"
ok $? "the receiver takes it"
cmp -s "$img" "$tmp/dst"
ok $? "the copy is identical"
n=$(grep -c 'fdatasync(' "$tmp/trace")
is "$n" "$passes" "one fdatasync per PASS record ($passes passes)"
# the syncs come before the final fsync and rename, each on the temporary file
awk '/fdatasync\(/ { if (seen_rename) bad = 1 } /rename\(/ { seen_rename = 1 } END { exit bad }' "$tmp/trace"
ok $? "all of them before the rename"
grep 'fdatasync(' "$tmp/trace" | grep -qv '= 0$'
ok $((!$?)) "each fdatasync succeeded"
done_testing
