#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A real service across a CT checkpoint/restore: an echo server in a
# busybox CT (`busybox nc -ll -e /bin/cat`, started with vzcr exec
# --detach; busybox httpd closes the connection after each reply, the echo
# server keeps it) and a client on the host, talking to the CT's address
# over the veth, that holds one TCP connection. Kill mode: the connection
# answers before, takes a line while the CT is down, and after the restore
# answers that line and the next ones; new connections work too; a client
# that writes every 10 ms through a restore keeps its connection. Leave
# mode: the original CT keeps serving the held connection and new ones
# right after the checkpoint; once stopped, it is restored from those
# images and serves new connections. Needs root, busybox-static, ip, nft.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v ip >/dev/null || skip_all "no ip (iproute2)"
command -v nft >/dev/null || skip_all "no nft (nftables): the TCP lock needs it"

tmp=$(mktemp -d /tmp/vzcr-ct-svc.XXXXXX)
export VZCR_ROOT=$tmp/root
ct=401
cleanup() {
	local s=$VZCR_ROOT/var/run/vzcr/$ct.state
	exec 3>&- 4>&- 5>&- 6>&- 2>/dev/null
	"$vzcr" -q stop -t 3 $ct >/dev/null 2>&1
	ct_kill_left "$s"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$VZCR_ROOT"

# connect FD: open a connection to the service on fd FD (it may still be starting)
connect() {
	local i
	for i in $(seq 50); do
		eval "exec $1<>/dev/tcp/$ip_ct/$port" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# echoes FD WORD [TIMEOUT]: WORD sent on FD comes back
echoes() {
	local line=
	echo "$2" >&"$1" && read -r -t "${3:-5}" line <&"$1"
	[ "$line" = "$2" ] || { diag "sent '$2' on fd $1, got '$line'"; return 1; }
}

ip_ct=10.217.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
ip_host=10.217.255.$((RANDOM % 200 + 10))
port=$((20000 + $$ % 20000))
ran "a CT with an address is created and started" \
	sh -c "'$vzcr' create $ct --ip $ip_ct --host-ip $ip_host --hostname svc && '$vzcr' start $ct"
ran "vzcr exec --detach starts the echo service" \
	"$vzcr" exec --detach $ct busybox nc -ll -p $port -e /bin/cat
connect 3
ok $? "a client on the host connects to $ip_ct:$port"
echoes 3 "before-$$"
ok $? "the service answers on it"
ls -l /proc/$$/fd/3 | grep -q socket
ok $? "the client end is the host's own socket (fd 3 of the test)"

# kill mode: down, a line sent meanwhile, back
ran "vzcr checkpoint (kill)" "$vzcr" checkpoint $ct -D "$tmp/img"
"$vzcr" status $ct >"$tmp/out" 2>&1
grep -q "CT $ct stopped" "$tmp/out"
ok $? "the CT is down" || sed 's/^/#   /' "$tmp/out"
echo "during-$$" >&3
ok $? "the client writes while the CT is down"
ran "vzcr restore" "$vzcr" restore $ct -D "$tmp/img"
line=
read -r -t 20 line <&3
is "$line" "during-$$" "the line sent while the CT was down comes back on the same connection"
echoes 3 "after-$$"
ok $? "the same connection answers after the restore"
for i in 1 2 3; do echoes 3 "again-$i-$$" || break; done
ok $? "and keeps answering"
connect 4 && echoes 4 "new-$$"
ok $? "a new connection is served after the restore"
exec 4>&-

# a client that keeps sending through the restore: the lock in the CT's
# new net ns keeps its packets from a socket not yet made (a reset)
ran "vzcr checkpoint (kill), again" "$vzcr" checkpoint $ct -D "$tmp/img3"
( for i in $(seq 300); do echo "stream-$i" >&3 || exit 1; sleep 0.01; done ) &
writer=$!
sleep 0.3
ran "vzcr restore while the client sends every 10 ms" "$vzcr" restore $ct -D "$tmp/img3"
wait $writer
ok $? "the client's writes all succeed"
n=0
while read -r -t 5 line <&3; do
	n=$((n + 1))
	[ "$line" = "stream-$n" ] || break
done
is "$n" 300 "every line comes back, in order, on the same connection"

# leave mode: the original serves on
ran "vzcr checkpoint --leave-running" "$vzcr" checkpoint $ct -D "$tmp/img2" --leave-running
echoes 3 "left-$$"
ok $? "the held connection is served by the CT that runs on"
connect 5 && echoes 5 "left-new-$$"
ok $? "new connections too"
exec 3>&- 5>&-
ran "the CT is stopped" "$vzcr" stop -t 3 $ct
ran "and restored from the --leave-running images" "$vzcr" restore $ct -D "$tmp/img2"
connect 6 && echoes 6 "reborn-$$"
ok $? "its service answers new connections"
exec 6>&-
ran "the restored CT stops cleanly" "$vzcr" stop -t 3 $ct
done_testing
