#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Checkpoint/restore of a CT beyond cr.t, each point checked from inside the
# restored CT: a root on a loop-mounted ext4 image (create --disk) that is
# the CT's root again after restore (kill and --leave-running, and on a
# second $VZCR_ROOT with the image copied), its files kept, no loop device
# left after stop; the cgroup limits of the config (PHYSPAGES, CPULIMIT,
# CPUS) held by the knobs after restore with the CT's tasks in those
# cgroups; pty pairs opened inside the CT on its own devpts (wl-fds-tty:
# indices, termios, window size, queued data, a session's terminal) and
# what busybox init holds; extra mounts made inside the CT (a tmpfs with a
# file, a bind mount, a shared/slave pair that still propagates). Needs
# root, loop devices and e2fsprogs. Every CT, mount, loop device, veth and
# cgroup is removed on every exit path.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
[ -e /dev/loop-control ] || skip_all "no /dev/loop-control (loop driver)"
[ -x /sbin/mke2fs ] || skip_all "no e2fsprogs"
command -v ip >/dev/null || skip_all "no ip (iproute2)"
tmp=$(mktemp -d /tmp/vzcr-ct-cr-more.XXXXXX)
roots="$tmp/a $tmp/b"
ct=$((3000 + $$ % 900))
bb=/bin/busybox

