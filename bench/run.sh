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
# BENCH_CASES (default "mem256 mem1024 tree50"), VZCR (the binary).
# MB = 10^6 bytes; MiB = 2^20 bytes.
set -u
cd "$(dirname "$0")/.." || exit 1
vzcr=${VZCR:-vzcr/vzcr}
helper=bench/bench-mem
cases=${BENCH_CASES:-mem256 mem1024 tree50}
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

now() { date +%s.%N; }
# fdiv A B: A / B with 3 decimals (0 if B is 0)
fdiv() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print 0 }'; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
mbps() { awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f", n / t / 1e6; else print 0 }'; }

# wait_for SECONDS CMD...: until CMD succeeds; 1 on timeout
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.02
	done
}

tree_pids() {
	local p=$1 c t
	echo "$p"
	for t in /proc/$p/task/*/children; do
		for c in $(cat "$t" 2>/dev/null); do
			tree_pids "$c"
		done
	done
}

all_gone() {
	local p
	for p in "$@"; do
		[ -d /proc/$p ] && return 1
	done
	return 0
}

# ready DIR PID: the workload said so; fails at once if it died
ready() {
	test -s "$1/ready" && return 0
	kill -0 "$2" 2>/dev/null || exit 1
	return 1
}

# run_case NAME CMD...: CMD gets the case directory as its first argument.
# Prints one line: name tasks bytes dump_s frozen_s restore_s verdict
run_case() {
	local name=$1 dir=$work/$1 t0 t1 t2 out root bytes tasks frozen verdict
	shift
	mkdir -p "$dir"
	setsid "$1" "$dir" "${@:2}" </dev/null >"$dir/out" 2>&1 &
	wait_for 120 ready "$dir" $! || { echo "bench: $name not ready: $(cat "$dir/out")" >&2; return 1; }
	root=$(head -n1 "$dir/ready")
	tree_pids "$root" >"$dir/pids"
	sync	# the workload's own files are not the dump's to write
	t0=$(now)
	out=$("$vzcr" checkpoint -v --pid "$root" -D "$dir/img" 2>&1) ||
		{ echo "bench: $name: checkpoint failed: $out" >&2; return 1; }
	t1=$(now)
	# 'Dumped N tasks (...): P pages written, ...; frozen X s, memory Y s'
	tasks=$(sed -n 's/.*Dumped \([0-9]*\) tasks.*/\1/p' <<<"$out")
	frozen=$(sed -n 's/.*frozen \([0-9.]*\) s.*/\1/p' <<<"$out")
	bytes=$(cat "$dir"/img/pages-*.img | wc -c)
	wait_for 60 all_gone $(cat "$dir/pids") || { echo "bench: $name: tree still there" >&2; return 1; }
	t1=$(fsub "$t1" "$t0")
	t0=$(now)
	out=$("$vzcr" restore -D "$dir/img" --pidfile "$dir/restored" 2>&1) ||
		{ echo "bench: $name: restore failed: $out" >&2; return 1; }
	t2=$(fsub "$(now)" "$t0")
	kill -USR2 "$root"
	wait_for 120 test -s "$dir/result"
	verdict=$(head -n1 "$dir/result" 2>/dev/null)
	echo "$name ${tasks:-?} $bytes $t1 ${frozen:-?} $t2 ${verdict:-none}"
	rm -rf "$dir/img"
}

# raw MIB: "memcpy_MB/s write_MB/s" for MIB MiB (at least 1)
raw() {
	local mib=$1
	[ "$mib" -ge 1 ] || mib=1
	echo "$("$helper" --memcpy "$mib") $("$helper" --write "$work/raw" "$mib")"
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
	read -r name tasks bytes tdump frozen trest verdict <<<"$line"
	read -r mcpy wr <<<"$(raw $(((bytes + (1 << 20) - 1) >> 20)))"
	dmb=$(mbps "$bytes" "$tdump")
	rmb=$(mbps "$bytes" "$trest")
	printf '%-8s %5s %9.1f %7.3f %8s %7.3f %9s %8s %9s %8s %9s %10s %10s %s\n' \
		"$name" "$tasks" "$(fdiv "$bytes" 1048576)" "$tdump" "$frozen" "$trest" \
		"$dmb" "$rmb" "$mcpy" "$wr" "$(fdiv "$dmb" "$wr")" "$(fdiv "$dmb" "$mcpy")" \
		"$(fdiv "$rmb" "$mcpy")" "$verdict"
done
echo "MiB: bytes in pages-*.img; dump s/rest s: wall time of vzcr checkpoint/restore;"
echo "frozen s: as vzcr checkpoint -v reports it; memcpy/write: MB/s of a memcpy and of a"
echo "sequential write + fsync of as many bytes to the images' filesystem, measured now."
echo "Target: dump/wr >= 0.5."
