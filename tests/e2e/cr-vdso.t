#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The vDSO proxy: a checkpoint whose vDSO is not this kernel's ("another
# kernel", simulated by tests/e2e/vdso-img rewriting vzcr-vdso-PID.img) is
# restored with the old vDSO patched into jumps to this kernel's, and the
# workload's time calls (glibc's cached pointers, and addresses looked up in
# the old vDSO's ELF) agree with the syscalls; this kernel's own vDSO keeps
# the fast path; a function this kernel's vDSO lacks, or an entry too short
# for a jump, is refused by name.
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

[ -n "$(grep -s '\[vdso\]' /proc/self/maps)" ] || skip_all "this kernel maps no vDSO (vdso=0)"

# vdso_run NAME WLMODE EXPECT EDIT...: dump (tree killed), edit the vDSO
# image (EDIT "none": as dumped), restore with -v; the log is NAME/log.
# $wl runs the workload, $pre prefixes the restore.
wl=tests/e2e/wl-vdso-proxy
pre=
vdso_run() {
	local name=$1 wlmode=$2 expect=$3 dir=$e2e_tmp/$1
	shift 3
	if ! wl_start "$dir" $wl "$wlmode" "$expect"; then
		ok 1 "$name: workload starts"
		return 1
	fi
	local root
	root=$(cat "$dir/root")
	tree_pids "$root" >"$dir/pids"
	run_ok "$name: checkpoint" $tvzcr checkpoint --pid "$root" -D "$dir/img" || return 1
	[ -s "$dir/img/vzcr-vdso-$root.img" ]
	ok $? "$name: vzcr-vdso-$root.img holds the task's vDSO"
	wait_for 30 all_gone $(cat "$dir/pids") || kill -9 $(cat "$dir/pids") 2>/dev/null
	wait_for 30 all_gone $(cat "$dir/pids")
	if [ "$1" != none ]; then
		run_ok "$name: vDSO image rewritten ($*)" tests/e2e/vdso-img "$dir/img" "$root" "$@" ||
			return 1
	fi
	$pre $tvzcr -v restore -D "$dir/img" --pidfile "$dir/restored" >"$dir/log" 2>&1
}

for how in poison shift; do
	wlmode=libc
	# shifted entry points leave glibc's cached ones on int3: the lookup only
	[ $how = shift ] && wlmode=direct
	if vdso_run "$how" $wlmode proxy $how; then
		ok 0 "$how: restore"
		grep -q "vDSO proxy: [0-9]* entry points" "$e2e_tmp/$how/log"
		ok $? "$how: the restore says it took the proxy path"
		is "$(wl_verdict "$e2e_tmp/$how")" PASS "$how: time calls through the old vDSO work"
	else
		ok 1 "$how: restore"
		sed 's/^/#   /' "$e2e_tmp/$how/log" | tail -n 20
	fi
done

# without ASLR the skeleton's vDSO lands where the old one was: it must move
printf '#!/bin/sh\nexec setarch -R %s "$@"\n' "$PWD/$wl" >"$e2e_tmp/wl-norand"
chmod +x "$e2e_tmp/wl-norand"
wl=$e2e_tmp/wl-norand pre="setarch -R"
if vdso_run norand libc proxy poison; then
	ok 0 "norand: restore"
	grep -q "vDSO proxy: [0-9]* entry points .* at \(0x[0-9a-f]*\) jump to this kernel's vDSO at" \
		"$e2e_tmp/norand/log" &&
		! grep -q "at \(0x[0-9a-f]*\) jump to this kernel's vDSO at \1$" "$e2e_tmp/norand/log"
	ok $? "norand: this kernel's vDSO moved away from the old one's place"
	is "$(wl_verdict "$e2e_tmp/norand")" PASS "norand: time calls through the old vDSO work"
else
	ok 1 "norand: restore"
	sed 's/^/#   /' "$e2e_tmp/norand/log" | tail -n 20
fi
wl=tests/e2e/wl-vdso-proxy pre=

if vdso_run same libc same none; then
	ok 0 "same: restore"
	! grep -q "proxy" "$e2e_tmp/same/log"
	ok $? "same: this kernel's own vDSO takes the fast path"
	is "$(wl_verdict "$e2e_tmp/same")" PASS "same: time calls work, [vdso] at its dumped address"
else
	ok 1 "same: restore"
	sed 's/^/#   /' "$e2e_tmp/same/log" | tail -n 20
fi

# the fast path keeps the maps as they were, also for a tree that runs on
cr_run same leave tests/e2e/wl-vdso-proxy libc same

# refused by name, and nothing of the tree is left running
refuse() {
	local name=$1 msg=$2
	shift 2
	vdso_run "$name" libc proxy "$@"
	is $? 1 "$name: restore refused"
	grep -q -- "$msg" "$e2e_tmp/$name/log"
	ok $? "$name: the error says: $msg"
	all_gone $(cat "$e2e_tmp/$name/pids")
	ok $? "$name: no task of the tree is left"
}
refuse missing "vDSO has the function '__vzcr_getcpu', this kernel's vDSO does not" \
	rename __vdso_getcpu __vzcr_getcpu
refuse short "vDSO function '__vdso_time' is 4 bytes, too short for a jump" \
	size __vdso_time 4
done_testing
