#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Log lines and the TTY status line of `ploopsync send` (script(1) gives it a
# pty): a log line printed while the status line is drawn (the first error,
# through the log hook) and the freeze command's output start on a cleared
# line, never at the end of the status text.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
command -v script >/dev/null || bail_out "script(1) from util-linux is missing (scripts/deps.sh installs util-linux)"

img="$tmp/img"
head -c $((32 * 1048576)) /dev/urandom >"$img"
clear=$'\r\x1b[K'

script -q -e -c "$ps send '$img' --tracker scan --to-cmd \"sleep 0.3; exec $ps -q recv '$tmp/dst'\" --freeze-cmd 'echo FREEZE-OUTPUT'" \
	"$tmp/tty.log" >/dev/null 2>&1
ok $? "send on a TTY with a talking freeze command succeeds"
grep -q '^pass 1: ' <(tr '\r' '\n' <"$tmp/tty.log")
ok $? "the status line was drawn"
grep -qF "${clear}FREEZE-OUTPUT" "$tmp/tty.log"
ok $? "the freeze command's output starts on a cleared line"
! grep -aq $'ETA [0-9.~]* s[^\r]*FREEZE-OUTPUT' <(sed 's/\x1b\[K//g' "$tmp/tty.log")
ok $? "and never follows the status text"

# the receiver goes away in the middle of pass 1: the write error is logged while the line is drawn
script -q -e -c "$ps send '$img' --tracker scan --to-cmd 'sleep 0.3; head -c 3000000 >/dev/null'" \
	"$tmp/err.log" >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "send fails when the receiver goes away"
grep -q '^pass 1: ' <(tr '\r' '\n' <"$tmp/err.log")
ok $? "the status line was drawn before the error"
grep -qF "${clear}Error: ploopsync: Failed to write a stream record" "$tmp/err.log"
ok $? "the first error starts on a cleared line ($(grep -ao 'Error: [^:]*: [^(]*' "$tmp/err.log" | head -n1))"
! grep -aq 'ETA [0-9.~]* s.\{0,3\}Error' "$tmp/err.log"
ok $? "no error text at the end of the status line"
done_testing
