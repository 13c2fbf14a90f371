#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Stopping `ploopsync send` with SIGINT or SIGTERM while it copies: it exits
# 128+signal at once (also out of a write blocked on a slow receiver), its
# tracefs instance (tracepoint) and its clones (reflink) are gone, the
# receiver sees no end marker and keeps its previous IMAGE, the source is
# untouched. Also: which filesystems each tracker syncs before a pass, and a
# check pass after the freeze that lost trace events says so.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
ps_need_root
inst=/sys/kernel/tracing/instances

# stop_send SIG IMAGE DEST WAIT_FOR GONE: start a send whose receiver starts 3 s
# late, send SIG once WAIT_FOR (a shell test) holds; sets rc, and secs: ms from
# the signal until GONE holds (the tracker's cleanup is done)
stop_send() {
	local sig=$1 img=$2 dst=$3 cond=$4 gone=$5 t0
	shift 5
	"$ps" -v send "$img" "$@" --to-cmd "sleep 3; exec $ps recv '$dst'" 2>"$tmp/send.err" &
	spid=$!
	for _ in $(seq 200); do
		eval "$cond" && break
		sleep 0.05
	done
	sleep 0.3	# well inside the first pass: its writes block on the pipe
	t0=$(date +%s%N)
	kill -"$sig" "$spid"
	for _ in $(seq 400); do
		eval "$gone" && break
		sleep 0.01
	done
	secs=$(( ($(date +%s%N) - t0) / 1000000 ))
	wait "$spid"
	rc=$?
}

# check_stopped WHAT SIG DEST: the common promises after a stopped send
check_stopped() {
	local what=$1 code=$2 dst=$3
	is "$rc" "$code" "$what: send exits $code"
	grep -q "Interrupted by SIG" "$tmp/send.err" && grep -q "no end marker" "$tmp/send.err"
	ok $? "$what: it says it was interrupted and sent no end marker"
	grep -q "interrupted" "$tmp/send.err"
	ok $? "$what: the receiver saw a cut stream ($(grep -m1 -o 'Bad stream[^(]*' "$tmp/send.err"))"
	cmp -s "$dst" "$tmp/old-dest" && [ -z "$(ls -A "$(dirname "$dst")" | grep ploopsync-)" ]
	ok $? "$what: the receiver's previous image is untouched, no temporary file left"
}

head -c 1M /dev/urandom >"$tmp/old-dest"

# tracepoint: an image on a loop device (host fs ext4: no reflink)
ps_mkfs ext4 200 "$tmp/e4" || bail_out "cannot make an ext4 filesystem on a loop file"
img="$tmp/e4/img"
ps_image "$img" $((96 * 1048576))
cp "$img" "$tmp/img.orig"
loop=$(losetup -f --show "$img") || bail_out "losetup failed"
ps_loops="$loop $ps_loops"
cp "$tmp/old-dest" "$tmp/e4/dst"
stop_send INT "$img" "$tmp/e4/dst" 'ls -d "$inst"/ploopsync-"$spid"-* >/dev/null 2>&1' \
	'! ls -d "$inst"/ploopsync-"$spid"-* >/dev/null 2>&1' --tracker tracepoint
check_stopped "tracepoint, SIGINT" 130 "$tmp/e4/dst"
[ "$secs" -lt 1500 ]
ok $? "tracepoint, SIGINT: its write blocked on the pipe returned: cleanup done $secs ms after the signal (the receiver reads after 3 s)"
! ls -d "$inst"/ploopsync-"$spid"-* >/dev/null 2>&1
ok $? "tracepoint, SIGINT: its tracefs instance is removed"
cmp -s "$img" "$tmp/img.orig"
ok $? "tracepoint, SIGINT: the source image is untouched"

