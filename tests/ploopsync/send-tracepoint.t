#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The tracepoint tracker: an ext4 image (on an ext4 host filesystem, so no
# reflink) attached to a loop device and mounted, a writer writing random
# blocks into a file inside it during the passes; the freeze command stops
# the writer and remounts the image read-only. The copy must be identical.
# Also: auto picks tracepoint and says why; a loop device with an offset;
# a tiny trace buffer under a burst of O_DIRECT writes overruns and forces
# full passes (said in the JSON), still a correct copy, while the drain
# thread keeps a 64 KiB buffer from overrunning; the tracefs instance
# is gone after each run, and one left by a killed sender is swept by the
# next run; wrong or ambiguous loop devices are refused by name.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
ps_need_root
grep -qw tracefs /proc/filesystems || skip_all "this kernel has no tracefs"
inst=/sys/kernel/tracing/instances
tp_killed=""

tp_cleanup() {
	local p
	for p in $tp_killed; do
		rmdir "$inst"/ploopsync-"$p"-* 2>/dev/null
	done
	ps_cleanup
}
trap tp_cleanup EXIT

ps_mkfs ext4 700 "$tmp/host" || bail_out "cannot make an ext4 host filesystem on a loop file"

# tp_image NAME SIZE_MB [LOSETUP_ARGS]: an ext4 image in the host fs on a loop
# device, mounted at $tmp/NAME with a 20 MiB file; sets $img, $loop, $ct
tp_image() {
	img="$tmp/host/$1.hdd"
	ct="$tmp/$1"
	truncate -s "${2}M" "$img"
	loop=$(losetup -f --show "${@:3}" "$img") || bail_out "losetup of $img failed"
	ps_loops="$loop $ps_loops"
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$loop" >/dev/null 2>&1 ||
		bail_out "mkfs.ext4 on $loop failed"
	mkdir -p "$ct"
	mount "$loop" "$ct" || bail_out "mount of $loop failed"
	ps_mounts="$ct $ps_mounts"
	head -c 20M /dev/urandom >"$ct/data"
	sync
}

# tp_send DEST FREEZE_CMD ARGS...: send $img with --sync-fs; JSON in $tmp/progress;
# with tp_delay=S the receiver starts S seconds late (holding the first pass that long)
tp_send() {
	local dst=$1 freeze=$2
	shift 2
	"$ps" -v send "$img" --sync-fs "$ct" --json --freeze-cmd "$freeze" \
		--to-cmd "${tp_delay:+sleep $tp_delay; }$ps -q recv '$dst'" "$@" >"$tmp/progress" 2>"$tmp/send.err"
}

# tp_send_wait DEST FREEZE_CMD ARGS...: tp_send while a writer ($ps_wpid)
# writes, then wait for the writer (the freeze command stopped it); tp_send's status
tp_send_wait() {
	local rc
	tp_send "$@"
	rc=$?
	wait "$ps_wpid"
	ps_wpid=""
	return $rc
}

# tp_burst: a writer ($ps_wpid) of O_DIRECT 4 KiB blocks into $ct/burst, until
# the freeze command "$(tp_burst_freeze)" stops it and remounts $ct read-only
tp_burst() {
	rm -f "$tmp/burst.stop" "$tmp/burst.done"
	( while [ ! -e "$tmp/burst.stop" ]; do
		dd if=/dev/urandom of="$ct/burst" bs=4k count=3000 oflag=direct status=none || break
	  done; touch "$tmp/burst.done" ) &
	ps_wpid=$!
}

tp_burst_freeze() {
	echo "touch '$tmp/burst.stop'; while [ ! -e '$tmp/burst.done' ]; do sleep 0.01; done; mount -o remount,ro '$ct'"
}

# tp_instance_gone: the instance named in the log no longer exists
tp_instance_gone() {
	local name
	name=$(sed -n 's/.*in tracefs instance \([^ ]*\).*/\1/p' "$tmp/send.err" | head -n1)
	[ -n "$name" ] && [ ! -e "$inst/$name" ]
}

tp_image ct 256
ps_start_writer "$ct/data"
tp_send_wait "$tmp/dst.hdd" "$(ps_freeze_cmd); mount -o remount,ro '$ct'"
rc=$?
ok $rc "auto: send of the mounted image while a writer writes inside"
[ $rc -eq 0 ] || sed 's/^/#   /' "$tmp/send.err"
grep -q "auto picked tracepoint (the image's filesystem cannot FICLONE it; a loop device holds it" "$tmp/send.err"
ok $? "auto picked tracepoint and said why"
ps_check_copy "tracepoint" "$img" "$tmp/dst.hdd"
! grep -q '"full":true' "$tmp/progress"
ok $? "no pass lost track with the default buffer"
tp_instance_gone
ok $? "the tracefs instance is removed at the end"
mount -o remount,rw "$ct"

# a burst of O_DIRECT writes into a 4 KiB per-CPU buffer, drained only at
# passes (no drain thread), during a first pass held 1 s: events are lost
tp_burst
tp_delay=1 PLOOPSYNC_TRACE_DRAIN_MS=0 tp_send_wait "$tmp/dst2.hdd" "$(tp_burst_freeze)" \
	--tracker tracepoint --trace-buffer-kb 4
