#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Checkpoint/restore of a whole container: a busybox CT whose init runs a
# shell loop counting in its memory (and writing the count to a file), a
# sleeping tree three levels deep, and a shell holding a file open with a
# pipeline; checkpoint with --leave-running and in kill mode, restore here
# and on a second $VZCR_ROOT, each time checking from inside the CT (vzcr
# exec) the same pids with the same parents and groups, the counter going on
# from where it stopped, the open file and pipe, host name, address, ping
# both ways and a /proc/1/mountinfo without host paths; then `vzcr stop`.
# The CLI's refusals exit non-zero, say why and change nothing. With a v1
# freezer hierarchy beside cgroup v2, a round on v1 too. Needs root. Every
# CT, veth and cgroup is removed on every exit path.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v ip >/dev/null || skip_all "no ip (iproute2)"
tmp=$(mktemp -d /tmp/vzcr-ct-cr.XXXXXX)
roots="$tmp/a $tmp/b"
bb=/bin/busybox

# stop every CT of both roots; if that fails, kill init, remove veth and cgroup
cleanup() {
	local r s
	for r in $roots; do
		for s in "$r"/var/run/vzcr/*.state; do
			[ -e "$s" ] || continue
			VZCR_ROOT=$r "$vzcr" -q stop -t 3 "$(basename "$s" .state)" >/dev/null 2>&1
			ct_kill_left "$s"
		done
	done
	[ -n "${bgpid:-}" ] && kill "$bgpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p $roots
export VZCR_ROOT=$tmp/a
ct=201

# ran DESC CMD...: CMD must exit 0; its errors are shown if not
counter() {
	inct cat /tmp/counter
}
# wait until the counter has gone past $1
counter_past() {
	local i c
	for i in $(seq 100); do
		c=$(counter)
		[ -n "$c" ] && [ "$c" -gt "$1" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# wait until the counter is no longer $1 (the restored shell wrote again)
counter_moved() {
	local i c
	for i in $(seq 100); do
		c=$(counter)
		[ -n "$c" ] && [ "$c" != "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# the CT's processes as the CT sees them: pid ppid pgid sid comm, without
# the `vzcr exec` session (parent 0) and the counter's short sleeps
snapshot() {
	inct sh -c 'c=$(cat /tmp/counter.pid)
		for d in /proc/[0-9]*; do
			set -- $(cat $d/stat 2>/dev/null | sed "s/.*) //")
			[ $# -gt 4 ] || continue
			p=${d#/proc/}
			[ "$2" = 0 ] && [ "$p" != 1 ] && continue
			[ "$2" = "$c" ] || [ "$2" = $$ ] && continue
			echo "$p $2 $3 $4 $(cat $d/comm)"
		done' | sort -n
}
# the mount points init sees, one line
mounts() {
	inct cat /proc/1/mountinfo | awk '{ print $5 }' | sort | tr '\n' ' '
}

ip_ct=10.214.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
ip_host=10.214.255.$((RANDOM % 200 + 10))

is "$(st $vzcr create $ct --ip $ip_ct --host-ip $ip_host --hostname cr-web)" 0 "create $ct"
priv=$VZCR_ROOT/vz/private/$ct
# the CT's own services, started by its init (no fd of a `vzcr exec` in them)
cat >"$priv/wl.sh" <<'EOF'
cd /tmp
setsid sh -c 'echo $$ >/tmp/counter.pid; i=0; while :; do i=$((i+1)); echo $i >/tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.1; done' &
setsid sh -c 'sleep 1001 & sh -c "sleep 1002 & sh -c \"sleep 1003 & wait\" & wait" & wait' &
setsid sh -c 'exec 7</etc/passwd 8>>/tmp/held; echo $$ >/tmp/holder.pid; sleep 1004 | cat' &
EOF
# glibc workloads of the e2e tests, with their libraries: threads (tids in
# the CT's pid namespace), timers (one aimed at a thread), signals, sysv
# (SysV shm of the CT's ipc namespace, one segment removed while attached)
wls="threads timers signals sysv"
for w in $wls; do
	mkdir -p "$priv/opt" "$priv/wl-$w" && cp tests/e2e/wl-$w "$priv/opt/" || bail_out "copy wl-$w"
	echo "/opt/wl-$w /wl-$w $([ $w = threads ] && echo 2) &" >>"$priv/wl.sh"
done
for lib in $(ldd tests/e2e/wl-threads tests/e2e/wl-timers tests/e2e/wl-signals tests/e2e/wl-sysv |
	     awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | sort -u); do
	mkdir -p "$priv$(dirname "$lib")" && cp -L "$lib" "$priv$lib" || bail_out "copy $lib"
done
echo "::once:/bin/sh /wl.sh" >>"$priv/etc/inittab"
is "$(st $vzcr start $ct)" 0 "start $ct"
counter_past 3
ok $? "the counter runs"
for w in $wls; do
	for i in $(seq 100); do [ -s "$priv/wl-$w/ready" ] && break; sleep 0.1; done
	[ -s "$priv/wl-$w/ready" ]
	ok $? "wl-$w is ready in the CT"
done
mounts_start=$(mounts)
diag "mount points at start: $mounts_start"

# check_ct WHAT SNAPSHOT: the CT as it should be after a restore
check_ct() {
	local what=$1 snap=$2 h
	is "$(st $vzcr status $ct; cat "$tmp/out")" "0
CT $ct running, init pid $(state INIT_PID)" "$what: status says running with the new init"
	is "$(inct cat /proc/1/comm)" init "$what: pid 1 is init"
	is "$(snapshot)" "$snap" "$what: the same pids, parents, groups and sessions"
	h=$(inct cat /tmp/holder.pid)
	is "$(inct readlink /proc/$h/fd/7)" /etc/passwd "$what: the open file is there"
	is "$(inct readlink /proc/$h/fd/8)" /tmp/held "$what: ... and the one opened for append"
	local sl ca
	sl=$(echo "$snap" | awk -v h="$h" '$2 == h && $5 == "sleep" { print $1 }')
	ca=$(echo "$snap" | awk -v h="$h" '$2 == h && $5 == "cat" { print $1 }')
	sl=$(inct readlink /proc/$sl/fd/1)
	ca=$(inct readlink /proc/$ca/fd/0)
	case "$sl" in pipe:*) [ "$sl" = "$ca" ]; ok $? "$what: sleep | cat share their pipe ($sl)" ;;
	*) ok 1 "$what: sleep | cat share their pipe ('$sl' '$ca')" ;; esac
	is "$(inct hostname)" cr-web "$what: host name"
	inct ip -4 -o addr show dev eth0 | grep -q "inet $ip_ct/32"
	ok $? "$what: eth0 has the CT's address"
	inct ping -c 1 -W 3 $ip_host >/dev/null
	ok $? "$what: ping the host from inside"
	$bb ping -c 1 -W 3 $ip_ct >/dev/null 2>&1
	ok $? "$what: ping the CT from the host"
	inct cat /proc/1/mountinfo | awk '{ print $5 }' | grep -qF "$tmp"
	ok $((!$?)) "$what: /proc/1/mountinfo shows no host path"
	is "$(mounts)" "$mounts_start" "$what: the mount points of a started CT"
	is "$(inct sh -c 'grep ^0:: /proc/self/cgroup')" "0::/" "$what: cgroup namespace at the CT's cgroup"
}

# --- refusals: each exits 1, says why, changes nothing
is "$(st $vzcr checkpoint 999)" 1 "checkpoint of an unknown CT exits 1"
errhas "CT 999 does not exist" "... saying it does not exist"
is "$(st $vzcr restore 999)" 1 "restore of an unknown CT exits 1"
errhas "CT 999 does not exist" "... saying it does not exist"
is "$(st $vzcr create 202 --hostname other)" 0 "create a second CT, 202, not started"
is "$(st $vzcr checkpoint 202)" 1 "checkpoint of a stopped CT exits 1"
errhas "CT 202 is not running" "... saying it does not run"
[ ! -e "$VZCR_ROOT/vz/dump/202" ]
ok $? "... and makes no dump directory"
mkdir -p "$tmp/full" && echo keep >"$tmp/full/mine"
pid0=$(state INIT_PID)
is "$(st $vzcr checkpoint $ct --leave-running -D $tmp/full)" 1 \
	"checkpoint into a non-empty directory exits 1"
errhas "directory not empty" "... saying so"
is "$(cat $tmp/full/mine)" keep "... leaves what was there"
c0=$(counter)
counter_past "$c0"
ok $? "... and the CT runs on (counter past $c0)"
is "$(st $vzcr restore $ct -D $tmp/full)" 1 "restore of a running CT exits 1"
errhas "CT $ct is running" "... saying it runs"
is "$(state INIT_PID)" "$pid0" "... and leaves it alone"

# a task in the CT's cgroup but outside its init's tree: refused, CT thawed
"$vzcr" exec $ct sleep 5 </dev/null >/dev/null 2>&1 &
bgpid=$!
# vzcr forks a helper that joins the CT's cgroup and namespaces
for i in $(seq 50); do
	h=$(pgrep -P "$bgpid" | head -n 1)
	[ -n "$h" ] && grep -qx "$h" "$(state CGROUP)/cgroup.procs" && break
	sleep 0.1
done
is "$(st $vzcr checkpoint $ct --leave-running -D $tmp/refused)" 1 \
	"checkpoint with a vzcr exec session in the CT exits 1"
errhas "not in the tree of the CT's init" "... naming the task outside init's tree"
[ ! -e "$tmp/refused/inventory.img" ] && [ -z "$(ls -A "$tmp/refused" 2>/dev/null)" ]
ok $? "... leaves no image behind"
wait $bgpid		# the session ends with its command, which holds host files
bgpid=
cg=$(state CGROUP)
if [ -e "$cg/cgroup.events" ]; then
	grep -qx "frozen 0" "$cg/cgroup.events"
else
	grep -qx THAWED "$cg/freezer.state"
fi
ok $? "... and the CT's cgroup is thawed"
c0=$(counter)
counter_past "$c0"
ok $? "... and the CT runs on"

# a task of the CT holding a file of the host (vzcr exec's stdin): refused
"$vzcr" exec $ct sh -c 'sleep 301 & echo $! >/tmp/hostfile.pid' </dev/null >/dev/null 2>&1
is "$(st $vzcr checkpoint $ct --leave-running -D $tmp/refused2)" 1 \
	"checkpoint of a CT with a host file in it exits 1"
errhas "is the host's, outside the CT's root" "... saying the file is the host's"
hp=$(cat "$priv/tmp/hostfile.pid")
inct kill "$hp"
for i in $(seq 50); do inct test -e /proc/$hp || break; sleep 0.1; done
c0=$(counter)
counter_past "$c0"
ok $? "... and the CT runs on"

# a pid namespace inside the CT: refused, naming the task
"$vzcr" exec $ct sh -c 'unshare -p -f sleep 302 & echo $! >/tmp/nested.pid' </dev/null >/dev/null 2>&1
up=$(cat "$priv/tmp/nested.pid")
for i in $(seq 50); do np=$(inct cat /proc/$up/task/$up/children); [ -n "$np" ] && break; sleep 0.1; done
is "$(st $vzcr checkpoint $ct --leave-running -D $tmp/refused3)" 1 \
	"checkpoint of a CT with a nested pid namespace exits 1"
errhas "nested pid namespaces are not supported" "... saying so"
inct kill -9 $np $up
for i in $(seq 50); do inct test -e /proc/$up || inct test -e /proc/$np || break; sleep 0.1; done
c0=$(counter)
counter_past "$c0"
ok $? "... and the CT runs on"

# --- checkpoint --leave-running: the CT goes on
snap0=$(snapshot)
diag "the CT's processes: $(echo "$snap0" | awk '{ print $1 "<" $2 }' | tr '\n' ' ')"
[ "$(echo "$snap0" | wc -l)" -ge 10 ]
ok $? "the CT has init and its workload ($(echo "$snap0" | wc -l) processes)"
c_before=$(counter)
ran "checkpoint --leave-running" $vzcr checkpoint $ct --leave-running -D $tmp/d1
c_after=$(counter)
[ -e "$tmp/d1/inventory.img" ] && [ -e "$tmp/d1/vzcr-ct.img" ]
ok $? "... a complete image set with vzcr-ct.img"
is "$(state INIT_PID)" "$pid0" "... the CT runs with the same init"
counter_past "$c_after"
ok $? "... its counter goes on"
is "$(snapshot)" "$snap0" "... with the same processes"
inct ping -c 1 -W 3 $ip_host >/dev/null
ok $? "... and its network works"
# let the counter run well past the dump, then stop the CT: the restore
# must bring the count of the dump back, not the one at stop
counter_past $((c_after + 30))
is "$(st $vzcr stop $ct)" 0 "stop"
c_stop=$(cat "$priv/tmp/counter")
ran "restore from the --leave-running images" $vzcr restore $ct -D $tmp/d1
counter_moved "$c_stop"
c=$(counter)
[ -n "$c" ] && [ "$c" -ge "$c_before" ] && [ "$c" -lt "$c_stop" ]
ok $? "the counter goes on from the dump ($c_before..$c_after), not from the stop ($c_stop): $c"
check_ct "leave-running restore" "$snap0"

# --- kill mode: the CT stops; restore it from the default directory
pid1=$(state INIT_PID)
veth=$(state VETH_HOST)
cg=$(state CGROUP)
ran "checkpoint (kill)" $vzcr checkpoint $ct
c_dump=$(cat "$priv/tmp/counter")
[ -e "$VZCR_ROOT/vz/dump/$ct/inventory.img" ]
ok $? "... into \$VZCR_ROOT/vz/dump/$ct"
is "$(st $vzcr status $ct; cat "$tmp/out")" "0
CT $ct stopped" "... the CT is stopped"
# a zombie until the host's init reaps it: vzcr is not its parent
for i in $(seq 50); do [ -e /proc/$pid1 ] && ! grep -q '^State:.*Z' /proc/$pid1/status 2>/dev/null || break; sleep 0.1; done
{ [ ! -e /proc/$pid1 ] || grep -q '^State:.*Z' /proc/$pid1/status; } &&
	! ip link show "$veth" >/dev/null 2>&1 && [ ! -d "$cg" ]
ok $? "... its init, veth and cgroup are gone"
sleep 0.5
is "$(cat "$priv/tmp/counter")" "$c_dump" "... and its counter stands at $c_dump"

# incomplete set, images of another CT: refused, nothing changes
mkdir "$tmp/part" && cp "$VZCR_ROOT/vz/dump/$ct"/* "$tmp/part/" && rm "$tmp/part/inventory.img"
is "$(st $vzcr restore $ct -D $tmp/part)" 1 "restore from an incomplete image set exits 1"
errhas "no complete image set" "... saying so"
is "$(st $vzcr restore 202 -D $VZCR_ROOT/vz/dump/$ct)" 1 "restore of CT 202 from the images of $ct exits 1"
errhas "are of CT $ct" "... naming the CT they belong to"
[ ! -e "$VZCR_ROOT/var/run/vzcr/202.state" ] && [ ! -e "$VZCR_ROOT/var/run/vzcr/$ct.state" ]
ok $? "... and neither CT runs"

# a restore that fails half-way leaves nothing behind
mv "$priv/etc/passwd" "$priv/etc/passwd.away"
is "$(st $vzcr restore $ct)" 1 "restore with a file of the CT missing exits 1"
errhas "/etc/passwd" "... naming the file"
[ ! -e "$VZCR_ROOT/var/run/vzcr/$ct.state" ] && ! ip link show "$veth" >/dev/null 2>&1
ok $? "... leaves no state and no veth"
for i in $(seq 50); do [ -d "$cg" ] || break; sleep 0.1; done
[ ! -d "$cg" ]
ok $? "... and no cgroup"
mv "$priv/etc/passwd.away" "$priv/etc/passwd"
ran "restore (kill mode images)" $vzcr restore $ct
c=$(counter)
[ -n "$c" ] && [ "$c" -ge "$c_dump" ] && [ "$c" -lt $((c_dump + 60)) ]
ok $? "the counter goes on from $c_dump: $c"
counter_past "$c"
ok $? "... and keeps counting"
check_ct "kill-mode restore" "$snap0"
ran "a restored CT can be checkpointed again" $vzcr checkpoint $ct --leave-running -D $tmp/d2
grep -qF /.vzcr-ext/console "$tmp/d2/files.img"
ok $? "... its console still outside its root"

# --- a second host: config and private area copied, images restored there
is "$(st $vzcr checkpoint $ct -D $tmp/d3)" 0 "checkpoint for the second root"
c_dump=$(cat "$priv/tmp/counter")
mkdir -p "$tmp/b/etc/vzcr/conf" "$tmp/b/vz/private"
cp -a "$VZCR_ROOT/etc/vzcr/conf/$ct.conf" "$tmp/b/etc/vzcr/conf/" && cp -a "$priv" "$tmp/b/vz/private/"
ok $? "copy the CT's config and private area to the second root"
export VZCR_ROOT=$tmp/b
ran "restore on the second root" $vzcr restore $ct -D $tmp/d3
c=$(counter)
[ -n "$c" ] && [ "$c" -ge "$c_dump" ] && [ "$c" -lt $((c_dump + 60)) ]
ok $? "second root: the counter goes on from $c_dump: $c"
check_ct "second root" "$snap0"
is "$(readlink /proc/$(state INIT_PID)/fd/1)" "$tmp/b/var/run/vzcr/$ct.console" \
	"second root: init's stdout is this root's console file"
# three checkpoints and restores later, the workloads check themselves
for w in $wls; do
	inct sh -c "kill -USR2 \$(cat /wl-$w/ready)"
	for i in $(seq 100); do [ -s "$tmp/b/vz/private/$ct/wl-$w/result" ] && break; sleep 0.1; done
	is "$(head -n1 "$tmp/b/vz/private/$ct/wl-$w/result" 2>/dev/null)" PASS "second root: wl-$w passes its own checks"
done
is "$(st $vzcr stop $ct)" 0 "second root: stop the restored CT"
is "$(st $vzcr status $ct; cat "$tmp/out")" "0
CT $ct stopped" "second root: stopped"
export VZCR_ROOT=$tmp/a

# --- the v1 freezer, where the host has one beside cgroup v2
v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)freezer(,|$)/ { print $2; exit }' /proc/mounts)
if [ -n "$v1" ]; then
	export VZCR_CGROUP=v1
	rm -f "$priv"/wl-*/ready "$priv"/wl-*/result
	is "$(st $vzcr start $ct)" 0 "v1: start"
	counter_past 3
	# until every workload is up and the tree stands still
	for i in $(seq 100); do
		ls "$priv"/wl-*/ready 2>/dev/null | wc -l | grep -qx $(echo $wls | wc -w) && snap1=$(snapshot) &&
			[ "$(echo "$snap1" | wc -l)" -ge 14 ] && sleep 0.2 && [ "$(snapshot)" = "$snap1" ] &&
			break
		sleep 0.1
	done
	case "$(state CGROUP)" in "$v1"/*) ok 0 "v1: the CT's cgroup is under $v1" ;; *) ok 1 "v1: cgroup $(state CGROUP)" ;; esac
	ran "v1: checkpoint --leave-running" $vzcr checkpoint $ct --leave-running -D $tmp/v1a
	grep -qx THAWED "$(state CGROUP)/freezer.state"
	ok $? "v1: thawed after it"
	is "$(st $vzcr checkpoint $ct -D $tmp/v1b)" 0 "v1: checkpoint"
	c_dump=$(cat "$priv/tmp/counter")
	ran "v1: restore" $vzcr restore $ct -D $tmp/v1b
	c=$(counter)
	[ -n "$c" ] && [ "$c" -ge "$c_dump" ] && [ "$c" -lt $((c_dump + 60)) ]
	ok $? "v1: the counter goes on from $c_dump: $c"
	is "$(snapshot)" "$snap1" "v1: the same processes"
	is "$(st $vzcr stop $ct)" 0 "v1: stop"
	unset VZCR_CGROUP
else
	diag "no v1 freezer hierarchy mounted: v1 not tested"
fi

done_testing
