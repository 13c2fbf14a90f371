#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The receiver's failures through the CLI: an interrupted stream, a corrupted
# block, a wrong version, a disk that fills up; each names what was wrong,
# exits 1, leaves the previous IMAGE untouched and no temporary file.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
ps_need_root

ps_mkfs tmpfs 4 "$tmp/small" || bail_out "cannot mount a small tmpfs"
mkdir -p "$tmp/dst"
head -c 6000000 /dev/urandom >"$tmp/src"
"$ps" -q send "$tmp/src" --to-file "$tmp/good.s"
ok $? "a stream of 6 MB random data (more than the 4 MiB tmpfs holds)"

# recv_bad WHAT STREAM WORDS DIR: the receive fails naming WORDS, IMAGE untouched
recv_bad() {
	local what=$1 stream=$2 words=$3 dir=${4:-$tmp/dst}
	echo "OLD IMAGE" >"$dir/image"
	"$ps" recv "$dir/image" --from-file "$stream" 2>"$tmp/err"
	is $? 1 "$what: exit 1"
	grep -q "$words" "$tmp/err"
	ok $? "$what: the error names it ($(head -n1 "$tmp/err"))"
	is "$(cat "$dir/image")" "OLD IMAGE" "$what: the previous IMAGE is untouched"
	is "$(ls -A "$dir" | tr '\n' ' ')" "image " "$what: no temporary file left"
}

head -c 1000000 "$tmp/good.s" >"$tmp/cut.s"
recv_bad "interrupted stream" "$tmp/cut.s" "interrupted"

# hello 48 + PASS 32 + DATA header 32: the first payload byte is at 112
cp "$tmp/good.s" "$tmp/corrupt.s"
printf '\xff' | dd of="$tmp/corrupt.s" bs=1 seek=200 conv=notrunc status=none
recv_bad "corrupted block" "$tmp/corrupt.s" "checksum mismatch at offset 0"

cp "$tmp/good.s" "$tmp/version.s"
printf '\x02' | dd of="$tmp/version.s" bs=1 seek=8 conv=notrunc status=none
recv_bad "wrong version" "$tmp/version.s" "hello version 2"

recv_bad "disk full" "$tmp/good.s" "No space left on device" "$tmp/small"

: >"$tmp/empty.s"
recv_bad "empty stream" "$tmp/empty.s" "empty"

"$ps" recv "$tmp/dst/image" --from-file "$tmp/good.s" 2>/dev/null && cmp -s "$tmp/src" "$tmp/dst/image"
ok $? "the good stream then replaces IMAGE"

# a receiver that dies makes the sender fail
"$ps" send "$tmp/src" --to-cmd "head -c 100 >/dev/null" 2>"$tmp/err"
is $? 1 "a receiver that goes away fails the send"
done_testing
