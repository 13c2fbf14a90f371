#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A running container: create, start, status, list, exec (host name, init as
# PID 1, its own /proc, pid/net/uts/cgroup namespaces, its IP on eth0, ping
# both ways over the veth), enter, refusals while running (start twice,
# destroy), stop (veth, cgroup, state gone), restart, destroy; and a second
# $VZCR_ROOT running the same CTID beside it. Needs root. Every CT, veth and
# cgroup is removed on every exit path.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v ip >/dev/null || skip_all "no ip (iproute2)"
tmp=$(mktemp -d /tmp/vzcr-ct-life.XXXXXX)
roots="$tmp/a $tmp/b"

# cleanup: stop every CT of both roots; if that fails, kill init and remove
# its veth and cgroup by hand from the state file; then the temp dir
cleanup() {
	local r s
	for r in $roots; do
		for s in "$r"/var/run/vzcr/*.state; do
			[ -e "$s" ] || continue
			VZCR_ROOT=$r "$vzcr" -q stop -t 3 "$(basename "$s" .state)" >/dev/null 2>&1
			ct_kill_left "$s"
		done
	done
	[ -n "$taken" ] && ip link del "$taken" 2>/dev/null
	rm -rf "$tmp"
}
taken=
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p $roots
export VZCR_ROOT=$tmp/a

# inct CMD...: output of CMD run in CT 101
inct() {
	"$vzcr" exec 101 "$@" 2>&1
}
state() {
	sed -n "s/^$1=//p" "$VZCR_ROOT/var/run/vzcr/101.state"
}

# addresses from a test range, random so that a leftover does not collide
ip_ct=10.213.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
ip_host=10.213.255.$((RANDOM % 200 + 10))
bb=/bin/busybox

is "$(st $vzcr create 101 --ip $ip_ct --host-ip $ip_host --hostname web1)" 0 "create 101"
is "$(st $vzcr start 101)" 0 "start 101"
[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/err"
is "$(st $vzcr status 101)" 0 "status"
pid=$(state INIT_PID)
is "$(cat "$tmp/out")" "CT 101 running, init pid $pid" "status says running with init's pid"
st $vzcr list >/dev/null
is "$(awk '$1 == "101" { print $2, $3, $4 }' "$tmp/out")" "running $pid $ip_ct" \
	"list shows state, init pid and IP"
is "$(cat /proc/$pid/comm)" init "the host sees busybox init"

is "$(inct hostname)" web1 "exec: the CT's host name"
is "$(inct cat /proc/1/comm)" init "exec: PID 1 is init"
is "$(inct readlink /proc/self/ns/pid)" "$(readlink /proc/$pid/ns/pid)" "exec: in the CT's pid namespace"
[ "$(readlink /proc/self/ns/pid)" != "$(readlink /proc/$pid/ns/pid)" ]
ok $? "which is not the host's"
for ns in net uts ipc mnt cgroup; do
	[ "$(readlink /proc/self/ns/$ns)" != "$(readlink /proc/$pid/ns/$ns)" ] &&
		[ "$(inct readlink /proc/self/ns/$ns)" = "$(readlink /proc/$pid/ns/$ns)" ]
	ok $? "exec: in the CT's own $ns namespace"
done
n=$(inct sh -c 'ls -d /proc/[0-9]* | wc -l')
[ "$n" -ge 1 ] && [ "$n" -le 4 ]
ok $? "exec: the CT's /proc shows only its own few processes ($n)"
is "$(inct sh -c 'cat /proc/self/cgroup | grep ^0::')" "0::/" "exec: cgroup namespace rooted at the CT's cgroup"
cg=$(state CGROUP)
grep -qx "$pid" "$cg/cgroup.procs"
ok $? "init is in the CT's cgroup $cg"
is "$(inct stat -c %t,%T /dev/null)" "1,3" "exec: /dev/null is there"
inct ls /dev/ptmx /dev/pts/ptmx /dev/urandom /dev/tty /dev/shm >/dev/null
ok $? "exec: /dev has ptmx, devpts, urandom, tty, shm"
inct grep -q ' /sys sysfs ro,' /proc/mounts
ok $? "exec: /sys is read-only sysfs"
inct ip -4 -o addr show dev eth0 | grep -q "inet $ip_ct/32"
ok $? "exec: eth0 has the CT's address"
inct ip route | grep -q "^default via $ip_host"
ok $? "exec: default route via the host end"
inct ping -c 1 -W 3 $ip_host >/dev/null
ok $? "exec: ping the host end from inside"
$bb ping -c 1 -W 3 $ip_ct >/dev/null 2>&1
ok $? "ping the CT from the host"
ip -4 -o addr show dev "$(state VETH_HOST)" | grep -q "inet $ip_host/32"
ok $? "the host end has its address"
is "$(st $vzcr exec 101 sh -c 'exit 7')" 7 "exec returns the command's status"
is "$(st $vzcr exec 101 /no/such)" 127 "exec of a missing command exits 127"
out=$(echo 'echo "$(hostname) $(cat /proc/1/comm)"' | $vzcr enter 101 2>&1)
is "$out" "web1 init" "enter: a shell in the CT"

is "$(st $vzcr start 101)" 1 "start of a running CT exits 1"
errhas "CT 101 is already running" "... saying it runs"
is "$(state INIT_PID)" "$pid" "... and leaves it alone"
is "$(st $vzcr destroy 101)" 1 "destroy of a running CT exits 1"
errhas "stop it first" "... saying to stop it first"
[ -x "$VZCR_ROOT/vz/private/101/bin/busybox" ]
ok $? "... and removes nothing"

# a second host (VZCR_ROOT) with the same CTID runs beside the first
ip_b=10.213.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
[ "$ip_b" = "$ip_ct" ] && ip_b=10.213.254.254
is "$(VZCR_ROOT=$tmp/b st $vzcr create 101 --ip $ip_b --host-ip $ip_host --hostname other)" 0 \
	"second root: create 101"
is "$(VZCR_ROOT=$tmp/b st $vzcr start 101)" 0 "second root: start 101 beside the first"
is "$(VZCR_ROOT=$tmp/b $vzcr exec 101 hostname 2>&1)" other "second root: its own CT"
is "$(inct hostname)" web1 "first root: still its own"
is "$(VZCR_ROOT=$tmp/b st $vzcr stop 101)" 0 "second root: stop"
is "$(VZCR_ROOT=$tmp/b st $vzcr destroy 101)" 0 "second root: destroy"

veth=$(state VETH_HOST)
is "$(st $vzcr stop 101)" 0 "stop 101"
is "$(st $vzcr status 101)" 0 "status after stop"
is "$(cat "$tmp/out")" "CT 101 stopped" "it is stopped"
for i in $(seq 50); do [ -d /proc/$pid ] && grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null || break; sleep 0.1; done
[ ! -e /proc/$pid ] || grep -q '^State:.*Z' /proc/$pid/status
ok $? "init is gone"
ip link show "$veth" >/dev/null 2>&1
ok $((!$?)) "the host end of the veth is gone"
[ ! -d "$cg" ]
ok $? "the cgroup is gone"
[ ! -e "$VZCR_ROOT/var/run/vzcr/101.state" ]
ok $? "the runtime state is gone"
is "$(st $vzcr exec 101 true)" 1 "exec in a stopped CT exits 1"

is "$(st $vzcr restart 101)" 0 "restart a stopped CT"
is "$(inct hostname)" web1 "it runs again"
pid2=$(state INIT_PID)
is "$(st $vzcr restart -t 5 101)" 0 "restart a running CT"
[ "$(state INIT_PID)" != "$pid2" ]
ok $? "with a new init"
is "$(st $vzcr stop 101)" 0 "stop"
# the lock: two starts at once, exactly one starts the CT
$vzcr start 101 >"$tmp/s1" 2>&1 &
p1=$!
$vzcr start 101 >"$tmp/s2" 2>&1
r2=$?
wait $p1
r1=$?
is "$((r1 + r2))" 1 "two concurrent starts: one succeeds, one fails"
cat "$tmp/s1" "$tmp/s2" | grep -q "CT 101 is already running"
ok $? "... the other saying the CT already runs"
is "$(st $vzcr stop 101)" 0 "stop"

# init killed behind vzcr's back: the next command finds it gone and cleans up
is "$(st $vzcr start 101)" 0 "start again"
pid3=$(state INIT_PID)
kill -9 "$pid3"
for i in $(seq 50); do grep -q '^State:.*Z' /proc/$pid3/status 2>/dev/null || [ ! -e /proc/$pid3 ] && break; sleep 0.1; done
is "$(st $vzcr status 101)" 0 "status after init was killed"
is "$(cat "$tmp/out")" "CT 101 stopped" "it is stopped"
[ ! -e "$VZCR_ROOT/var/run/vzcr/101.state" ] && [ ! -d "$cg" ] && ! ip link show "$veth" >/dev/null 2>&1
ok $? "its state, cgroup and veth were cleaned up"

# the v1 freezer hierarchy, where the host has one beside cgroup v2
v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)freezer(,|$)/ { print $2; exit }' /proc/mounts)
if [ -n "$v1" ]; then
	is "$(VZCR_CGROUP=v1 st $vzcr start 101)" 0 "start with VZCR_CGROUP=v1"
	cg1=$(state CGROUP)
	case "$cg1" in "$v1"/*) ok 0 "its cgroup is under the v1 freezer $v1" ;; *) ok 1 "cgroup $cg1 under $v1" ;; esac
	grep -qx "$(state INIT_PID)" "$cg1/cgroup.procs"
	ok $? "init is in it"
	inct grep -qE '^[0-9]+:freezer:/$' /proc/self/cgroup
	ok $? "exec joins it (the CT sees its freezer cgroup as /)"
	is "$(st $vzcr stop 101)" 0 "stop"
	[ ! -d "$cg1" ]
	ok $? "the v1 cgroup is gone"
else
	diag "no v1 freezer hierarchy mounted: v1 not tested"
fi

# rollback: the veth's name is taken, start fails and leaves nothing behind
ip link add "$veth" type veth peer name "${veth}p" && taken=$veth
is "$(st $vzcr start 101)" 1 "start fails when its veth name is taken"
errhas "Failed to run 'ip link add $veth" "... saying which step failed"
[ ! -e "$VZCR_ROOT/var/run/vzcr/101.state" ] && [ ! -d "$cg" ]
ok $? "... and leaves no state and no cgroup"
ip link show "$veth" >/dev/null 2>&1
ok $? "... and does not delete a link that is not its own"
ip link del "$veth" && taken=
mv "$VZCR_ROOT/vz/private/101/sbin/init" "$tmp/init"
is "$(st $vzcr start 101)" 1 "start fails when the CT has no /sbin/init"
errhas "Failed to execute /sbin/init in the CT" "... saying so on stderr"
[ ! -e "$VZCR_ROOT/var/run/vzcr/101.state" ] && [ ! -d "$cg" ] && ! ip link show "$veth" >/dev/null 2>&1
ok $? "... and leaves no state, cgroup or veth"
mv "$tmp/init" "$VZCR_ROOT/vz/private/101/sbin/init"
is "$(st $vzcr destroy 101)" 0 "destroy 101"
[ ! -e "$VZCR_ROOT/vz/private/101" ] && [ ! -e "$VZCR_ROOT/etc/vzcr/conf/101.conf" ]
ok $? "its private area and config are gone"
done_testing
