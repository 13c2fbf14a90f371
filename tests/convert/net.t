#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The CT's network through ovz2img into the engine's net images, rebuilt by
# the engine's own ns library (tests/ns/nstool restore) in a fresh net
# namespace: mkcpt's lo and venet0 with their addresses and a default route
# through venet0 come back as lo and the veth eth0 (same ifindex, NOARP, the
# address with its label moved to eth0:0, the route through eth0); RHEL6 and
# 2.6.18 records. A NET_ROUTE message longer than its record is refused.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
host=ovz3n$$
conv_tmpdir 'ip link del "$host" 2>/dev/null'
nstool=tests/ns/nstool

command -v ip >/dev/null || skip_all "no ip (iproute2)"
unshare -n -m -p -f --propagation private true 2>/dev/null ||
	skip_all "unshare fails: no new net/mount/pid namespaces here"

for gen in rhel6 rhel5; do
	$mk "$gen" "$tmp/$gen.cpt"
	run_ok "$gen: ovz2img translates" $ovz "$tmp/$gen.cpt" "$tmp/$gen" || continue
	for f in netdev ifaddr route route6 netns; do
		test -e "$tmp/$gen/$f-1.img"
		ok $? "$gen: $f-1.img written"
	done
	timeout 60 unshare -n -m -p -f --propagation private $nstool restore "$tmp/$gen" -k net \
		-n /proc/$$/ns/net -v "$host" -- sh -c '
		ip -o link show eth0 | grep -o "^3: eth0@[^:]*: <[^>]*NOARP[^>]*UP[^>]*> mtu 1500"
		ip -o link show eth0 | grep -o "link/ether 02:0e:00:00:00:03"
		ip -o -4 addr show | sed "s/^\([0-9]*: [a-z0-9]*\) *inet \([^ ]*\).* \([a-z0-9:]*\)\\\\.*/\1 \2 \3/"
		ip route show' >"$tmp/out" 2>&1
	ok $? "$gen: the engine restores the links, addresses and routes"
	ip link del "$host" 2>/dev/null
	cat >"$tmp/want" <<W
3: eth0@if$(sed -n 's/^3: eth0@if\([0-9]*\).*/\1/p' "$tmp/out"): <NO-CARRIER,BROADCAST,MULTICAST,NOARP,UP> mtu 1500
link/ether 02:0e:00:00:00:03
1: lo 127.0.0.1/8 lo
3: eth0 10.77.0.5/32 eth0:0
default dev eth0 scope link linkdown 
W
	diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"
	ok $? "$gen: venet0 is eth0 with its index, flags, address, label and route" ||
		sed 's/^/#   /' "$tmp/diff"
done
done_testing