rc=$?
ok $rc "overrun: send with a tiny trace buffer under a burst of writes"
[ $rc -eq 0 ] || sed 's/^/#   /' "$tmp/send.err"
grep '"frozen":false' "$tmp/progress" | grep -v '"pass":1,' | grep -q '"full":true'
ok $? "overrun: a live pass after a loss is a full pass, said in the JSON" ||
	sed 's/^/#   /' "$tmp/progress"
grep -q 'trace events lost since the last pass' "$tmp/send.err"
ok $? "overrun: the loss is logged"
cmp -s "$img" "$tmp/dst2.hdd"
ok $? "overrun: the received image is byte-identical"
tp_instance_gone
ok $? "overrun: the tracefs instance is removed at the end"
mount -o remount,rw "$ct"

# the same burst into 64 KiB buffers while the receiver starts 1 s late (the
# first pass lasts that long): the drain thread keeps up, no pass is full
tp_burst
tp_delay=1 tp_send_wait "$tmp/dst5.hdd" "$(tp_burst_freeze)" \
	--tracker tracepoint --trace-buffer-kb 64
rc=$?
[ $rc -eq 0 ] && cmp -s "$img" "$tmp/dst5.hdd"
ok $? "drain thread: the burst copies right with 64 KiB buffers"
! grep -q '"full":true' "$tmp/progress"
ok $? "drain thread: no events lost, no full pass ($(grep -c '"pass"' "$tmp/progress") passes)"
mount -o remount,rw "$ct"

# a sender killed in the middle leaves its instance; the next run sweeps it
# (its stream goes to a reader that never reads: it blocks in the first pass)
"$ps" -v send "$img" --tracker tracepoint --to-cmd "exec sleep 60" 2>"$tmp/killed.err" &
kpid=$!
tp_killed="$kpid"
for _ in $(seq 100); do
	ls -d "$inst"/ploopsync-"$kpid"-* >/dev/null 2>&1 && break
	sleep 0.05
done
ls -d "$inst"/ploopsync-"$kpid"-* >/dev/null 2>&1
ok $? "killed: the running sender has its instance ploopsync-$kpid-N"
reader=$(pgrep -P "$kpid")
kill -9 "$kpid"; wait "$kpid" 2>/dev/null
[ -n "$reader" ] && kill "$reader"
"$ps" -v send "$img" --tracker tracepoint --to-file "$tmp/s.stream" 2>"$tmp/sweep.err"
ok $? "killed: the next send works"
! ls -d "$inst"/ploopsync-"$kpid"-* >/dev/null 2>&1 && grep -q "removed the instance 'ploopsync-$kpid-" "$tmp/sweep.err"
ok $? "killed: the next send removed the instance left behind, and said so"

# refusals name the object
"$ps" send "$img" --tracker tracepoint --loop-dev "$(findmnt -n -o SOURCE "$tmp/host")" --to-file "$tmp/s.stream" 2>"$tmp/e.err"
[ $? -eq 1 ] && grep -q "is not backed by '$img'" "$tmp/e.err"
ok $? "a --loop-dev that does not hold the image is refused"
head -c 1M /dev/urandom >"$tmp/host/plain"
"$ps" send "$tmp/host/plain" --tracker tracepoint --to-file "$tmp/s.stream" 2>"$tmp/e.err"
[ $? -eq 1 ] && grep -q "is not attached to a loop device" "$tmp/e.err"
ok $? "an image without a loop device is refused for tracepoint"
"$ps" send "$tmp/host/plain" --to-file "$tmp/s.stream" 2>"$tmp/e.err"
grep -q "auto picked scan (the image's filesystem cannot FICLONE it and no loop device holds it)" "$tmp/e.err"
ok $? "auto falls back to scan without a loop device, and says why"
loop2=$(losetup -f --show -r "$img") && ps_loops="$loop2 $ps_loops"
"$ps" send "$img" --tracker tracepoint --to-file "$tmp/s.stream" 2>"$tmp/e.err"
[ $? -eq 1 ] && grep -q "name one with --loop-dev" "$tmp/e.err"
ok $? "an image on two loop devices needs --loop-dev"
"$ps" -q send "$img" --tracker tracepoint --loop-dev "$loop" --to-cmd "$ps -q recv '$tmp/dst3.hdd'" &&
	cmp -s "$img" "$tmp/dst3.hdd"
ok $? "with --loop-dev it copies"
losetup -d "$loop2"

# a loop device that starts 1 MiB into the image file: sectors map with the offset
umount "$ct"
tp_image off 130 --offset 1048576 --sizelimit $((128 << 20))
ps_start_writer "$ct/data"
tp_send_wait "$tmp/dst4.hdd" "$(ps_freeze_cmd); mount -o remount,ro '$ct'" --tracker tracepoint
rc=$?
ok $rc "offset: send of an image whose loop device starts at 1 MiB"
grep -q 'image offset 1048576' "$tmp/send.err"
ok $? "offset: the loop offset was read"
ps_check_copy "offset" "$img" "$tmp/dst4.hdd"
done_testing