# the tracepoint tracker syncs --sync-fs only, not the image's own filesystem
"$ps" -v -v send "$img" --tracker tracepoint --sync-fs "$tmp/e4" --to-file "$tmp/s" 2>"$tmp/sync.err"
grep -q "pass 1: synced $tmp/e4\$" "$tmp/sync.err" && ! grep -q "image's filesystem" "$tmp/sync.err"
ok $? "tracepoint syncs only the --sync-fs filesystem before a pass ($(grep -m1 -o 'pass 1: synced.*' "$tmp/sync.err"))"
"$ps" -v -v send "$img" --tracker scan --to-file "$tmp/s" 2>"$tmp/sync.err"
grep -q "pass 1: synced nothing" "$tmp/sync.err"
ok $? "scan without --sync-fs syncs nothing (it reads through the page cache)"

# reflink: clones are unnamed (O_TMPFILE): nothing may stay in the directory
if ps_mkfs xfs 400 "$tmp/x"; then
	cp "$tmp/img.orig" "$tmp/x/img"
	cp "$tmp/old-dest" "$tmp/x/dst"
	free0=$(df --output=used -B1 "$tmp/x" | tail -n1)
	stop_send TERM "$tmp/x/img" "$tmp/x/dst" 'grep -q "tracker: reflink" "$tmp/send.err"' \
		'grep -q "ancelled" "$tmp/send.err"' --tracker reflink
	check_stopped "reflink, SIGTERM" 143 "$tmp/x/dst"
	is "$(ls -A "$tmp/x" | sort | tr '\n' ' ')" "dst img " "reflink, SIGTERM: no clone or other file is left beside the image"
	cmp -s "$tmp/x/img" "$tmp/img.orig"
	ok $? "reflink, SIGTERM: the source image is untouched"
	"$ps" -v -v send "$tmp/x/img" --tracker reflink --to-file "$tmp/s" 2>"$tmp/sync.err"
	grep -q "pass 1: synced the image's filesystem" "$tmp/sync.err"
	ok $? "reflink syncs the image's filesystem before a pass (it reads on-disk extents)"
else
	skip 7 "cannot make an XFS filesystem with reflink on a loop file here"
fi

# a check pass that loses trace events names the loss: a freeze command that
# leaves a burst of O_DIRECT writes going into 4 KiB trace buffers
mkdir -p "$tmp/ct"
mkfs.ext4 -q -F "$loop" >/dev/null 2>&1 && mount "$loop" "$tmp/ct" || bail_out "cannot mount $loop"
ps_mounts="$tmp/ct $ps_mounts"
head -c 60M /dev/urandom >"$tmp/ct/fill" && sync -f "$tmp/ct"	# passes that take a while
rm -f "$tmp/burst.stop"
( while [ ! -e "$tmp/burst.stop" ]; do
	dd if=/dev/urandom of="$tmp/ct/burst" bs=4k count=2000 oflag=direct status=none || break
  done ) &
ps_wpid=$!
for _ in $(seq 100); do [ -s "$tmp/ct/burst" ] && break; sleep 0.02; done
# the receiver starts 1 s late: the first pass lasts that long, every buffer overruns
PLOOPSYNC_TRACE_DRAIN_MS=0 "$ps" send "$img" --tracker tracepoint --trace-buffer-kb 4 --max-passes 2 \
	--freeze-cmd true --to-cmd "sleep 1; exec $ps -q recv '$tmp/e4/dst'" --json >"$tmp/progress" 2>"$tmp/lost.err"
rc=$?
touch "$tmp/burst.stop"; wait "$ps_wpid"; ps_wpid=""
[ $rc -eq 1 ] && grep -q "tracker lost track (events lost) during the check pass after the freeze" "$tmp/lost.err"
ok $? "a check pass that lost trace events fails naming the loss ($(grep -m1 -o 'the tracepoint tracker lost[^,]*' "$tmp/lost.err"))" ||
	sed 's/^/#   /' "$tmp/lost.err" "$tmp/progress"
! grep -q "still changes after the freeze" "$tmp/lost.err"
ok $? "and not as 'still changes after the freeze'"
cmp -s "$tmp/e4/dst" "$tmp/old-dest"
ok $? "the receiver kept its image"
done_testing
