#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What ovz2img refuses: each dump of `mkcpt --list-xlate` (an i386 task,
# sockets, network devices, SysV IPC, a tty, a SysV shm mapping, mounts, an
# old kernel's lone vDSO, a deleted file with no contents in the dump, and
# translation-time faults: a page block of the wrong length, a process with
# no exe mapping after another was written) fails naming what it met, and
# OUTDIR does not appear, nor a temporary directory beside it. With --force
# the container-level ones are left out, listed in the report and in --json;
# the others still fail. Every malformed dump of `mkcpt --list` fails the
# same clean way.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
conv_tmpdir

# nothing_left NAME OUT: no OUTDIR, no temporary directory
nothing_left() {
	test ! -e "$2"
	ok $? "$1: no OUTDIR"
	is "$(ls -a "$tmp" | grep -c ovz2img)" 0 "$1: no temporary directory left"
}

while IFS=$'\t' read -r name force_ok words; do
	$mk "$name" "$tmp/$name.cpt"
	$ovz --info "$tmp/$name.cpt" >/dev/null 2>&1
	is $? 0 "$name: the reader takes the dump"
	$ovz "$tmp/$name.cpt" "$tmp/out-$name" >/dev/null 2>"$tmp/err"
	is $? 1 "$name: refused"
	grep -qF -- "$words" "$tmp/err"
	ok $? "$name: says '$words' ($(head -n1 "$tmp/err"))"
	nothing_left "$name" "$tmp/out-$name"
	out=$($ovz --force "$tmp/$name.cpt" "$tmp/force-$name" 2>"$tmp/err")
	rc=$?
	if [ "$force_ok" = 1 ]; then
		is $rc 0 "$name --force: translated"
		echo "$out" | grep "^skipped: " | grep -qF -- "$words"
		ok $? "$name --force: the report lists what was left out"
		grep -qF "Skipping" "$tmp/err"
		ok $? "$name --force: a warning says so"
		test -s "$tmp/force-$name/inventory.img"
		ok $? "$name --force: a complete set"
		$ovz --force --json "$tmp/$name.cpt" "$tmp/json-$name" 2>/dev/null >"$tmp/json"
		python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not any(sys.argv[2] in s for s in j["skipped"]))' \
			"$tmp/json" "$words"
		ok $? "$name --force --json: listed in skipped"
	else
		is $rc 1 "$name --force: still refused"
		nothing_left "$name --force" "$tmp/force-$name"
	fi
done < <($mk --list-xlate)

$mk tty "$tmp/tty.cpt"
$ovz --force "$tmp/tty.cpt" "$tmp/tty-img" >/dev/null 2>&1
rm "$tmp/tty-img"/{ipcns-msg,ifaddr,route,route6}-1.img "$tmp/tty-img"/tmpfs-dev-*	# image show cannot (xlate.t)
vzcr/vzcr image show --json "$tmp/tty-img" >"$tmp/tty.json"
python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
fd = [i for i in j["images"] if i["file"] == "fdinfo-1.img"][0]["entries"]
sys.exit(sorted(e["fd"] for e in fd) != [0, 3, 4, 7, 9, 10, 12, 13, 14, 15, 16, 17])' "$tmp/tty.json"
ok $? "tty --force: the tty's fd 5 is left out, the others stay"

mkdir "$tmp/bad" && $mk --all "$tmp/bad"
while IFS=$'\t' read -r name words; do
	[ -n "$words" ] || continue
	timeout 10 $ovz --force "$tmp/bad/$name.cpt" "$tmp/out-$name" >/dev/null 2>"$tmp/err"
	is $? 1 "malformed $name: refused"
	nothing_left "malformed $name" "$tmp/out-$name"
done < <($mk --list)
done_testing
