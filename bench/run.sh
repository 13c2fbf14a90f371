#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Checkpoint/restore benchmark (make bench; never run by make check).
#
# Cases: one process with 256 MiB and with 1 GiB of touched, incompressible
# anonymous memory (bench/bench-mem), and a tree of ~50 processes
# (tests/e2e/wl-tree 46). Each case is dumped (the tree is killed), restored
# and then checks itself. Beside each figure stand the physical limits for
# the same number of bytes, measured in the same run: a memcpy, and a
# sequential write with fsync to the filesystem of the images.
#
# Environment: BENCH_DIR (where the images go, default /var/tmp),
# BENCH_CASES (default "mem256 mem1024 tree50"), BENCH_ROUNDS (dumps and
# raw writes per case, the best counts; default 3), VZCR (the binary).
# MB = 10^6 bytes; MiB = 2^20 bytes.
set -u
cd "$(dirname "$0")/.." || exit 1
vzcr=${VZCR:-vzcr/vzcr}
helper=bench/bench-mem
cases=${BENCH_CASES:-mem256 mem1024 tree50}
rounds=${BENCH_ROUNDS:-3}
[ -x "$vzcr" ] && [ -x "$helper" ] && [ -x tests/e2e/wl-tree ] ||
	{ echo "bench: build first (make all tests bench/bench-mem)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (ptrace, clone3 set_tid)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/vzcr-bench.XXXXXX") || exit 1
trap 'cleanup' EXIT

cleanup() {
	local p
	for p in $(cat "$work"/*/pids 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$work"
}

. bench/lib.sh
. tests/lib/proc.sh

# ready DIR PID: the workload said so; fails at once if it died
ready() {
	test -s "$1/ready" && return 0
	kill -0 "$2" 2>/dev/null || exit 1
	return 1
}

# run_case NAME CMD...: CMD gets the case directory as its first argument.
# $rounds dumps and raw writes (bench_rounds), then one restore.
# Prints: name tasks bytes dump_s frozen_s restore_s verdict write_MB/s memcpy_MB/s
run_case() {
	local name=$1 dir=$work/$1 t0 t2 root verdict
	local tasks bytes wmib best bfrozen bwr each_round
	shift
	mkdir -p "$dir"
	setsid "$1" "$dir" "${@:2}" </dev/null >"$dir/out" 2>&1 &
	wait_for 120 ready "$dir" $! || { echo "bench: $name not ready: $(cat "$dir/out")" >&2; return 1; }
	root=$(head -n1 "$dir/ready")
	tree_pids "$root" >"$dir/pids"
	bench_rounds "$dir/img" --pid "$root" || return 1
	echo "$name: dump s/frozen s/write MB/s:$each_round; $(fdiv "$best" "$tasks" |
		awk '{ printf "%.1f", $1 * 1000 }') ms of dump per task" >>"$work/notes"
	wait_for 60 all_gone $(cat "$dir/pids") || { echo "bench: $name: tree still there" >&2; return 1; }
	t0=$(now)
	out=$("$vzcr" restore -D "$dir/img" --pidfile "$dir/restored" 2>&1) ||
		{ echo "bench: $name: restore failed: $out" >&2; return 1; }
	t2=$(fsub "$(now)" "$t0")
	kill -USR2 "$root"
	wait_for 120 test -s "$dir/result"
	verdict=$(head -n1 "$dir/result" 2>/dev/null)
	echo "$name ${tasks:-?} $bytes $best ${bfrozen:-?} $t2 ${verdict:-none} $bwr" \
		"$("$helper" --memcpy "$wmib")"
	rm -rf "$dir/img"
}

echo "vzcr bench: $(uname -r), $(nproc) CPUs, images in $work ($(df -T "$work" | awk 'NR == 2 { print $2 }'))"
printf '%-8s %5s %9s %7s %8s %7s %9s %8s %9s %8s %9s %10s %10s %s\n' \
	case tasks "MiB" "dump s" "frozen s" "rest s" "dump MB/s" "rest MB/s" \
	"memcpy" "write" "dump/wr" "dump/mcpy" "rest/mcpy" check
for c in $cases; do
	case $c in
	mem*) line=$(run_case "$c" "$helper" "${c#mem}") ;;
	tree*) line=$(run_case "$c" tests/e2e/wl-tree $((${c#tree} - 4))) ;;
	*) echo "bench: unknown case $c" >&2; continue ;;
	esac || continue
	read -r name tasks bytes tdump frozen trest verdict wr mcpy <<<"$line"
	dmb=$(mbps "$bytes" "$tdump")
	rmb=$(mbps "$bytes" "$trest")
	printf '%-8s %5s %9.1f %7.3f %8s %7.3f %9s %8s %9s %8s %9s %10s %10s %s\n' \
		"$name" "$tasks" "$(fdiv "$bytes" 1048576)" "$tdump" "$frozen" "$trest" \
		"$dmb" "$rmb" "$mcpy" "$wr" "$(fdiv "$dmb" "$wr")" "$(fdiv "$dmb" "$mcpy")" \
		"$(fdiv "$rmb" "$mcpy")" "$verdict"
done
echo "MiB: bytes in pages-*.img; dump s: best wall time of $rounds vzcr checkpoints; frozen s:"
echo "as that checkpoint -v reported it; rest s: wall time of vzcr restore; memcpy/write: best"
echo "MB/s of a memcpy and of $rounds sequential writes + fsync of as many bytes to the images'"
echo "filesystem, measured in this run."
echo "Target: dump/wr >= 0.5. Each round:"
cat "$work/notes" 2>/dev/null
# ploopsync against two-pass rsync (its own script; PS_BENCH_* there)
echo
bash bench/ploopsync.sh

echo
# ovz2img: conversion speed of a large cpt dump beside a plain read of it
bash bench/ovz2img.sh
# ploopsync --compress: none, lz4, zstd (its own script)
echo
bash bench/ploopsync-compress.sh
