# SPDX-License-Identifier: GPL-2.0-only
# Shared by tests/ploopsync/*.t (after tests/lib/tap.sh): filesystems on loop
# files that are always torn down, a random writer, and a live copy.
ps=ploopsync/ploopsync
writer=tests/ploopsync/ps-writer
[ -x "$ps" ] && [ -x "$writer" ] || bail_out "$ps or $writer is not built"
. tests/lib/mounts.sh
tmp=$(mktemp -d /tmp/ploopsync-t.XXXXXX)
ps_mounts=""
ps_loops=""
ps_wpid=""

ps_cleanup() {
	[ -n "$ps_wpid" ] && kill "$ps_wpid" 2>/dev/null && wait "$ps_wpid" 2>/dev/null
	undo_mounts "$ps_mounts" "$ps_loops"
	rm -rf "$tmp"
}
trap ps_cleanup EXIT
trap 'exit 1' INT TERM

# ps_need_root: skip the whole test unless we may mount
ps_need_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root to mount test filesystems"
}

# ps_mkfs TYPE SIZE_MB DIR: a TYPE filesystem on a loop file mounted at DIR
# (tmpfs: no loop device); returns 1 when the host cannot make it
ps_mkfs() {
	local type=$1 size=$2 dir=$3 file loop
	file="$tmp/$type-$RANDOM.fs"
	mkdir -p "$dir"
	if [ "$type" = tmpfs ]; then
		mount -t tmpfs -o size="${size}m" tmpfs "$dir" || return 1
		ps_mounts="$dir $ps_mounts"
		return 0
	fi
	truncate -s "${size}M" "$file" || return 1
	case $type in
	xfs) mkfs.xfs -q -m reflink=1 "$file" ;;
	btrfs) mkfs.btrfs -q -f "$file" ;;
	ext4) mkfs.ext4 -q -F "$file" ;;
	esac >/dev/null 2>&1 || return 1
	loop=$(losetup -f --show "$file") || return 1
	ps_loops="$loop $ps_loops"
	mount "$loop" "$dir" || return 1
	ps_mounts="$dir $ps_mounts"
}

# ps_image PATH SIZE_BYTES: random data with holes and zero runs, odd sizes welcome
ps_image() {
	local path=$1 size=$2 mb i
	mb=$((size / 1048576))
	truncate -s "$size" "$path"
	for i in $(seq 0 3 $((mb - 1))); do
		dd if=/dev/urandom of="$path" bs=1M count=1 seek="$i" conv=notrunc status=none
	done
	# a written run of zeros (allocated, must still arrive as zeros)
	dd if=/dev/zero of="$path" bs=1M count=1 seek=1 conv=notrunc status=none
	# the odd tail
	printf 'tail-of-an-odd-image' | dd of="$path" bs=1 seek=$((size - 20)) conv=notrunc status=none
}

# ps_start_writer IMAGE: the random writer runs until the freeze command
ps_start_writer() {
	rm -f "$tmp/stopped"
	"$writer" "$1" "$tmp/stopped" >"$tmp/writer.out" &
	ps_wpid=$!
	sleep 0.2
}

# the freeze command: stop the writer and wait until its last write is done
ps_freeze_cmd() {
	echo "kill $ps_wpid; while [ ! -e $tmp/stopped ]; do sleep 0.01; done"
}

# ps_live_copy TRACKER IMAGE DEST [ARGS]: copy while the writer writes;
# progress JSON in $tmp/progress, log in $tmp/send.err
ps_live_copy() {
	local tracker=$1 img=$2 dst=$3 rc
	shift 3
	ps_start_writer "$img"
	"$ps" send "$img" --tracker "$tracker" --json --freeze-cmd "$(ps_freeze_cmd)" \
		--to-cmd "$ps -q recv '$dst'" "$@" >"$tmp/progress" 2>"$tmp/send.err"
	rc=$?
	wait "$ps_wpid" 2>/dev/null
	ps_wpid=""
	[ $rc -eq 0 ] || sed 's/^/#   /' "$tmp/send.err"
	return $rc
}

# ps_check_copy WHAT IMAGE DEST: identical, and the later passes were partial
ps_check_copy() {
	local what=$1 img=$2 dst=$3 size passes
	cmp -s "$img" "$dst"
	ok $? "$what: the received image is byte-identical after the freeze ($(cat "$tmp/writer.out"))"
	size=$(stat -c %s "$img")
	passes=$(grep -c '"pass"' "$tmp/progress")
	[ "$passes" -ge 3 ] && grep -q '"frozen":true' "$tmp/progress"
	ok $? "$what: $passes passes reported as JSON lines, the last one frozen"
	awk -v size="$size" -F'"dirty_bytes":' 'NR > 1 { split($2, a, ","); if (a[1] >= size) bad = 1 }
		END { exit bad }' "$tmp/progress"
	ok $? "$what: passes after the first sent only changed blocks"
}
