#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: what the kernel offers, then a running counter checkpointed to
# images, killed, restored with its pid, and going on where it stopped.
set -eu
cd "$(dirname "$0")/.."
vzcr=vzcr/vzcr
dir=$(mktemp -d /tmp/vzcr-demo.XXXXXX)
trap 'kill -9 $(cat "$dir/pid" 2>/dev/null) 2>/dev/null; rm -rf "$dir"' EXIT

echo "== vzcr check: what this kernel offers the engine"
$vzcr check | tail -n 3
echo
echo "== start a counter that appends 'tick N' to $dir/log every 100 ms (N only in memory)"
setsid tests/e2e/wl-counter "$dir" </dev/null >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s "$dir/ready" ] && break; sleep 0.05; done
pid=$(cat "$dir/ready"); echo "$pid" >"$dir/pid"
sleep 1
echo "   pid $pid, last line: $(tail -n1 "$dir/log")"
echo
echo "== vzcr checkpoint --pid $pid -D $dir/img   (the counter is killed after the dump)"
$vzcr -v checkpoint --pid "$pid" -D "$dir/img"
while [ -d /proc/$pid ]; do sleep 0.05; done
before=$(tail -n1 "$dir/log")
echo "   gone; last line: $before; images:"
ls -l "$dir/img" | sed 's/^/   /'
sleep 1
echo "   one second later, still: $(tail -n1 "$dir/log")"
echo
echo "== vzcr restore -D $dir/img"
$vzcr -v restore -D "$dir/img" --pidfile "$dir/restored"
echo "   restored with pid $(cat "$dir/restored")"
sleep 1
echo "   one second later: $(tail -n1 "$dir/log")   (it went on from '$before')"
echo
echo "== the counter checks its own log: no gap, no restart"
kill -USR2 "$pid"
for _ in $(seq 100); do [ -s "$dir/result" ] && break; sleep 0.05; done
echo "   verdict: $(cat "$dir/result")"
grep -q PASS "$dir/result"
