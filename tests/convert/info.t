#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ovz2img --info on the valid synthetic dumps of each kernel generation that
# mkcpt writes: version, kernel, arch, sections and tasks as written; JSON
# the same; `ovz2img DUMPFILE OUTDIR` refuses and writes nothing.
set -u
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ovz=convert/ovz2img
mk=tests/convert/mkcpt

# info_ok GEN VERSION KERNEL: the text output of one generation
info_ok() {
	local gen=$1 ver=$2 kernel=$3 out
	$mk "$gen" "$tmp/$gen.cpt"
	out=$($ovz --info "$tmp/$gen.cpt" 2>"$tmp/err")
	is $? 0 "$gen: --info exits 0"
	is "$(cat "$tmp/err")" "" "$gen: nothing on stderr"
	is "$(echo "$out" | awk '/^version:/ {print $2, $3}')" "$ver" "$gen: version"
	is "$(echo "$out" | sed -n 's/^kernel: *//p')" "$kernel" "$gen: kernel generation"
	is "$(echo "$out" | awk '/^arch:/ {print $2}')" "x86_64" "$gen: arch"
	is "$(echo "$out" | awk '/^hostname:/ {print $2}')" "ct101.example.org" "$gen: hostname"
	is "$(echo "$out" | awk '$3 == "TASKS" {print $5}')" "3" "$gen: TASKS section holds 3 objects"
	is "$(echo "$out" | awk '$3 == "MM" {print $5}')" "2" "$gen: MM section holds 2 objects"
	is "$(echo "$out" | awk '/^sections:/ {print $2}')" "9" "$gen: 9 sections walked"
	is "$(echo "$out" | sed -n '/^tasks:/,$p' | awk 'NR > 2 {print $1 "/" $2 "/" $3 "/" $7 "/" $8}' | tr '\n' ' ')" \
		"1/1/0/64/init 42/42/1/64/sshd 43/42/1/64/sshd " "$gen: tasks pid/tgid/ppid/bits/comm"
}

info_ok rhel6 "0x803 VERSION_32_3" "2.6.32 (RHEL6)"
info_ok rhel5 "0x304 VERSION_18_4" "2.6.18 (RHEL5)"
info_ok rhel6-grown "0x803 VERSION_32_3" "2.6.32 (RHEL6)"

if command -v python3 >/dev/null; then
	$ovz --info --json "$tmp/rhel5.cpt" >"$tmp/j"
	is $? 0 "--json exits 0"
	got=$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(j["version"]["hex"], j["version"]["kernel"], j["arch"], j["utsname"]["release"],
      [s["name"] + ":" + str(s["objects"]) for s in j["sections"] if s["name"] in ("MM", "TASKS")],
      [(t["pid"], t["tgid"], t["comm"], t["record_len"]) for t in j["tasks"]])' "$tmp/j")
	is "$got" "0x304 2.6.18 (RHEL5) x86_64 2.6.18-028stab101.1 ['MM:2', 'TASKS:3'] [(1, 1, 'init', 976), (42, 42, 'sshd', 976), (43, 42, 'sshd', 976)]" \
		"--json: version, arch, release, counts and tasks with the RHEL5 record size"
else
	ok 0 "# SKIP python3 missing: JSON not parsed"
fi

mkdir "$tmp/out"
$ovz "$tmp/rhel6.cpt" "$tmp/out" 2>"$tmp/err"
is $? 1 "DUMPFILE OUTDIR: exit 1"
grep -q "translation to images is not in this version yet: see --info" "$tmp/err"
ok $? "DUMPFILE OUTDIR: says translation is not in this version"
is "$(ls -A "$tmp/out")" "" "DUMPFILE OUTDIR: nothing written"
$ovz --help | grep -q "This version reads dumps only: translation"
ok $? "--help says translation is not in this version"
$ovz --info 2>/dev/null
is $? 2 "--info without a file: usage error 2"
$ovz --info "$tmp/nonexistent" 2>"$tmp/err"
is $? 1 "--info on a missing file: exit 1"
grep -q "Failed to open" "$tmp/err"
ok $? "--info on a missing file: says so"
done_testing
