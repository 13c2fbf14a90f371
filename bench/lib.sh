# SPDX-License-Identifier: GPL-2.0-only
# Shared by the benchmarks (sourced from the top of the tree): time
# arithmetic, and for the checkpoint ones (bench/run.sh, bench/ct.sh: $vzcr,
# $helper, $rounds and $work set) the timed checkpoint rounds.

now() { date +%s.%N; }
# fsub A B: A - B with 3 decimals
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# fdiv A B: A / B with 3 decimals (0 if B is 0)
fdiv() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print 0 }'; }
# mbps BYTES SECONDS: MB/s (10^6 bytes; 0 if SECONDS is 0)
mbps() { awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f", n / t / 1e6; else print 0 }'; }

# bench_ckpt DIR ARGS...: one timed `vzcr checkpoint -v ARGS -D DIR`
# Prints: seconds tasks frozen_s bytes (of its pages-*.img)
bench_ckpt() {
	local dir=$1 t0 out
	shift
	sync	# nothing else's dirty pages in the way
	t0=$(now)
	out=$("$vzcr" checkpoint -v "$@" -D "$dir" 2>&1) ||
		{ echo "bench: checkpoint failed: $out" >&2; return 1; }
	# 'Dumped N tasks (...): P pages written, ...; frozen X s, memory Y s'
	echo "$(fsub "$(now)" "$t0")" \
		"$(sed -n 's/.*Dumped \([0-9]*\) tasks.*/\1/p' <<<"$out")" \
		"$(sed -n 's/.*frozen \([0-9.]*\) s.*/\1/p' <<<"$out")" \
		"$(cat "$dir"/pages-*.img | wc -c)"
}

# bench_rounds DIR ARGS...: $rounds checkpoints (bench_ckpt) into DIR, all but
# the last with --leave-running (the last stops the tree), each followed by a
# raw write + fsync of as many bytes to $work/raw. The first touch of fresh
# memory is slow on a VM and the page cache is noisy, hence the rounds: the
# best of each kind is kept. Sets tasks, bytes, wmib (bytes rounded up, >= 1),
# best and bfrozen (the fastest checkpoint and its frozen time), bwr (the best
# write, MB/s) and each_round (" dump_s/frozen_s/write_MB/s" per round).
bench_rounds() {
	local dir=$1 r d frozen wr
	shift
	best=999999 bfrozen=? bwr=0 each_round=
	for r in $(seq "$rounds"); do
		rm -rf "$dir"
		read -r d tasks frozen bytes <<<"$(bench_ckpt "$dir" "$@" \
			$([ "$r" -lt "$rounds" ] && echo --leave-running))"
		[ -n "${d:-}" ] || return 1
		wmib=$(((bytes + (1 << 20) - 1) >> 20))
		[ "$wmib" -ge 1 ] || wmib=1
		sync
		wr=$("$helper" --write "$work/raw" "$wmib")
		each_round="$each_round $d/$frozen/$wr"
		[ "$(fdiv "$d" "$best")" \< 1 ] && best=$d bfrozen=$frozen
		[ "$wr" -gt "$bwr" ] && bwr=$wr
	done
	return 0
}
