#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ovz2img conversion speed (make bench, from bench/run.sh; never make check).
#
# A process holding OVZ_MIB MiB (default 512) of incompressible anonymous
# memory (bench/bench-mem) is dumped by tests/convert/cptlive into a cpt
# file, as an OpenVZ RHEL6 kernel would lay it out, and killed. Then, best
# of BENCH_ROUNDS (default 3) each, with the file in the page cache:
#   read:    a plain sequential read of the dump (dd, 1 MiB blocks)
#   ovz2img: the whole conversion to an image set, its syncfs included
#   write:   a sequential write + fsync of as many bytes to the same
#            filesystem (bench-mem --write), the cost of a durable output
# MB/s are of the dump's size (MB = 10^6 bytes). Target: ovz2img/read near
# write/read: conversion as fast as reading the file allows, the rest is
# the disk. Then the converted set is restored and the process checks its
# memory. Environment: BENCH_DIR (default /var/tmp), OVZ_MIB, BENCH_ROUNDS.
set -u
cd "$(dirname "$0")/.." || exit 1
helper=bench/bench-mem
live=tests/convert/cptlive
ovz=convert/ovz2img
vzcr=${VZCR:-vzcr/vzcr}
mib=${OVZ_MIB:-512}
rounds=${BENCH_ROUNDS:-3}
[ -x "$helper" ] && [ -x "$live" ] && [ -x "$ovz" ] && [ -x "$vzcr" ] ||
	{ echo "bench: build first (make all tests bench/bench-mem)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (ptrace)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/vzcr-ovzbench.XXXXXX") || exit 1
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
. tests/lib/proc.sh

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }
mbps() { awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f", n / t / 1e6; else print 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print 0 }'; }
# best A B: the smaller
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }

setsid "$helper" "$work" "$mib" </dev/null >"$work/out" 2>&1 &
pid=$!
disown	# its death (cptlive --kill) is ours to expect, not bash's to report
wait_for 120 test -s "$work/ready" || { echo "bench: bench-mem not ready" >&2; exit 1; }
t0=$(now)
"$live" --kill "$pid" "$work/dump.cpt" || { echo "bench: cptlive failed" >&2; exit 1; }
tgen=$(since "$t0")
wait_for 30 all_gone "$pid"
size=$(stat -c %s "$work/dump.cpt")
tr= tc= w=0
for r in $(seq "$rounds"); do
	t0=$(now)
	dd if="$work/dump.cpt" of=/dev/null bs=1M status=none
	tr=$(best "$(since "$t0")" "$tr")
	rm -rf "$work/img"
	sync
	t0=$(now)
	"$ovz" "$work/dump.cpt" "$work/img" >/dev/null || { echo "bench: ovz2img failed" >&2; exit 1; }
	tc=$(best "$(since "$t0")" "$tc")
	x=$("$helper" --write "$work/raw" $(((size + (1 << 20) - 1) >> 20)))
	[ "$x" -gt "$w" ] && w=$x
done
out=$("$vzcr" restore -D "$work/img" --pidfile "$work/restored" 2>&1) ||
	{ echo "bench: restore of the converted set failed: $out" >&2; exit 1; }
kill -USR2 "$pid"
wait_for 120 test -s "$work/result"
echo "ovz2img bench: $(uname -r), $(nproc) CPUs, dump of ${mib} MiB ($size bytes, made in $tgen s) in $work ($(df -T "$work" | awk 'NR == 2 { print $2 }'))"
printf '%-6s %8s %8s %8s %13s %13s %11s %s\n' "" "read" "ovz2img" "write" "ovz2img/read" \
	"ovz2img/write" "write/read" check
printf '%-6s %8s %8s %8s %13s %13s %11s %s\n' "MB/s" "$(mbps "$size" "$tr")" "$(mbps "$size" "$tc")" \
	"$w" "$(ratio "$(mbps "$size" "$tc")" "$(mbps "$size" "$tr")")" \
	"$(ratio "$(mbps "$size" "$tc")" "$w")" "$(ratio "$w" "$(mbps "$size" "$tr")")" \
	"$(head -n1 "$work/result" 2>/dev/null || echo none)"
echo "read: best of $rounds dd of the dump (page cache); ovz2img: best of $rounds conversions, syncfs"
echo "included; write: best of $rounds sequential writes + fsync of as many bytes; check: the"
echo "restored process's verdict on its memory."
