#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ovz2img --info on the valid synthetic dumps of each kernel generation that
# mkcpt writes: version, kernel, arch, sections and tasks as written; JSON
# the same; --info writes nothing.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
conv_tmpdir

# info_ok GEN VERSION KERNEL SECTIONS: the text output of one generation
info_ok() {
	local gen=$1 ver=$2 kernel=$3 nsect=$4 out
	$mk "$gen" "$tmp/$gen.cpt"
	out=$($ovz --info "$tmp/$gen.cpt" 2>"$tmp/err")
	is $? 0 "$gen: --info exits 0"
	is "$(cat "$tmp/err")" "" "$gen: nothing on stderr"
	is "$(echo "$out" | awk '/^version:/ {print $2, $3}')" "$ver" "$gen: version"
	is "$(echo "$out" | sed -n 's/^kernel: *//p')" "$kernel" "$gen: kernel generation"
	is "$(echo "$out" | awk '/^arch:/ {print $2}')" "x86_64" "$gen: arch"
	is "$(echo "$out" | awk '/^hostname:/ {print $2}')" "ct101.example.org" "$gen: hostname"
	is "$(echo "$out" | awk '$3 == "TASKS" {print $5}')" "3" "$gen: TASKS section holds 3 objects"
	is "$(echo "$out" | awk '$3 == "SOCKET" {print $5}')" "5" "$gen: SOCKET section holds 5 objects"
	is "$(echo "$out" | awk '$3 == "MM" {print $5}')" "2" "$gen: MM section holds 2 objects"
	is "$(echo "$out" | awk '/^sections:/ {print $2}')" "$nsect" "$gen: $nsect sections walked"
	is "$(echo "$out" | sed -n '/^tasks:/,$p' | awk 'NR > 2 {print $1 "/" $2 "/" $3 "/" $7 "/" $8}' | tr '\n' ' ')" \
		"1/1/0/64/init 42/42/1/64/sshd 43/42/1/64/sshd " "$gen: tasks pid/tgid/ppid/bits/comm"
}

# 2.6.18 dumps have no POSIX_TIMERS section
info_ok rhel6 "0x803 VERSION_32_3" "2.6.32 (RHEL6)" 18
info_ok rhel5 "0x304 VERSION_18_4" "2.6.18 (RHEL5)" 17
info_ok rhel6-grown "0x803 VERSION_32_3" "2.6.32 (RHEL6)" 18

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

cp "$tmp/rhel6.cpt" "$tmp/copy.cpt"
$ovz --info "$tmp/copy.cpt" >/dev/null
is "$(ls -A "$tmp" | grep -vc '\.cpt$\|^err$\|^j$')" 0 "--info writes nothing"
$ovz --help | grep -q "DUMPFILE OUTDIR"
ok $? "--help shows the translation"
$ovz --info 2>/dev/null
is $? 2 "--info without a file: usage error 2"
$ovz --info "$tmp/nonexistent" 2>"$tmp/err"
is $? 1 "--info on a missing file: exit 1"
grep -q "Failed to open" "$tmp/err"
ok $? "--info on a missing file: says so"
done_testing
