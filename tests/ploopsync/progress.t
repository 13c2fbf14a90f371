#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Progress of `ploopsync send`: on a TTY (script(1) gives it a pty) one status
# line redrawn with \r during each pass, showing pass, dirty bytes, bytes
# sent, rate, ETA and, after the freeze, the frozen time, ended by one
# newline; with --json no status line but one JSON object per pass with
# pass, dirty_bytes, sent_bytes, rate and eta; stderr not a TTY: plain lines.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
command -v script >/dev/null || bail_out "script(1) from util-linux is missing (scripts/deps.sh installs util-linux)"

img="$tmp/img"
head -c $((48 * 1048576)) /dev/urandom >"$img"
# a receiver that starts late: pass 1 lasts well over the 100 ms between redraws
recv="sleep 0.4; exec $ps -q recv '$tmp/dst'"

script -q -e -c "$ps send '$img' --tracker scan --to-cmd \"$recv\" --freeze-cmd 'sleep 0.05'" \
	"$tmp/tty.log" >/dev/null 2>&1
ok $? "send on a TTY succeeds"
cmp -s "$img" "$tmp/dst"
ok $? "the copy made on a TTY is identical"
tr '\r' '\n' <"$tmp/tty.log" | grep '^pass ' >"$tmp/lines"
n1=$(grep -c '^pass 1: ' "$tmp/lines")
[ "$n1" -ge 3 ]
ok $? "pass 1 was redrawn during the pass ($n1 times)"
grep -Eq '^pass 1: dirty 48\.0 MiB, sent [0-9.]+ MiB, [0-9.]+ MB/s, ETA [0-9.]+ s' "$tmp/lines"
ok $? "the line shows pass, dirty bytes, bytes sent, rate and ETA ($(sed -n 3p "$tmp/lines"))"
grep -Eq '^pass [0-9]+ \(frozen\): .*, frozen [0-9]+\.[0-9]{3} s' "$tmp/lines"
ok $? "after the freeze it shows the frozen time ($(tail -n1 "$tmp/lines" | sed 's/\x1b\[K//'))"
# (the pty turns each \n into \r\n: count the lines between newlines)
is "$(grep -c 'pass [0-9]' "$tmp/tty.log")" 1 "all redraws share one line (\\r, no newline between them)"
grep -q $'\x1b\\[K\r$' "$tmp/tty.log"
ok $? "the status line is ended with one newline at the end"
! grep -q '^ploopsync: pass' "$tmp/tty.log"
ok $? "no per-pass log lines on a TTY"

script -q -e -c "$ps send '$img' --tracker scan --json --to-cmd \"$ps -q recv '$tmp/dst2'\"" \
	"$tmp/json.log" >/dev/null 2>&1
ok $? "send --json on a TTY succeeds"
! grep -q $'ETA' "$tmp/json.log"
ok $? "--json draws no status line"
grep '^{' "$tmp/json.log" >"$tmp/json"
bad=$(grep -vcE '"pass":[0-9]+,.*"dirty_bytes":[0-9]+,"sent_bytes":[0-9]+,.*"rate":[0-9]+,"eta":[0-9.]+' "$tmp/json")
[ "$(wc -l <"$tmp/json")" -ge 3 ] && [ "$bad" = 0 ]
ok $? "each JSON pass line has pass, dirty_bytes, sent_bytes, rate, eta ($(head -n1 "$tmp/json"))"
grep -q '"frozen":true.*"frozen_seconds":[0-9.]*[1-9]' "$tmp/json"
ok $? "the frozen pass line says the frozen time"

"$ps" send "$img" --tracker scan --to-cmd "$ps -q recv '$tmp/dst3'" 2>"$tmp/plain.err"
! grep -q $'\r' "$tmp/plain.err" && grep -q '^ploopsync: pass 1: ' "$tmp/plain.err"
ok $? "stderr not a TTY: plain log lines, no \\r"
done_testing
