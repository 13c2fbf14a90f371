#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Every malformed dump mkcpt writes (the note's checklist): ovz2img --info
# exits 1 (no crash, no hang), and its error names the offset, the record and
# what is wrong. Under valgrind too when it is installed.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
conv_tmpdir

$mk --all "$tmp"
ok $? "mkcpt writes every case"
vg=
if command -v valgrind >/dev/null; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
fi

while IFS=$'\t' read -r name words; do
	[ -n "$words" ] || continue
	timeout 10 $ovz --info "$tmp/$name.cpt" >/dev/null 2>"$tmp/err"
	is $? 1 "$name: exit 1"
	grep -qF -- "$words" "$tmp/err"
	ok $? "$name: error says '$words' ($(head -n1 "$tmp/err"))"
	grep -qE "offset (0x[0-9a-f]+|[0-9]+)" "$tmp/err"
	ok $? "$name: error names the offset"
done < <($mk --list)

if [ -n "$vg" ]; then
	for f in "$tmp"/*.cpt; do
		timeout 60 $vg $ovz --info "$f" >/dev/null 2>"$tmp/vg"
		rc=$?
		[ $rc -eq 0 ] || [ $rc -eq 1 ] || { ok 1 "valgrind: $(basename "$f") (rc $rc)"; sed 's/^/#   /' "$tmp/vg" | head -20; continue; }
		ok 0 "valgrind: $(basename "$f") clean"
	done
else
	ok 0 "# SKIP valgrind not installed"
fi
done_testing
