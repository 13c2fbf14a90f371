#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ovz2img --ctid CTID: the set is a container's (vzcr-ct.img with the CTID,
# the dump's host name and venet address, read back by vzcr image show);
# `vzcr restore` of another CT refuses it naming the CTID it holds, which
# shows the engine reads the image ovz2img wrote; bad CTIDs are usage errors.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
ct=9$$
conv_tmpdir 'vzcr/vzcr destroy "$ct" >/dev/null 2>&1'
export VZCR_ROOT=$tmp/root

$mk rhel6 "$tmp/d.cpt"
run_ok "--ctid 101: translated" $ovz --ctid 101 "$tmp/d.cpt" "$tmp/img"
vzcr/vzcr image show --json "$tmp/img/vzcr-ct.img" >"$tmp/ct.json"
is "$(python3 -c 'import json, sys
e = json.load(open(sys.argv[1]))["entries"][0]
print(e["ctid"], e["hostname"], e["ip_address"])' "$tmp/ct.json")" "101 ct101.example.org 10.77.0.5" \
	"vzcr-ct.img: CTID, host name, the venet address"
$ovz "$tmp/d.cpt" "$tmp/plain" >/dev/null
test ! -e "$tmp/plain/vzcr-ct.img"
ok $? "without --ctid: no vzcr-ct.img (a process tree's set)"
for bad in "" ../x .hidden "a b" "$(printf 'x%.0s' {1..65})"; do
	$ovz --ctid "$bad" "$tmp/d.cpt" "$tmp/bad" >/dev/null 2>"$tmp/err"
	is $? 2 "--ctid '${bad:0:12}': usage error"
done
test ! -e "$tmp/bad"
ok $? "nothing written for a bad CTID"
if [ -x /bin/busybox ]; then
	vzcr/vzcr create "$ct" >/dev/null 2>&1
	ok $? "a CT $ct to restore into"
	vzcr/vzcr restore "$ct" -D "$tmp/img" >/dev/null 2>"$tmp/err"
	is $? 1 "vzcr restore $ct of the set of CT 101: refused"
	grep -q "are of CT 101" "$tmp/err"
	ok $? "saying the images are of CT 101 ($(head -n1 "$tmp/err"))"
else
	ok 0 "# SKIP no /bin/busybox for a CT (scripts/deps.sh installs busybox-static)"
fi
done_testing
