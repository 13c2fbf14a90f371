#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The ipc and uts namespaces (engine/ns_ipc*.c, ns_mqueue.c, ns_uts.c): a set
# with a host and domain name, ipc sysctls, SysV shm segments with contents,
# a semaphore set with values, a message queue with messages, POSIX message
# queues with messages and owners is dumped (the running set is unchanged:
# every message still there), destroyed and restored into fresh namespaces,
# where the same objects (ids, keys, modes, contents, order) are checked from
# inside. Refusal: an mqueue with a registered notification, named.
set -u
. tests/lib/tap.sh
. tests/ns/lib.sh

tmp=$(mktemp -d /tmp/vzcr-ns-ipc.XXXXXX)
trap ns_cleanup EXIT
trap 'exit 1' INT TERM

# what the checks look at, the same in the original and the restored set
show_state() {
	hostname
	domainname
	sysctl -n kernel.msgmnb kernel.msgmax kernel.shmmni kernel.sem fs.mqueue.msg_max \
		fs.mqueue.msgsize_max fs.mqueue.queues_max
	"$nstool" showipc
	# owner and mode of the POSIX queues, through a private mqueue mount
	unshare -m --propagation private sh -c \
		"mount -t mqueue none '$tmp/mq' && stat -c '%n %u:%g %a' '$tmp'/mq/nstest.*"
}
mkdir "$tmp/mq"

ns_start -i -u
nsenter -t "$nspid" -i -u sh -c '
	hostname ns-ipc-test && domainname ns.example &&
	sysctl -q -w kernel.msgmnb=32768 kernel.msgmax=4000 kernel.shmmni=2000 \
		"kernel.sem=250 32000 40 128" fs.mqueue.msg_max=20 fs.mqueue.msgsize_max=4096 \
		fs.mqueue.queues_max=100 && "$0" mkipc' "$nstool"
ok $? "ipc objects made in the original set"
nsenter -t "$nspid" -i -u bash -c "$(declare -f show_state); nstool=$nstool tmp=$tmp show_state" \
	>"$tmp/before" 2>&1
grep -q 'mqueue /nstest.q1 maxmsg=6 msgsize=100 curmsgs=5' "$tmp/before"
ok $? "the original set shows its objects" || sed 's/^/#   /' "$tmp/before"

run_ok "dump ipc and uts" "$nstool" dump "$nspid" "$tmp/img" uts ipc
nsenter -t "$nspid" -i -u bash -c "$(declare -f show_state); nstool=$nstool tmp=$tmp show_state" \
	>"$tmp/after-dump" 2>&1
is "$(cat "$tmp/after-dump")" "$(cat "$tmp/before")" \
	"the dump changes nothing: every message, value and attribute still there"
vzcr/vzcr image show "$tmp/img" >"$tmp/show" 2>&1 &&
	grep -q '^ipcns-msg-[0-9]*.img: IPCNS_MSG$' "$tmp/show" && grep -q 'qnum: [1-9]' "$tmp/show"
ok $? "vzcr image show steps over the queued messages of ipcns-msg" || sed 's/^/#   /' "$tmp/show"
for f in utsns ipcns-var ipcns-shm ipcns-sem ipcns-msg vzcr-mqueue; do
	ls "$tmp/img/$f"-*.img >/dev/null 2>&1
	ok $? "image $f-ID.img written"
done
if command -v crit >/dev/null; then
	crit show "$tmp"/img/ipcns-msg-*.img 2>/dev/null | grep -q '"msize": 21'
	ok $? "crit decodes ipcns-msg with its messages"
fi

# a registered notification cannot be carried over: refused by name
# (nsenter with -i only executes nstool in place: $! is the notifier)
nsenter -t "$nspid" -i "$nstool" mqnotify /nstest.q2 >"$tmp/notify" &
notifier=$!
wait_for 10 grep -q ready "$tmp/notify"
"$nstool" dump "$nspid" "$tmp/img-refused" ipc >"$tmp/out" 2>&1
rc=$?
kill "$notifier" 2>/dev/null
wait "$notifier" 2>/dev/null
[ $rc -ne 0 ] && grep -q "mqueue '/nstest.q2': a notification is registered" "$tmp/out"
ok $? "a queue with a notification is refused, named" || sed 's/^/#   /' "$tmp/out"
ls "$tmp"/img-refused/vzcr-mqueue-*.img >/dev/null 2>&1
ok $((!$?)) "no mqueue image is left by the refused dump"

ns_stop
unshare -i -u -m -p -f --propagation private "$nstool" restore "$tmp/img" -k uts,ipc -- \
	bash -c "$(declare -f show_state); nstool=$nstool tmp=$tmp show_state" >"$tmp/restored" 2>&1
ok $? "restore into fresh namespaces"
is "$(cat "$tmp/restored")" "$(cat "$tmp/before")" "the restored set shows the same state"
r=$(cat "$tmp/restored")
for want in "ns-ipc-test" "ns.example" "250	32000	40	128" \
	"shm id=65541 key=0x5eed0001 uid=0 gid=0 mode=640 bytes=12345" \
	"sem id=98310 key=0x5eed0002 uid=0 gid=0 mode=660 7 0 32767" \
	"msg id=32771 key=0x5eed0003 uid=0 gid=0 mode=620 qnum=4 qbytes=32768" \
	"  type=9 len=22 text=message 3 of type 9" \
	"  prio=9 text=mq message 3 prio 9" "/nstest.q2 1234:5678 604" \
	"mqueue /nstest.q2 maxmsg=2 msgsize=8 curmsgs=0"; do
	case "$r" in
	*"$want"*) ok 0 "restored: $want" ;;
	*) ok 1 "restored: $want" ;;
	esac
done
# queue order within a priority: 1 before 4, 0 before 2
printf '%s\n' "$r" | grep -o 'mq message [0-9]' | tr -d '\n' >"$tmp/order"
is "$(cat "$tmp/order")" "mq message 3mq message 1mq message 4mq message 0mq message 2" \
	"mqueue messages in priority, then arrival order"
done_testing
