#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Memory and CPU limits of a CT (PHYSPAGES, SWAPPAGES, CPUS, CPULIMIT,
# CPUUNITS), in VZCR_CGROUP=v2 and v1 mode: the cgroup knobs hold the values
# (v2 files where the v2 mount offers the controller, else the v1 files of
# the controller's own hierarchy), a memory hog over the limit is OOM-killed
# while the CT lives on, a busy loop under CPULIMIT=20 gets about 20% of a
# CPU, `vzcr set` changes them on the running CT (and the config with
# --save), bad values are refused naming the key, and stop removes every
# cgroup. Needs root. Every CT and cgroup is removed on every exit path.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
tmp=$(mktemp -d /tmp/vzcr-ct-limits.XXXXXX)
export VZCR_ROOT=$tmp/r
conf=$VZCR_ROOT/etc/vzcr/conf/801.conf
state=$VZCR_ROOT/var/run/vzcr/801.state
v2mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)

cleanup() {
	local pid cg
	if [ -e "$state" ]; then
		"$vzcr" -q stop -t 3 801 >/dev/null 2>&1
		pid=$(sed -n 's/^INIT_PID=//p' "$state" 2>/dev/null)
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && sleep 0.5
		"$vzcr" -q stop 801 >/dev/null 2>&1	# cleans the state and cgroups of a dead CT
	fi
	[ -n "${bgpid:-}" ] && kill -9 "$bgpid" 2>/dev/null
	rm -rf "$tmp"
}
bgpid=
trap cleanup EXIT
trap 'exit 1' INT TERM

inct() {
	"$vzcr" exec 801 "$@" 2>&1
}
init_pid() {
	sed -n 's/^INIT_PID=//p' "$state"
}
# v2: whether the v2 mount offers controller $1 (else it is a v1 hierarchy)
on_v2() {
	[ "$mode" = v2 ] && [ -n "$v2mnt" ] && grep -qw "$1" "$v2mnt/cgroup.controllers"
}
# knob CTRL: the directory of controller CTRL of init's cgroup, on the host
knob() {
	local ctrl=$1 pid rel mnt
	pid=$(init_pid)
	if on_v2 "$ctrl"; then
		rel=$(sed -n 's/^0:://p' /proc/$pid/cgroup)
		mnt=$v2mnt
	else
		rel=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/$pid/cgroup)
		mnt=$(awk -v c="$ctrl" '$3 == "cgroup" && $4 ~ ("(^|,)" c "(,|$)") { print $2; exit }' /proc/mounts)
	fi
	echo "$mnt$rel"
}
# cpu seconds x100 used by every process of the CT's cpu cgroup so far
ticks() {
	local sum=0 p t
	for p in $(cat "$(knob cpu)/cgroup.procs"); do
		t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/$p/stat 2>/dev/null)
		sum=$((sum + ${t:-0}))
	done
	echo $sum
}
setconf() {
	sed -i "/^$1=/d" "$conf"
	[ -n "$2" ] && echo "$1=\"$2\"" >>"$conf"
}
# the first $1 CPUs of the host's set, as the kernel prints a list
first_cpus() {
	local n=$1 list out="" c
	list=$(cat /sys/devices/system/cpu/online)
	for c in $(echo "$list" | tr ',' '\n' | awk -F- '{ e = NF > 1 ? $2 : $1; for (i = $1; i <= e; i++) print i }' | head -n "$n"); do
		out="$out $c"
	done
	echo $out | awk '{ s = $1; p = $1; r = "";
		for (i = 2; i <= NF + 1; i++) { if (i <= NF && $i == p + 1) { p = $i; continue }
			r = r (r == "" ? "" : ",") (s == p ? s : s "-" p); s = $i; p = $i }
		print r }'
}

is "$(st $vzcr create 801)" 0 "create 801"
ncpu=$(nproc --all)

