#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Whole-container checkpoint/restore benchmark (make bench; never run by
# make check): a busybox CT with 20 processes (init, bench/bench-mem holding
# 512 MiB of touched incompressible memory, 18 sleeps) is checkpointed
# (--leave-running for all rounds but the last, which stops it) and restored
# into a temporary $VZCR_ROOT; bench-mem then checks its memory. Printed:
# checkpoint and restore wall times, the time the CT was frozen (from the
# freeze of its cgroup to its thaw or kill, as checkpoint -v reports it),
# and beside them the raw copy speed of the same bytes measured in the same
# run: a memcpy and a sequential write + fsync to the images' filesystem.
#
# Environment: BENCH_DIR (default /var/tmp), BENCH_CT_MIB (default 512),
# BENCH_ROUNDS (checkpoints, the best counts; default 3), VZCR (the binary).
# MB = 10^6 bytes; MiB = 2^20 bytes.
set -u
cd "$(dirname "$0")/.." || exit 1
vzcr=$PWD/${VZCR:-vzcr/vzcr}
helper=$PWD/bench/bench-mem
mib=${BENCH_CT_MIB:-512}
rounds=${BENCH_ROUNDS:-3}
ct=801
[ -x "$vzcr" ] && [ -x "$helper" ] || { echo "bench: build first (make all bench/bench-mem)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces, ptrace)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "bench: no /bin/busybox (busybox-static)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/vzcr-bench-ct.XXXXXX") || exit 1
export VZCR_ROOT=$work/root
trap 'cleanup' EXIT

cleanup() {
	"$vzcr" -q stop -t 3 $ct >/dev/null 2>&1
	"$vzcr" -q destroy $ct >/dev/null 2>&1
	rm -rf "$work"
}

. bench/lib.sh
. tests/lib/proc.sh

# the CT: bench-mem with its libraries in the private area, started by init
setup() {
	local priv lib
	"$vzcr" -q create $ct --hostname bench >/dev/null || return 1
	priv=$VZCR_ROOT/vz/private/$ct
	mkdir -p "$priv/bench" "$priv/opt"
	cp "$helper" "$priv/opt/bench-mem" || return 1
	for lib in $(ldd "$helper" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
		mkdir -p "$priv$(dirname "$lib")" && cp -L "$lib" "$priv$lib" || return 1
	done
	cat >"$priv/bench.sh" <<EOF
/opt/bench-mem /bench $mib &
i=0; while [ \$i -lt 18 ]; do sleep 100000 & i=\$((i+1)); done
EOF
	echo "::once:/bin/sh /bench.sh" >>"$priv/etc/inittab"
	"$vzcr" -q start $ct >/dev/null || return 1
	wait_for 120 test -s "$priv/bench/ready"
}

setup || { echo "bench: the CT did not start" >&2; exit 1; }
priv=$VZCR_ROOT/vz/private/$ct
bench_rounds "$work/img" $ct || exit 1
t0=$(now)
out=$("$vzcr" restore $ct -D "$work/img" 2>&1) || { echo "bench: restore failed: $out" >&2; exit 1; }
trest=$(fsub "$(now)" "$t0")
"$vzcr" exec $ct sh -c 'kill -USR2 $(cat /bench/ready)'
wait_for 120 test -s "$priv/bench/result"
verdict=$(head -n1 "$priv/bench/result" 2>/dev/null)
mcpy=$("$helper" --memcpy "$wmib")
dmb=$(mbps "$bytes" "$best")
rmb=$(mbps "$bytes" "$trest")
echo "vzcr CT bench: $(uname -r), $(nproc) CPUs, images in $work ($(df -T "$work" | awk 'NR == 2 { print $2 }'))"
printf '%-6s %5s %7s %7s %8s %7s %9s %8s %8s %8s %8s %9s %s\n' case tasks MiB "ckpt s" \
	"frozen s" "rest s" "ckpt MB/s" "rest MB/s" memcpy write "ckpt/wr" "rest/mcpy" check
printf '%-6s %5s %7.1f %7.3f %8s %7.3f %9s %8s %8s %8s %8s %9s %s\n' "ct$mib" "$tasks" \
	"$(fdiv "$bytes" 1048576)" "$best" "$bfrozen" "$trest" "$dmb" "$rmb" "$mcpy" "$bwr" \
	"$(fdiv "$dmb" "$bwr")" "$(fdiv "$rmb" "$mcpy")" "${verdict:-none}"
echo "ckpt s: best wall time of $rounds 'vzcr checkpoint CTID' (seconds/frozen/write MB/s of each:$each_round);"
echo "frozen s: from the cgroup freeze to thaw (--leave-running) or kill, as checkpoint -v says;"
echo "rest s: wall time of 'vzcr restore CTID'; memcpy/write: MB/s of a memcpy and of a write +"
echo "fsync of as many bytes to the images' filesystem, measured in this run."
