#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ploopsync against two-pass rsync (make bench; never run by make check).
#
# The classic OpenVZ measurement: a container's disk is a raw image with an
# ext4 filesystem, loop-mounted, and a writer inside keeps writing
# (`od -x /dev/urandom`, into a file rewritten every 1 GiB so the disk never
# fills). The "freeze" stops the writer the way a cgroup freezer does
# (SIGSTOP, dirty data stays in the page cache). Figures per case, all in
# the same run, each on a fresh image:
#   ploopsync-reflink    image on XFS (reflink=1, made on a loop file)
#   ploopsync-tracepoint image on ext4 (/var/tmp)
#   ploopsync-scan       image on ext4 (/var/tmp)
#   rsync                image on ext4: rsync --inplace while the writer runs,
#                        freeze, syncfs, rsync --inplace again (delta
#                        algorithm forced, as over ssh; --ignore-times, or
#                        rsync skips the image: loop writes keep its mtime)
# freeze->done: from the moment the writer is stopped to the end of the
# copy (ploopsync: the receiver verified and renamed the image; rsync: the
# second rsync returned, no fsync); sent: bytes on the wire (ploopsync
# stream, rsync's "Total bytes sent"); total: first byte to done.
#
# Environment: BENCH_DIR (default /var/tmp), PS_BENCH_CASES (default
# "reflink tracepoint scan rsync"), PS_BENCH_SIZE (image MiB, default 2048),
# PS_BENCH_WARM (seconds the writer runs before the copy starts, default 3).
set -u
cd "$(dirname "$0")/.." || exit 1
ps=$PWD/ploopsync/ploopsync
cases=${PS_BENCH_CASES:-reflink tracepoint scan rsync}
size=${PS_BENCH_SIZE:-2048}
warm=${PS_BENCH_WARM:-3}
[ -x "$ps" ] || { echo "bench: build first (make all)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (loop devices, mounts)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/ploopsync-bench.XXXXXX") || exit 1
mounts=""
loops=""
wpg=""
trap cleanup EXIT
. tests/lib/mounts.sh
trap 'exit 1' INT TERM

# undo the mounts and loop devices of a case, newest first
unmount_all() {
	[ -n "$wpg" ] && kill -KILL -- "-$wpg" 2>/dev/null
	wpg=""
	undo_mounts "$mounts" "$loops"
	mounts=""
	loops=""
}

cleanup() {
	unmount_all
	rm -rf "$work"
}

. bench/lib.sh
# fdiv1 A B: A / B with 1 decimal ("-" if B is 0)
fdiv1() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }

# loop_mount FILE DIR: attach FILE to a loop device and mount it at DIR
loop_mount() {
	local l
	l=$(losetup -f --show "$1") || return 1
	loops="$l $loops"
	mkdir -p "$2"
	mount "$l" "$2" || return 1
	mounts="$2 $mounts"
}

# make_image DIR: a fresh $size MiB ext4 image in DIR, mounted at DIR/ct
make_image() {
	truncate -s "${size}M" "$1/root.hdd" &&
		mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$1/root.hdd" >/dev/null 2>&1 &&
		loop_mount "$1/root.hdd" "$1/ct"
}

# start_writer CT: od -x into a file that is rewritten every GiB, in its own process group
start_writer() {
	setsid bash -c 'while :; do od -x /dev/urandom | head -c 1G >"$1/file"; done' writer "$1" \
		</dev/null >/dev/null 2>&1 &
	wpg=$!
	sleep "$warm"
}

# The freeze: SIGSTOP the writer's group and wait until each task is stopped;
# prints the command, which writes the time it finished into FILE.
freeze_cmd() {
	echo "kill -STOP -$wpg || exit 1; n=0; for p in \$(pgrep -g $wpg); do" \
		"while [ -e /proc/\$p ] && ! grep -q '^State:.*T' /proc/\$p/status 2>/dev/null; do" \
		"n=\$((n + 1)); [ \$n -lt 5000 ] || exit 1; done; done;" \
		"date +%s.%N >'$1'"
}

stop_writer() {
	kill -KILL -- "-$wpg" 2>/dev/null
	{ wait "$wpg"; } 2>/dev/null
	wpg=""
}

