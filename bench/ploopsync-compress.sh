#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ploopsync --compress figures (make bench, or bash bench/ploopsync-compress.sh;
# never by make check): a 512 MiB ext4 image holding this host's shared
# libraries and 50 MB of random data, sent with the scan tracker to a file
# with none, lz4 and zstd. Prints wall time, user CPU, stream bytes and the
# ratio to the raw stream, and the link speed below which each codec wins.
# Environment: BENCH_DIR (default /var/tmp). MB = 10^6 bytes.
set -u
cd "$(dirname "$0")/.." || exit 1
ps=ploopsync/ploopsync
[ -x "$ps" ] || { echo "bench: build first (make all)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (mounts the test image)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/ps-bench.XXXXXX") || exit 1
trap 'umount "$work/m" 2>/dev/null; rm -rf "$work"' EXIT

truncate -s 512M "$work/img" && mkfs.ext4 -q -F "$work/img" && mkdir "$work/m" &&
	mount -o loop "$work/img" "$work/m" || exit 1
cp -a /usr/lib/x86_64-linux-gnu "$work/m/" 2>/dev/null
head -c 50000000 /dev/urandom >"$work/m/random" 2>/dev/null
umount "$work/m"

printf '%-5s %8s %8s %12s %6s\n' codec wall_s user_s stream_MB ratio
for c in none lz4 zstd; do
	/usr/bin/time -f '%e %U' -o "$work/t" "$ps" -q send "$work/img" --tracker scan \
		--compress $c --to-file "$work/s" || exit 1
	read -r wall user <"$work/t"
	bytes=$(stat -c %s "$work/s")
	[ $c = none ] && { raw=$bytes; raw_user=$user; }
	awk -v c=$c -v w="$wall" -v u="$user" -v b="$bytes" -v r="$raw" \
		'BEGIN { printf "%-5s %8s %8s %12.1f %6.3f\n", c, w, u, b / 1e6, b / r }'
	if [ $c != none ]; then
		# compression wins when the bytes it saves take longer on the link than its CPU time
		awk -v s=$((raw - bytes)) -v u="$user" -v r="$raw_user" 'BEGIN {
			if (u > r) printf "      %s wins below %.0f MB/s of link\n", "'$c'", s / (u - r) / 1e6 }'
	fi
done
