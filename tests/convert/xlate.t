#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ovz2img DUMPFILE OUTDIR on mkcpt's synthetic dumps: every record kind the
# translation handles, for each kernel generation (2.6.32, 2.6.18, and one
# whose records grew past what ovz2img knows), checked value by value in
# the images (xlate-check.py); the report and --json; OUTDIR rules.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
conv_tmpdir
command -v python3 >/dev/null || skip_all "python3 missing: the images are read through JSON"

for gen in rhel6 rhel5 rhel6-grown; do
	$mk "$gen" "$tmp/$gen.cpt"
	out=$($ovz "$tmp/$gen.cpt" "$tmp/$gen" 2>"$tmp/err")
	is $? 0 "$gen: ovz2img exits 0"
	is "$(cat "$tmp/err")" "" "$gen: nothing on stderr"
	is "$out" "wrote $tmp/$gen: 3 tasks, 20480 bytes of pages" "$gen: the report"
	# `vzcr image show` of a directory cannot step over the messages of
	# ipcns-msg (no payload rule for IPCNS_MSG in engine/images/desc.c) nor
	# tell raw images (tmpfs archive, `ip ... save` streams) by their magic:
	# ipc.t, mounts.t and net.t check those
	mkdir "$tmp/$gen-show" && cp "$tmp/$gen"/*.img "$tmp/$gen-show" &&
		rm "$tmp/$gen-show"/{ipcns-msg,ifaddr,route,route6}-1.img "$tmp/$gen-show"/tmpfs-dev-*
	vzcr/vzcr image show --json "$tmp/$gen-show" >"$tmp/$gen.json"
	ok $? "$gen: vzcr image show reads every image (but ipcns-msg and the raw ones)"
	python3 tests/convert/xlate-check.py "$tmp/$gen.json" "$tmp/$gen" "$gen" >"$tmp/tap"
	while read -r st rest; do
		if [ "$st" = ok ]; then ok 0 "${rest#* - }"; else ok 1 "${rest#* - }"; fi
	done < <(sed 's/^not ok/notok/' "$tmp/tap")
done

$ovz --json "$tmp/rhel6.cpt" "$tmp/j \"q\\" >"$tmp/json"
is $? 0 "--json: exit 0"
is "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["outdir"][-5:], j["tasks"], j["page_bytes"], j["skipped"])' "$tmp/json")" \
	"j \"q\\ 3 20480 []" "--json: OUTDIR (quotes escaped), tasks, page bytes, nothing skipped"

mkdir "$tmp/empty"
$ovz "$tmp/rhel6.cpt" "$tmp/empty" >/dev/null
ok $? "an empty OUTDIR is taken"
test -s "$tmp/empty/inventory.img"
ok $? "and holds the set"
$ovz "$tmp/rhel6.cpt" "$tmp/empty" >/dev/null 2>"$tmp/err"
is $? 1 "a non-empty OUTDIR is refused"
grep -q "is not empty" "$tmp/err"
ok $? "saying so"
touch "$tmp/file"
$ovz "$tmp/rhel6.cpt" "$tmp/file" >/dev/null 2>"$tmp/err"
is $? 1 "an OUTDIR that is a file is refused"
is "$(ls -a "$tmp" | grep -c ovz2img)" 0 "no temporary directory left beside OUTDIR"
done_testing
