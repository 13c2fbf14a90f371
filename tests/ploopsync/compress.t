#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# --compress zstd|lz4 with a writer running: identical after the freeze and
# fewer bytes on the wire than the image holds; the hello announces the
# codec; a bad --compress is a usage error. A ploopsync built without the
# libraries (codec.c with PS_WITHOUT_ZSTD/PS_WITHOUT_LZ4) refuses to send or
# receive compressed streams naming the package, and still copies plainly.
set -u
. tests/lib/tap.sh
. tests/ploopsync/lib.sh
ps_need_root

ps_mkfs tmpfs 200 "$tmp/fs" || bail_out "cannot mount a tmpfs"
# half text (compressible), half random with holes, odd size
img="$tmp/fs/root.hdd"
ps_image "$img" $((24 * 1048576 + 333))
for i in $(seq 12); do cat ploopsync/*.c ploopsync/*.md; done | head -c 12000000 |
	dd of="$img" bs=1M seek=12 conv=notrunc status=none
size=$(stat -c %s "$img")

for codec in zstd lz4; do
	ps_live_copy scan "$img" "$tmp/$codec-dst.hdd" --compress $codec --block-size 16384
	ok $? "$codec: send --compress $codec with a writer running"
	ps_check_copy "$codec" "$img" "$tmp/$codec-dst.hdd"
	sent=$(tail -n1 "$tmp/progress" | sed 's/.*"total_sent":\([0-9]*\).*/\1/')
	[ "$sent" -lt $((size * 3 / 4)) ]
	ok $? "$codec: $sent stream bytes for a $size-byte image with 12 MB of text"

	"$ps" -q send "$img" --compress $codec --to-file "$tmp/$codec.s"
	# hello: magic[8] version[4] features[4] (bit 0 zstd, bit 1 lz4)
	want=$([ $codec = zstd ] && echo 1 || echo 2)
	is "$(od -An -tu4 -j12 -N4 "$tmp/$codec.s" | tr -d ' ')" "$want" "$codec: the hello announces feature bit $want"
done

"$ps" send "$img" --compress gzip --to-file "$tmp/x.s" 2>"$tmp/err"
is $? 2 "--compress gzip is a usage error"
grep -q "none, zstd or lz4" "$tmp/err"
ok $? "the usage error lists the codecs"

# the same CLI with codec.c built as if the libraries were missing
nocodec="$tmp/ps-nocodec"
# an ASAN=1 tree links with the sanitizers
san=$(nm ploopsync/main.o 2>/dev/null | grep -q __asan && echo "-fsanitize=address,undefined")
if cc $san -std=gnu11 -D_GNU_SOURCE -DPS_WITHOUT_ZSTD -DPS_WITHOUT_LZ4 -I. -Iengine/lib \
	-Iploopsync -Iploopsync/include -c ploopsync/codec.c -o "$tmp/codec.o" &&
	cc $san -o "$nocodec" "$tmp/codec.o" ploopsync/main.o ploopsync/cmd_send.o \
		ploopsync/libploopsync.a engine/libvzcr-engine.a; then
	ok 0 "ploopsync builds and links without libzstd and liblz4"
else
	ok 1 "ploopsync builds and links without libzstd and liblz4"
fi
! ldd "$nocodec" | grep -Eq 'libzstd|liblz4'
ok $? "that build does not link libzstd or liblz4"
"$nocodec" send "$img" --compress zstd --to-file "$tmp/n.s" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "built without libzstd (install libzstd-dev" "$tmp/err"
ok $? "without libzstd, send --compress zstd fails naming the package"
echo "OLD IMAGE" >"$tmp/old"
"$nocodec" recv "$tmp/old" --from-file "$tmp/lz4.s" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "built without liblz4" "$tmp/err" && [ "$(cat "$tmp/old")" = "OLD IMAGE" ]
ok $? "without liblz4, a compressed stream is refused, IMAGE untouched"
"$nocodec" -q send "$img" --to-cmd "$nocodec -q recv '$tmp/plain.hdd'" && cmp -s "$img" "$tmp/plain.hdd"
ok $? "without the libraries, an uncompressed copy still works"
done_testing