# ploopsync_case TRACKER DIR: prints tracker freeze_to_done sent total passes frozen_pass_s frozen_bytes
ploopsync_case() {
	local tracker=$1 dir=$2 t0 t1 rc last
	start_writer "$dir/ct"
	t0=$(now)
	"$ps" send "$dir/root.hdd" --tracker "$tracker" --sync-fs "$dir/ct" --json \
		--freeze-cmd "$(freeze_cmd "$dir/frozen")" \
		--to-cmd "$ps -q recv '$work/dst-$tracker.hdd'" >"$dir/progress" 2>"$dir/send.err"
	rc=$?
	t1=$(now)
	# compare while still frozen: killing the writer makes ext4 write again (close after truncate)
	cmp -s "$dir/root.hdd" "$work/dst-$tracker.hdd" || rc=1
	stop_writer
	if [ $rc -ne 0 ]; then
		echo "bench: ploopsync $tracker failed (rc $rc or copy differs): $(tail -n3 "$dir/send.err")" >&2
		return 1
	fi
	last=$(grep '"frozen":true' "$dir/progress" | tail -n1)
	echo "$tracker $(fsub "$t1" "$(cat "$dir/frozen")")" \
		"$(sed 's/.*"total_sent":\([0-9]*\).*/\1/' <<<"$last")" "$(fsub "$t1" "$t0")" \
		"$(grep -c '"pass"' "$dir/progress")" \
		"$(sed 's/.*"seconds":\([0-9.]*\).*/\1/' <<<"$last")" \
		"$(sed 's/.*"dirty_bytes":\([0-9]*\).*/\1/' <<<"$last")"
	rm -f "$work/dst-$tracker.hdd"
}

rsync_sent() { sed -n 's/^Total bytes sent: \([0-9,]*\).*/\1/p' "$1" | tr -d ,; }

# rsync_case DIR: prints rsync freeze_to_done sent total 2 - -
rsync_case() {
	local dir=$1 dst=$work/dst-rsync.hdd t0 t1 s1 s2 rc
	local opts="--inplace --no-whole-file --ignore-times --stats"
	start_writer "$dir/ct"
	t0=$(now)
	rsync $opts "$dir/root.hdd" "$dst" >"$dir/rsync1" 2>&1
	rc=$?
	bash -c "$(freeze_cmd "$dir/frozen")"
	sync -f "$dir/ct"
	rsync $opts "$dir/root.hdd" "$dst" >"$dir/rsync2" 2>&1 || rc=$?
	t1=$(now)
	cmp -s "$dir/root.hdd" "$dst" || rc=1
	stop_writer
	if [ $rc -ne 0 ]; then
		echo "bench: rsync failed (rc $rc or copy differs)" >&2
		return 1
	fi
	s1=$(rsync_sent "$dir/rsync1")
	s2=$(rsync_sent "$dir/rsync2")
	echo "rsync $(fsub "$t1" "$(cat "$dir/frozen")") $((s1 + s2)) $(fsub "$t1" "$t0") 2 - -"
	rm -f "$dst"
}

# run_case NAME: a fresh image on the case's host filesystem, then the copy
run_case() {
	local dir=$work/$1
	mkdir -p "$dir"
	if [ "$1" = reflink ]; then
		truncate -s $((size * 3))M "$work/xfs.fs" &&
			mkfs.xfs -q -m reflink=1 "$work/xfs.fs" >/dev/null 2>&1 &&
			loop_mount "$work/xfs.fs" "$dir" ||
			{ echo "bench: cannot make an XFS filesystem with reflink" >&2; return 1; }
	fi
	make_image "$dir" || { echo "bench: cannot make the $1 image" >&2; return 1; }
	sync
	case $1 in
	rsync) rsync_case "$dir" ;;
	*) ploopsync_case "$1" "$dir" ;;
	esac
	unmount_all
	rm -rf "$dir" "$work/xfs.fs"
}

echo "ploopsync bench: $(uname -r), $(nproc) CPUs, ${size} MiB ext4 image, writer od -x /dev/urandom," \
	"${warm} s before the copy; files in $work ($(df -T "$work" | awk 'NR == 2 { print $2 }'))"
for c in $cases; do
	run_case "$c" >>"$work/results"
done
results=$(cat "$work/results" 2>/dev/null)
rs=$(awk '$1 == "rsync" { print $2 }' <<<"$results")
printf '%-11s %14s %12s %9s %7s %15s %13s %10s\n' case "freeze->done s" "sent MB" "total s" passes \
	"frozen pass s" "frozen MB" "rsync/this"
while read -r name f2d sent total passes fps fbytes; do
	[ -n "$name" ] || continue
	printf '%-11s %14s %12.1f %9s %7s %15s %13s %10s\n' "$name" "$f2d" "$(fdiv1 "$sent" 1000000)" \
		"$total" "$passes" "$fps" "$( [ "$fbytes" = - ] && echo - || fdiv1 "$fbytes" 1000000)" \
		"$( [ -n "$rs" ] && fdiv1 "$rs" "$f2d" || echo -)"
done <<<"$results"
echo "freeze->done: writer stopped (SIGSTOP) to copy complete; rsync/this: rsync's freeze->done over"
echo "this case's. Targets: reflink under 0.100 s, and rsync/this >= 20."
