#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# An old kernel's vDSO through the live chain "live process -> cpt file ->
# ovz2img -> vzcr restore". cptlive dumps the workload wl-vdso-proxy with
# its vDSO made "another kernel's" (tests/lib/vdso-edit.c: the code
# poisoned, the __vdso_* functions at other offsets, the plain aliases on
# the entry points the process resolved before the dump) and no [vvar]
# areas, as an old kernel names the vDSO alone. The ELF is in the VSYSCALL
# section, or in a file given with --vdso (the section holds no ELF, or a
# 2.6.18 dump has none; the file unstripped, as the old host installed it).
# ovz2img writes vzcr-vdso-PID.img, vzcr restore
# takes the proxy path, and the process's time calls (glibc's cached
# pointers, addresses it looked up before the dump, and a new lookup) agree
# with the syscalls. Refused by name: no ELF and no --vdso, a --vdso file
# that is no x86_64 ELF, an old function this kernel's vDSO lacks.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
. tests/e2e/lib.sh
wl=tests/e2e/wl-vdso-proxy

[ -n "$(grep -s '\[vdso\]' /proc/self/maps)" ] || skip_all "this kernel maps no vDSO (vdso=0)"

# dump NAME EDITS [CPTLIVE-OPTIONS...]: the workload dumped with the old vDSO, killed
dump() {
	local name=$1 edits=$2 dir=$e2e_tmp/$1
	shift 2
	if ! wl_start "$dir" $wl libc proxy; then
		ok 1 "$name: workload starts"
		return 1
	fi
	tree_pids "$(cat "$dir/root")" >"$dir/pids"
	run_ok "$name: cptlive dumps it with an old kernel's vDSO ($edits)" \
		$live --kill --old-vdso "$edits" "$@" "$(cat "$dir/root")" "$dir/dump.cpt" || return 1
	wait_for 30 all_gone $(cat "$dir/pids")
}

# restored NAME: vzcr -v restore of NAME/img took the proxy path and the process passes
restored() {
	local name=$1 dir=$e2e_tmp/$1 pid
	pid=$(cat "$dir/root")
	test -s "$dir/img/vzcr-vdso-$pid.img"
	ok $? "$name: ovz2img wrote vzcr-vdso-$pid.img"
	if ! $tvzcr -v restore -D "$dir/img" --pidfile "$dir/restored" >"$dir/log" 2>&1; then
		ok 1 "$name: vzcr restore"
		tail -n 20 "$dir/log" | sed 's/^/#   /'
		return
	fi
	ok 0 "$name: vzcr restore"
	grep -q "vDSO proxy: [0-9]* entry points" "$dir/log"
	ok $? "$name: the restore took the vDSO proxy path"
	is "$(wl_verdict "$dir")" PASS "$name: time calls through glibc, early lookups and the old vDSO work"
	[ -s "$dir/out" ] && sed 's/^/#   /' "$dir/out"
}

# the ELF in the VSYSCALL section
if dump section shift-names; then
	d=$e2e_tmp/section
	run_ok "section: ovz2img translates it" $ovz "$d/dump.cpt" "$d/img"
	restored section
	# a VSYSCALL record whose end disagrees with its data: refused by offset
	sect=$($ovz --info "$d/dump.cpt" | awk '$2 == 28 { print $1 }')
	cp "$d/dump.cpt" "$d/bad.cpt"
	python3 -c 'import sys, struct
f = open(sys.argv[1], "r+b"); at = int(sys.argv[2], 16) + 16 + 24
f.seek(at); end = struct.unpack("<Q", f.read(8))[0]
f.seek(at); f.write(struct.pack("<Q", end + 4096))' "$d/bad.cpt" "$sect"
	$ovz "$d/bad.cpt" "$d/bad-img" >"$d/bad" 2>&1
	is $? 1 "section: a VSYSCALL record with a wrong end is refused"
	grep -q "VSYSCALL at offset $(printf '%#x' $((sect + 16))): 4096 bytes of data" "$d/bad"
	ok $? "section: the error names the record's offset"
fi