# loop devices bound to root $1's image of the CT
loops() {
	local img=$1/vz/private/$ct/root.hdd
	[ -e "$img" ] && losetup -n -O NAME -j "$img"
}
cleanup() {
	local r s pid veth cg l i
	for r in $roots; do
		s=$r/var/run/vzcr/$ct.state
		if [ -e "$s" ]; then
			VZCR_ROOT=$r "$vzcr" -q stop -t 3 $ct >/dev/null 2>&1
			pid=$(sed -n 's/^INIT_PID=//p' "$s" 2>/dev/null)
			veth=$(sed -n 's/^VETH_HOST=//p' "$s" 2>/dev/null)
			cg=$(sed -n 's/^CGROUP=//p' "$s" 2>/dev/null)
			[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
			[ -n "$veth" ] && ip link del "$veth" 2>/dev/null
			VZCR_ROOT=$r "$vzcr" -q stop $ct >/dev/null 2>&1
			for i in 1 2 3 4 5 6 7 8 9 10; do
				[ -n "$cg" ] && [ -d "$cg" ] || break
				rmdir "$cg" 2>/dev/null && break
				sleep 0.3
			done
		fi
		for i in 1 2 3; do mountpoint -q "$r/vz/root/$ct" && umount -l "$r/vz/root/$ct"; done
		for l in $(loops "$r"); do losetup -d "$l"; done
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p $roots
export VZCR_ROOT=$tmp/a

# ran DESC CMD...: CMD must exit 0; its errors are shown if not
# the file system type of / as the CT's init sees it
root_fstype() {
	inct cat /proc/1/mountinfo | awk '$5 == "/" { for (i = 7; $i != "-"; i++); print $(i + 1) }'
}
# the directory of controller $1 holding the CT's init, on the host
knob() {
	local ctrl=$1 pid rel mnt
	pid=$(state INIT_PID)
	mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$mnt" ] && grep -qw "$ctrl" "$mnt/cgroup.controllers" 2>/dev/null &&
	   grep -q '^0::' /proc/$pid/cgroup; then
		rel=$(sed -n 's/^0:://p' /proc/$pid/cgroup)
	else
		rel=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/$pid/cgroup)
		mnt=$(awk -v c="$ctrl" '$3 == "cgroup" && $4 ~ ("(^|,)" c "(,|$)") { print $2; exit }' /proc/mounts)
	fi
	echo "$mnt$rel"
}
# the value of the knob that holds memory / cpu limits, whichever version
mem_limit() {
	local d
	d=$(knob memory)
	cat "$d/memory.max" 2>/dev/null || cat "$d/memory.limit_in_bytes"
}
cpu_limit() {
	local d
	d=$(knob cpu)
	if [ -e "$d/cpu.max" ]; then
		cat "$d/cpu.max"
	else
		echo "$(cat "$d/cpu.cfs_quota_us") $(cat "$d/cpu.cfs_period_us")"
	fi
}
first_cpu=$(sed 's/[-,].*//' /sys/devices/system/cpu/online)

# check_ct WHAT: the CT as it should be after a restore
check_ct() {
	local what=$1 p d out=
	is "$(root_fstype)" ext4 "$what: the CT's / is the ext4 image"
	is "$(inct cat /data/before)" "written before $ct's checkpoint" "$what: a file written before the checkpoint"
	[ -n "$(loops "$VZCR_ROOT")" ]
	ok $? "$what: the image is on a loop device ($(loops "$VZCR_ROOT" | tr '\n' ' '))"
	is "$(mem_limit)" 134217728 "$what: the memory knob holds PHYSPAGES (32768 pages)"
	is "$(cpu_limit)" "30000 100000" "$what: the cpu knob holds CPULIMIT=30"
	is "$(cat "$(knob cpuset)/cpuset.cpus")" "$first_cpu" "$what: cpuset.cpus holds CPUS=1"
	is "$(inct nproc)" 1 "$what: nproc in the CT says 1"
	for p in $(state INIT_PID) $(pgrep -f /opt/wl-fds-tty); do
		for d in "$(knob memory)" "$(knob cpu)" "$(knob cpuset)"; do
			grep -qx "$p" "$d/cgroup.procs" || out="$out $p!$d"
		done
	done
	is "$out" "" "$what: init and the pty workload are in the limits' cgroups"
	p=$(inct cat /wl-tty/ready)
	out=$(inct ls -l /proc/$p/fd | awk '{ print $NF }')
	echo "$out" | grep -qx /dev/pts/ptmx && echo "$out" | grep -qx /dev/pts/0
	ok $? "$what: the pty workload holds the CT's ptmx and /dev/pts/0"
	[ $? -eq 0 ] || diag "its fds: $(echo $out)"
	is "$(inct ls /dev/pts | LC_ALL=C sort | tr '\n' ' ')" "0 1 ptmx " "$what: the CT's devpts has its two ptys"
}

ip_ct=10.215.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
ip_host=10.215.255.$((RANDOM % 200 + 10))
is "$(st $vzcr create $ct --disk 256M --ip $ip_ct --host-ip $ip_host --hostname more)" 0 \
	"create $ct --disk 256M"
printf 'PHYSPAGES="0:32768"\nCPULIMIT="30"\nCPUS="1"\n' >>"$VZCR_ROOT/etc/vzcr/conf/$ct.conf"
ran "start" $vzcr start $ct || bail_out "cannot start a disk CT"
# written into the image through VE_ROOT, then a restart runs the workload
r=$VZCR_ROOT/vz/root/$ct
mkdir -p "$r/data" "$r/opt" "$r/wl-tty" && echo "written before $ct's checkpoint" >"$r/data/before" &&
	cp tests/e2e/wl-fds-tty "$r/opt/" || bail_out "copy into the CT"
for lib in $(ldd tests/e2e/wl-fds-tty | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | sort -u); do
	mkdir -p "$r$(dirname "$lib")" && cp -L "$lib" "$r$lib" || bail_out "copy $lib"
done
cat >"$r/wl.sh" <<'EOF'
cd /tmp
/opt/wl-fds-tty /wl-tty </dev/null >/wl-tty/log 2>&1 &
setsid sleep 1001 &
EOF
echo "::once:/bin/sh /wl.sh" >>"$r/etc/inittab"
is "$(st $vzcr stop $ct)" 0 "stop"
is "$(loops "$VZCR_ROOT")" "" "... detaches the loop device"
ran "start again" $vzcr start $ct
r=$VZCR_ROOT/vz/root/$ct
for i in $(seq 100); do [ -s "$r/wl-tty/ready" ] && break; sleep 0.1; done
[ -s "$r/wl-tty/ready" ] && [ ! -e "$r/wl-tty/result" ]
ok $? "wl-fds-tty is ready in the CT"
is "$(root_fstype)" ext4 "start: the CT's / is the ext4 image"
is "$(mem_limit)" 134217728 "start: the memory knob holds PHYSPAGES"
# what busybox init holds: no /dev/console (the CT has no such node)
init_fds=$(inct ls -l /proc/1/fd | awk '{ print $(NF - 2) $(NF - 1) $NF }' | grep -v '^total' | tr '\n' ' ')
diag "busybox init's fds: $init_fds"
inct test -e /dev/console
ok $((!$?)) "the CT has no /dev/console, so busybox init holds none"
echo "$init_fds" | grep -q console
ok $? "... its output goes to the CT's console file"
init_fds_start=$(inct ls -l /proc/1/fd | awk 'NR > 1 { print $(NF - 2), $NF }')

# --- checkpoint --leave-running, stop, restore
ran "checkpoint --leave-running" $vzcr checkpoint $ct --leave-running -D $tmp/d1
is "$(inct cat /data/before)" "written before $ct's checkpoint" "... the CT runs on"
is "$(st $vzcr stop $ct)" 0 "stop"
is "$(loops "$VZCR_ROOT")" "" "... detaches the loop device"
mountpoint -q "$VZCR_ROOT/vz/root/$ct"
ok $((!$?)) "... and unmounts VE_ROOT"
ran "restore from the --leave-running images" $vzcr restore $ct -D $tmp/d1
check_ct "leave-running restore"
is "$(inct ls -l /proc/1/fd | awk 'NR > 1 { print $(NF - 2), $NF }')" "$init_fds_start" \
	"leave-running restore: init holds what it held"

# --- kill mode
ran "checkpoint (kill)" $vzcr checkpoint $ct
is "$(loops "$VZCR_ROOT")" "" "... detaches the loop device"
ran "restore (kill mode)" $vzcr restore $ct
check_ct "kill-mode restore"

# --- extra mounts made inside the CT after start
inct sh -c 'mkdir -p /mnt/t /mnt/b /srv/b /mnt/sh /mnt/sl &&
	mount -t tmpfs -o size=1m extra /mnt/t && echo tmpfs-data >/mnt/t/f &&
	echo bind-data >/srv/b/f && mount --bind /srv/b /mnt/b &&
	mount -t tmpfs -o size=1m shtmp /mnt/sh && mount --make-shared /mnt/sh &&
	mount --bind /mnt/sh /mnt/sl && mount --make-slave /mnt/sl && echo sh-data >/mnt/sh/f' >"$tmp/out"
ok $? "mount a tmpfs, a bind mount and a shared/slave pair inside the CT"
[ $? -eq 0 ] || sed 's/^/#   /' "$tmp/out"

# --- a second host: config and image copied, images restored there
ran "checkpoint for the second root" $vzcr checkpoint $ct -D $tmp/d3
mkdir -p "$tmp/b/etc/vzcr/conf" "$tmp/b/vz/private/$ct"
cp -a "$VZCR_ROOT/etc/vzcr/conf/$ct.conf" "$tmp/b/etc/vzcr/conf/" &&
	cp --sparse=always -a "$VZCR_ROOT/vz/private/$ct/." "$tmp/b/vz/private/$ct/"
ok $? "copy the CT's config and image to the second root"
export VZCR_ROOT=$tmp/b
ran "restore on the second root" $vzcr restore $ct -D $tmp/d3
check_ct "second root"
loops "$VZCR_ROOT" | grep -q . && [ -z "$(loops "$tmp/a")" ]
ok $? "second root: its own copy of the image is on the loop device, the first is free"

# the extra mounts: mount points, contents, propagation
mi=$(inct cat /proc/1/mountinfo)
echo "$mi" | awk '$5 == "/mnt/t" && / - tmpfs /' | grep -q . && [ "$(inct cat /mnt/t/f)" = tmpfs-data ]
ok $? "second root: the tmpfs mounted inside is there with its file"
echo "$mi" | awk '$5 == "/mnt/b"' | grep -q . && [ "$(inct cat /mnt/b/f)" = bind-data ]
ok $? "second root: the bind mount is there with its file"
echo "$mi" | awk '$5 == "/mnt/sh" && / shared:/' | grep -q . &&
	echo "$mi" | awk '$5 == "/mnt/sl" && / master:/' | grep -q . &&
	[ "$(inct cat /mnt/sl/f)" = sh-data ]
ok $? "second root: the shared/slave pair keeps its propagation and contents"
inct sh -c 'mkdir -p /mnt/sh/sub && mount -t tmpfs -o size=1m sub /mnt/sh/sub && echo p >/mnt/sh/sub/f' >/dev/null
[ "$(inct cat /mnt/sl/sub/f 2>/dev/null)" = p ]
ok $? "second root: a mount under the shared one propagates to the slave"

# the pty workload checks itself after three checkpoints and restores
inct sh -c 'kill -USR2 $(cat /wl-tty/ready)'
r=$VZCR_ROOT/vz/root/$ct
for i in $(seq 100); do [ -s "$r/wl-tty/result" ] && break; sleep 0.1; done
is "$(head -n1 "$r/wl-tty/result" 2>/dev/null)" PASS "second root: wl-fds-tty passes its own checks"
[ -s "$r/wl-tty/result" ] && sed -n '2,$s/^/#   /p' "$r/wl-tty/result"

is "$(st $vzcr stop $ct)" 0 "second root: stop"
is "$(loops "$VZCR_ROOT")" "" "second root: stop detaches the loop device"
mountpoint -q "$VZCR_ROOT/vz/root/$ct"
ok $((!$?)) "second root: and unmounts VE_ROOT"

done_testing
