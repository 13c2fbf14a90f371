#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The vzcr command line: help, usage errors (exit 2), `image show` on a
# sample image set in text and JSON, refusals of bad images (exit 1 with the
# file and offset named), and `make install` into a DESTDIR.
set -u
. tests/lib/tap.sh

vzcr=vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
tmp=$(mktemp -d /tmp/vzcr-cli-t.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# status CMD...: print the exit status of CMD, output to $tmp/out, $tmp/err
status() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	echo $?
}

is "$(status $vzcr --help)" 0 "vzcr --help exits 0"
grep -q '^  check ' "$tmp/out" && grep -q '^  image ' "$tmp/out"
ok $? "--help lists the commands"
is "$(status $vzcr --version)" 0 "vzcr --version exits 0"
is "$(status $vzcr)" 2 "no command: exit 2"
is "$(status $vzcr frobnicate)" 2 "unknown command: exit 2"
grep -q "unknown command 'frobnicate'" "$tmp/err"
ok $? "unknown command is named"
is "$(status $vzcr --bogus check)" 2 "unknown global option: exit 2"
is "$(status $vzcr image --help)" 0 "image --help exits 0"
grep -q 'Usage: vzcr image show' "$tmp/out"
ok $? "image --help prints the usage"
is "$(status $vzcr image)" 2 "image without subcommand: exit 2"
is "$(status $vzcr image list)" 2 "image with unknown subcommand: exit 2"
is "$(status $vzcr image show)" 2 "image show without PATH: exit 2"
is "$(status $vzcr image show --frob x)" 2 "image show with unknown option: exit 2"
is "$(status $vzcr image show "$tmp/none")" 1 "image show of a missing path: exit 1"
grep -q "$tmp/none" "$tmp/err"
ok $? "the missing path is named"

# a sample set written by the image library itself
imgs=$tmp/imgs
mkdir "$imgs"
run_ok "mkimages writes a sample set" tests/images/mkimages "$imgs"
is "$(status $vzcr image show "$imgs")" 0 "image show DIR exits 0"
grep -q '^pstree.img: PSTREE' "$tmp/out"
ok $? "text output names each image and its kind"
grep -q 'pages-.*img: PAGES, [0-9]* bytes' "$tmp/out"
ok $? "raw pages are shown by size"
is "$(status $vzcr image show --json "$imgs")" 0 "image show --json DIR exits 0"
/usr/bin/python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = [i["file"] for i in d["images"]]
assert names == sorted(names), names
ps = [i for i in d["images"] if i["magic"] == "PSTREE"][0]
assert len(ps["entries"]) >= 2 and all("pid" in e for e in ps["entries"]), ps
PY
ok $? "JSON parses, images in name order, pstree entries carry pids"
is "$(status $vzcr image show --json "$imgs/pstree.img")" 0 "image show --json FILE exits 0"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["magic"]=="PSTREE"' "$tmp/out"
ok $? "a single file is one JSON object"

# refusals: wrong magic, truncated entry
printf '\x19\x43\x56\x54\x01\x02\x03\x04' >"$tmp/bad.img"
is "$(status $vzcr image show "$tmp/bad.img")" 1 "unknown magic: exit 1"
grep -q "bad.img" "$tmp/err"
ok $? "the bad file is named"
head -c 30 "$imgs/pstree.img" >"$tmp/pstree.img"
is "$(status $vzcr image show "$tmp/pstree.img")" 1 "truncated image: exit 1"
grep -q "offset" "$tmp/err"
ok $? "the offset of the damage is named"

# make install into a staging directory
dest=$tmp/dest
make --no-print-directory -s install DESTDIR="$dest" PREFIX=/usr >"$tmp/inst.log" 2>&1
ok $? "make install DESTDIR=... succeeds"
[ -x "$dest/usr/sbin/vzcr" ] && [ -f "$dest/usr/share/man/man8/vzcr.8" ] &&
	[ -f "$dest/etc/vzcr/vzcr.conf" ]
ok $? "program, man page and config are installed"
"$dest/usr/sbin/vzcr" --version >/dev/null
ok $? "the installed program runs"

# raw images have no magic: they are told by name and only sized
mkdir "$tmp/raw"
head -c 100 /dev/urandom >"$tmp/raw/route-5.img"
head -c 50 /dev/urandom >"$tmp/raw/tmpfs-dev-33.tar.gz.img"
is "$(status $vzcr image show "$tmp/raw")" 0 "image show of raw namespace images: exit 0"
grep -q '^route-5.img: ROUTE, 100 bytes$' "$tmp/out" && grep -q '^tmpfs-dev-33.tar.gz.img: TMPFS_DEV, 50 bytes$' "$tmp/out"
ok $? "... each named by its kind with its size"
done_testing
