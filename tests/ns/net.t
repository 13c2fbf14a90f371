#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The net namespace (engine/ns_net*.c): a set with lo, a veth (its peer on
# the host) with a MAC, an MTU, IPv4 and IPv6 addresses, a /32 route to the
# host, a default route, an IPv6 route, sysctls and an nftables table with
# a rule is dumped, destroyed and restored into a fresh net namespace, where
# `ip -d link`, `ip addr`, `ip route`, sysctl and `nft list ruleset` must
# show what they showed in the original, and the veth must carry traffic to
# its new host end. Refusals: a bridge, a tun link and a veth pair with both ends inside,
# each named.
set -u
. tests/lib/tap.sh
. tests/ns/lib.sh
command -v ip >/dev/null || skip_all "no ip (iproute2)"
command -v nft >/dev/null || skip_all "no nft (nftables)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (for ping)"

tmp=$(mktemp -d /tmp/vzcr-ns-net.XXXXXX)
tag=$(printf '%05x' $(($$ % 1048576)))
host_old=nso$tag host_new=nsn$tag
ns_links="$host_old $host_new"
trap ns_cleanup EXIT
trap 'exit 1' INT TERM

# what the checks look at; the peer's index (@ifN) differs by design
show_net() {
	ip -d link | sed 's/@if[0-9]*:/@ifN:/'
	ip addr | sed 's/@if[0-9]*:/@ifN:/'
	ip route show table all
	ip -6 route
	sysctl net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv4.conf.eth0.rp_filter \
		net.ipv6.conf.all.forwarding net.ipv6.conf.eth0.disable_ipv6 \
		net.ipv6.conf.default.disable_ipv6
	nft list ruleset
}

ns_start -n
ip link add "$host_old" type veth peer name eth0 netns "$nspid"
ok $? "a veth into the original set"
nsenter -t "$nspid" -n sh -ec '
	ip link set lo up
	ip link set eth0 address 02:5a:11:22:33:44 mtu 1400
	ip addr add 10.77.0.2/24 dev eth0
	ip addr add fd00:77::2/64 dev eth0 nodad
	ip link set eth0 up
	ip route add 169.254.0.1/32 dev eth0
	ip route add default via 169.254.0.1 dev eth0
	ip -6 route add fd00:88::/64 via fd00:77::1
	sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.eth0.rp_filter=2 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.disable_ipv6=1
	nft add table inet nstest
	nft add chain inet nstest input "{ type filter hook input priority 0; }"
	nft add rule inet nstest input tcp dport 4242 counter drop'
ok $? "the original set configured"
nsenter -t "$nspid" -n bash -c "$(declare -f show_net); show_net" >"$tmp/before" 2>&1

run_ok "dump net" "$nstool" dump "$nspid" "$tmp/img" net
for f in netdev netns ifaddr route route6 nftables; do
	ls "$tmp/img/$f"-*.img >/dev/null 2>&1
	ok $? "image $f-ID.img written"
done
if command -v crit >/dev/null; then
	crit show "$tmp"/img/netdev-*.img 2>/dev/null | grep -q '"type": "VETH"'
	ok $? "crit decodes netdev: a VETH"
fi
ns_stop

# restore; the check configures the new host end from inside and pings it
check="$(declare -f show_net); show_net
nsenter --net=/proc/$$/ns/net sh -c 'ip addr add 10.77.0.1/24 dev $host_new && ip link set $host_new up'
for i in \$(seq 50); do busybox ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 && { echo PING-OK; break; }; done"
unshare -n -m -p -f --propagation private "$nstool" restore "$tmp/img" -k net \
	-n /proc/$$/ns/net -v "$host_new" -- bash -c "$check" >"$tmp/restored" 2>&1
ok $? "restore into a fresh net namespace"
grep -v PING-OK "$tmp/restored" >"$tmp/restored-state"
is "$(cat "$tmp/restored-state")" "$(cat "$tmp/before")" \
	"ip link/addr/route, sysctls and the ruleset are as in the original"
r=$(cat "$tmp/restored")
for want in "link/ether 02:5a:11:22:33:44" "mtu 1400" "inet 10.77.0.2/24" "inet6 fd00:77::2/64" \
	"default via 169.254.0.1 dev eth0" "169.254.0.1 dev eth0 scope link" \
	"fd00:88::/64 via fd00:77::1" "net.ipv4.conf.eth0.rp_filter = 2" \
	"net.ipv4.ip_forward = 1" "tcp dport 4242 counter packets 0 bytes 0 drop" "PING-OK"; do
	case "$r" in
	*"$want"*) ok 0 "restored: $want" ;;
	*) ok 1 "restored: $want" ;;
	esac
done
# (a namespace is torn down by a kernel worker, after its last task)
host_gone() { ! ip link show "$host_new" >/dev/null 2>&1; }
wait_for 10 host_gone
ok $? "the host end went with the restored namespace"

# refusals: other link kinds, named
for kind in bridge tun; do
	ns_start -n
	if [ $kind = tun ]; then
		nsenter -t "$nspid" -n ip tuntap add "x$kind" mode tun
	else
		nsenter -t "$nspid" -n ip link add "x$kind" type "$kind"
	fi
	"$nstool" dump "$nspid" "$tmp/img-$kind" net >"$tmp/out" 2>&1
	rc=$?
	[ $rc -ne 0 ] && grep -q "link 'x$kind' (index [0-9]*): kind '$kind' is not supported" "$tmp/out"
	ok $? "a $kind link is refused, named" || sed 's/^/#   /' "$tmp/out"
	ns_stop
done
ns_start -n
nsenter -t "$nspid" -n ip link add xva type veth peer name xvb
"$nstool" dump "$nspid" "$tmp/img-pair" net >"$tmp/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "veth 'xv[ab]': its peer (index [0-9]*) is in the same namespace" "$tmp/out"
ok $? "a veth pair with both ends inside is refused, named" || sed 's/^/#   /' "$tmp/out"
ns_stop
done_testing