# the section holds no ELF: refused without --vdso, then translated with it
if dump file shift-names --vdso-out "$e2e_tmp/file/vdso.so"; then
	d=$e2e_tmp/file
	$ovz "$d/dump.cpt" "$d/img" >"$d/refused" 2>&1
	is $? 1 "file: no ELF in VSYSCALL and no --vdso: refused"
	grep -q "vDSO of process .*VSYSCALL section holds no x86_64 ELF" "$d/refused"
	ok $? "file: the error names the VSYSCALL section"
	! test -e "$d/img"
	ok $? "file: nothing written"
	echo "not an ELF" >"$d/text"
	$ovz --vdso "$d/text" "$d/dump.cpt" "$d/img" >"$d/bad1" 2>&1
	is $? 1 "file: a --vdso text file is refused"
	grep -q "vDSO file '$d/text': not a 64-bit x86_64 ELF" "$d/bad1"
	ok $? "file: the error names the file"
	cp "$d/vdso.so" "$d/arm.so"
	printf '\xb7' | dd of="$d/arm.so" bs=1 seek=18 conv=notrunc status=none	# EM_AARCH64
	$ovz --vdso "$d/arm.so" "$d/dump.cpt" "$d/img" >"$d/bad2" 2>&1
	is $? 1 "file: a --vdso ELF of another machine is refused"
	grep -q "vDSO file '$d/arm.so': not a 64-bit x86_64 ELF" "$d/bad2"
	ok $? "file: the error says why"
	run_ok "file: ovz2img --vdso translates it" $ovz --vdso "$d/vdso.so" "$d/dump.cpt" "$d/img"
	restored file
fi

# a 2.6.18 dump has no VSYSCALL section: --vdso
if dump rhel5 shift-names --rhel5 --vdso-out "$e2e_tmp/rhel5/vdso.so"; then
	d=$e2e_tmp/rhel5
	$ovz "$d/dump.cpt" "$d/img" >"$d/refused" 2>&1
	is $? 1 "rhel5: no VSYSCALL section and no --vdso: refused"
	grep -q "the dump has no VSYSCALL section and no --vdso FILE was given" "$d/refused"
	ok $? "rhel5: the error says so"
	# as /lib/modules/VER/vdso/vdso.so is installed: with sections that
	# are not loaded, larger than the mapping; ovz2img strips it
	head -c 20000 /dev/urandom >"$d/blob"
	objcopy --add-section .debug_info="$d/blob" "$d/vdso.so" "$d/vdso-dbg.so"
	[ "$(stat -c %s "$d/vdso-dbg.so")" -gt 16384 ]
	ok $? "rhel5: an unstripped vdso.so, larger than the [vdso] VMA"
	run_ok "rhel5: ovz2img --vdso translates it with the unstripped file" \
		$ovz --vdso "$d/vdso-dbg.so" "$d/dump.cpt" "$d/img"
	restored rhel5
fi

# control: without vzcr-vdso-PID.img the restore takes this kernel's vDSO
# for the old one and moves it there without its data pages: the process
# must not pass
if dump control shift-names; then
	d=$e2e_tmp/control
	$ovz "$d/dump.cpt" "$d/img" >/dev/null 2>&1 && rm "$d/img/vzcr-vdso-$(cat "$d/root").img"
	ok $? "control: translated, the vDSO image removed"
	run_ok "control: vzcr restore" $tvzcr restore -D "$d/img" --pidfile "$d/restored"
	kill -USR2 "$(cat "$d/root")"
	wait_for 30 eval "test -s '$d/result' || ! kill -0 $(cat "$d/root") 2>/dev/null"
	! grep -q PASS "$d/result" 2>/dev/null
	ok $? "control: the process fails ($(cat "$d/result" 2>/dev/null || echo died))"
fi

# an old function this kernel's vDSO lacks: translated, refused at restore by name
if dump missing shift-names,rename:__vdso_getcpu:__vzcr_getcpu; then
	d=$e2e_tmp/missing
	run_ok "missing: ovz2img translates it" $ovz "$d/dump.cpt" "$d/img"
	$tvzcr restore -D "$d/img" >"$d/log" 2>&1
	is $? 1 "missing: vzcr restore refused"
	grep -q "vDSO has the function '__vzcr_getcpu', this kernel's vDSO does not" "$d/log"
	ok $? "missing: the error names the function"
	all_gone $(cat "$d/pids")
	ok $? "missing: no task is left"
fi
done_testing