# refusals: start with a bad value fails naming the key and leaves nothing
refuse() {
	local key=$1 val=$2 why=$3
	setconf "$key" "$val"
	is "$(st $vzcr start 801)" 1 "start refuses $key=\"$val\" ($why)"
	errhas "key $key" "... naming $key"
	[ ! -e "$state" ]
	ok $? "... and leaves no state"
	setconf "$key" ""
}
refuse PHYSPAGES 0:1M "under 16M"
refuse PHYSPAGES 0:64Q "bad unit"
refuse PHYSPAGES 1:2:3 "two colons"
refuse SWAPPAGES 0:64M "without PHYSPAGES"
refuse CPUS 0 "no CPU"
refuse CPULIMIT 500000 "over 409600"
refuse CPUUNITS 1 "under 8"
refuse CPUUNITS 600000 "over 500000"
refuse CPULIMIT 2x "not a number"
# only this run's cgroups (vzcr-TAG, TAG = FNV-1a of $VZCR_ROOT): other runs may be on
tag=$(python3 -c 'import sys
h = 2166136261
for b in sys.argv[1].encode(): h = ((h ^ b) * 16777619) & 0xffffffff
print("%08x" % h)' "$VZCR_ROOT")
ls -d /sys/fs/cgroup/*/vzcr-$tag/801 /sys/fs/cgroup/*/*/vzcr-$tag/801 2>/dev/null | grep -q .
ok $((!$?)) "no cgroup of CT 801 is left behind"

check_mode() {
	local pid mem cpu cs want rc t0 t1 pct busy
	printf 'PHYSPAGES="0:16384"\nSWAPPAGES="0:32M"\nCPULIMIT="20"\nCPUUNITS="500"\nCPUS="1"\n' >>"$conf"
	rc=$(VZCR_CGROUP=$mode st $vzcr start 801)
	if [ "$rc" != 0 ] && grep -q "No cgroup v2 with cgroup.freeze and no v1 freezer" "$tmp/err"; then
		diag "$mode: this host has no such cgroup hierarchy, not tested"
		return
	fi
	is "$rc" 0 "$mode: start with PHYSPAGES, SWAPPAGES, CPULIMIT, CPUUNITS, CPUS"
	[ "$rc" = 0 ] || { sed 's/^/#   /' "$tmp/err"; return; }
	mem=$(knob memory) cpu=$(knob cpu) cs=$(knob cpuset)
	on_v2 memory && f=v2 || f=v1
	diag "$mode: memory controller on $f: $mem"
	if on_v2 memory; then
		is "$(cat $mem/memory.max)" 67108864 "$mode: memory.max is 16384 pages (64 MiB)"
		is "$(cat $mem/memory.swap.max 2>/dev/null || echo 33554432)" 33554432 "$mode: memory.swap.max is 32 MiB"
	else
		is "$(cat $mem/memory.limit_in_bytes)" 67108864 "$mode: memory.limit_in_bytes is 16384 pages (64 MiB)"
		is "$(cat $mem/memory.memsw.limit_in_bytes)" 100663296 "$mode: memory.memsw.limit_in_bytes is RAM + 32M swap"
	fi
	if on_v2 cpu; then
		is "$(cat $cpu/cpu.max)" "20000 100000" "$mode: cpu.max is 20% of a CPU"
		is "$(cat $cpu/cpu.weight)" 50 "$mode: cpu.weight is CPUUNITS/10"
	else
		is "$(cat $cpu/cpu.cfs_quota_us)/$(cat $cpu/cpu.cfs_period_us)" 20000/100000 "$mode: cfs quota/period is 20% of a CPU"
		is "$(cat $cpu/cpu.shares)" 512 "$mode: cpu.shares is CPUUNITS*1024/1000"
	fi
	is "$(cat $cs/cpuset.cpus)" "$(first_cpus 1)" "$mode: cpuset.cpus is the first CPU"
	is "$(inct nproc)" 1 "$mode: nproc in the CT says 1"
	for d in "$mem" "$cpu" "$cs"; do
		grep -qx "$(init_pid)" "$d/cgroup.procs" || echo "init not in $d"
	done >"$tmp/in"
	is "$(cat "$tmp/in")" "" "$mode: init is in each of these cgroups"

	# a hog over the limit is OOM-killed; the CT lives on
	is "$(st $vzcr exec 801 dd if=/dev/zero of=/dev/null bs=100M count=1)" 137 \
		"$mode: dd with a 100 MiB buffer under a 64 MiB limit is killed (SIGKILL)"
	if on_v2 memory; then
		n=$(awk '$1 == "oom_kill" { print $2 }' $mem/memory.events)
	else
		n=$(awk '$1 == "oom_kill" { print $2 }' $mem/memory.oom_control)
	fi
	[ "${n:-0}" -ge 1 ]
	ok $? "$mode: by the CT's OOM killer (oom_kill $n)"
	is "$(inct cat /proc/1/comm)" init "$mode: the CT's init lives on"
	is "$(st $vzcr exec 801 dd if=/dev/zero of=/dev/null bs=8M count=4)" 0 "$mode: a small dd still runs"

	# a busy loop under CPULIMIT=20
	"$vzcr" exec 801 sh -c 'while :; do :; done' &
	bgpid=$!
	for i in $(seq 50); do [ "$(wc -l <"$cpu/cgroup.procs")" -ge 3 ] && break; sleep 0.1; done
	sleep 0.5
	t0=$(ticks)
	sleep 3
	t1=$(ticks)
	pct=$(( (t1 - t0) * 100 / (3 * $(getconf CLK_TCK)) ))
	[ "$pct" -ge 5 ] && [ "$pct" -le 35 ]
	ok $? "$mode: a busy loop gets about 20% of a CPU ($pct% over 3 s)"
	n=$(awk '$1 == "nr_throttled" { print $2 }' $cpu/cpu.stat)
	[ "${n:-0}" -gt 0 ]
	ok $? "$mode: and is throttled (nr_throttled $n)"
	for p in $(cat "$cpu/cgroup.procs"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = sh ] && kill -9 "$p"
	done
	wait "$bgpid" 2>/dev/null
	bgpid=

	# vzcr set on the running CT
	want=$(first_cpus 2)
	is "$(st $vzcr set 801 --ram 128M --swap 0 --cpulimit 50 --cpuunits 2000 --cpus 2)" 0 \
		"$mode: set --ram 128M --swap 0 --cpulimit 50 --cpuunits 2000 --cpus 2"
	[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/err"
	if on_v2 memory; then
		is "$(cat $mem/memory.max)" 134217728 "$mode: memory.max follows"
	else
		is "$(cat $mem/memory.limit_in_bytes)/$(cat $mem/memory.memsw.limit_in_bytes)" \
			134217728/134217728 "$mode: memory and memsw limits follow"
	fi
	if on_v2 cpu; then
		is "$(cat $cpu/cpu.max) $(cat $cpu/cpu.weight)" "50000 100000 200" "$mode: cpu.max and cpu.weight follow"
	else
		is "$(cat $cpu/cpu.cfs_quota_us) $(cat $cpu/cpu.shares)" "50000 2048" "$mode: cfs quota and shares follow"
	fi
	[ "$ncpu" -ge 2 ] && is "$(cat $cs/cpuset.cpus)" "$want" "$mode: cpuset.cpus follows ($want)"
	grep -q '^PHYSPAGES="0:16384"$' "$conf"
	ok $? "$mode: without --save the config is unchanged"
	is "$(st $vzcr set 801 --ram 32M --save)" 0 "$mode: set --ram 32M --save (below the old memsw)"
	if on_v2 memory; then
		is "$(cat $mem/memory.max)" 33554432 "$mode: memory.max follows"
	else
		# the swap of the config (32M) again: the --swap 0 above was not saved
		is "$(cat $mem/memory.limit_in_bytes)/$(cat $mem/memory.memsw.limit_in_bytes)" \
			33554432/67108864 "$mode: memory and memsw limits follow, in the order the kernel allows"
	fi
	grep -q '^PHYSPAGES="0:8192"$' "$conf" && grep -q '^SWAPPAGES="0:32M"$' "$conf"
	ok $? "$mode: --save wrote PHYSPAGES=\"0:8192\" and kept SWAPPAGES"
	is "$(st $vzcr set 801 --cpus x)" 1 "$mode: set --cpus x is refused"
	errhas "--cpus: key CPUS" "... naming the option and the key"
	is "$(st $vzcr set 801 --ram 1M)" 1 "$mode: set --ram 1M is refused"
	errhas "key PHYSPAGES" "... naming the key"
	is "$(st $vzcr set 801 --ram 9Q)" 1 "$mode: set --ram 9Q is refused"
	errhas "--ram: '9Q'" "... naming the option"

	is "$(st $vzcr stop 801)" 0 "$mode: stop"
	[ ! -d "$mem" ] && [ ! -d "$cpu" ] && [ ! -d "$cs" ]
	ok $? "$mode: every cgroup of the CT is gone"
	for k in PHYSPAGES SWAPPAGES CPULIMIT CPUUNITS CPUS; do setconf $k ""; done
}

mode=v2 check_mode
mode=v1 check_mode

is "$(st $vzcr set 801 --cpulimit 30)" 1 "set on a stopped CT without --save is refused"
errhas "CT 801 is not running" "... saying it does not run"
is "$(st $vzcr set 801 --cpulimit 30 --save)" 0 "set --save on a stopped CT"
grep -q '^CPULIMIT="30"$' "$conf"
ok $? "... changes its config"
is "$(st $vzcr set 801)" 2 "set with nothing to set is a usage error"
is "$(st $vzcr destroy 801)" 0 "destroy 801"
done_testing
