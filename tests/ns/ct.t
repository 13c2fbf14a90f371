#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The namespaces of a CT that `vzcr start` built: its mount, net, ipc and
# uts namespaces are dumped from its init, the CT is stopped, and they are
# restored into fresh namespaces on the CT's private area; from inside
# (chroot into the restored root) the host name, the mounts, eth0 with its
# address and routes, and SysV objects made in the CT are as they were.
set -u
. tests/lib/tap.sh
. tests/ns/lib.sh
vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v ip >/dev/null || skip_all "no ip (iproute2)"
command -v ipcmk >/dev/null || skip_all "no ipcmk (util-linux)"

tmp=$(mktemp -d /tmp/vzcr-ns-ct.XXXXXX)
export VZCR_ROOT=$tmp/root
tag=$(printf '%05x' $(($$ % 1048576)))
ns_links="nsc$tag"
ct_cleanup() {
	"$vzcr" -q stop -t 3 101 >/dev/null 2>&1
	ns_cleanup
}
trap ct_cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$VZCR_ROOT"

# what the CT shows of itself, from inside (busybox only)
show_ct() {
	hostname
	awk '{ print $5, $4, $6, "-", $(NF-2), $(NF-1), $NF }' /proc/self/mountinfo
	ip -o -4 addr show dev eth0 | awk '{ print $2, $4 }'
	ip link show eth0 | awk '/link\/ether/ { print $2 }'
	ip route
	awk 'NR > 1 { print "shm", $1, $2, $3, $4 }' /proc/sysvipc/shm
	awk 'NR > 1 { print "msg", $1, $2, $3, $4, $5 }' /proc/sysvipc/msg
}

ip_ct=10.215.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
ip_host=10.215.255.$((RANDOM % 200 + 10))
"$vzcr" create 101 --ip "$ip_ct" --host-ip "$ip_host" --hostname nsct >"$tmp/out" 2>&1 &&
	"$vzcr" start 101 >>"$tmp/out" 2>&1
ok $? "a CT is created and started" || sed 's/^/#   /' "$tmp/out"
pid=$(sed -n 's/^INIT_PID=//p' "$VZCR_ROOT/var/run/vzcr/101.state")
# (the CT's busybox has no ipcmk: the host's, in the CT's ipc namespace)
nsenter -t "$pid" -i sh -c 'ipcmk -M 8192 -p 0640 && ipcmk -Q -p 0600' >/dev/null 2>&1
ok $? "SysV objects made inside the CT"
"$vzcr" exec 101 sh -c "$(declare -f show_ct); show_ct" >"$tmp/before" 2>&1
grep -q "eth0 $ip_ct/32" "$tmp/before" && grep -q '^shm .* 640 *8192' "$tmp/before" &&
	grep -q '^msg .* 600 ' "$tmp/before" && grep -q '^/dev/pts / .* devpts ' "$tmp/before"
ok $? "the CT shows its address, SysV objects and mounts" || sed 's/^/#   /' "$tmp/before"

run_ok "dump the CT's namespaces from its init" "$nstool" dump "$pid" "$tmp/img"
"$vzcr" stop -t 3 101 >/dev/null 2>&1
wait_for 10 all_gone "$pid"
ok $? "the CT is stopped"

private=$(ls -d "$VZCR_ROOT"/vz/private/101 2>/dev/null || ls -d "$VZCR_ROOT"/*/private/101)
mkdir "$tmp/mnt"
unshare -m -n -i -u -p -f --propagation private "$nstool" restore "$tmp/img" \
	-r "$private" "$tmp/mnt" -n /proc/$$/ns/net -v "nsc$tag" -- \
	chroot "$tmp/mnt" /bin/busybox sh -c "$(declare -f show_ct); show_ct" >"$tmp/restored" 2>&1
ok $? "restore into fresh namespaces on the CT's private area"
is "$(cat "$tmp/restored")" "$(cat "$tmp/before")" \
	"host name, mounts, eth0, routes and SysV objects as they were"
done_testing
