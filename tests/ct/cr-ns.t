#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A CT's namespaces across `vzcr checkpoint` (kill) and `vzcr restore`:
# state made inside the running CT after it started (a new host name, a
# second address and a route, ip_forward, an nft table, a tmpfs with files
# and a bind mount of it, an mqueue mount, SysV shm with contents, a
# semaphore set with values, a message queue with messages, a POSIX mqueue
# with messages) is checked from inside the restored CT: its own view
# (vzcr exec: hostname, /proc/self/mountinfo, ip, sysctl, the files,
# /proc/sysvipc) and the host's tools in its namespaces (nsenter: nft,
# and a python ctypes helper that reads the IPC objects' contents).
# A restore that fails (the veth's host name taken) leaves nothing behind
# and the same images restore afterwards. Needs root, busybox-static, ip,
# nft, python3.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
command -v ip >/dev/null || skip_all "no ip (iproute2)"
command -v nft >/dev/null || skip_all "no nft (nftables)"
py=$(command -v /usr/bin/python3 python3 | head -1)
[ -n "$py" ] || skip_all "no python3"

tmp=$(mktemp -d /tmp/vzcr-ct-crns.XXXXXX)
export VZCR_ROOT=$tmp/root
ct=402
cleanup() {
	local s=$VZCR_ROOT/var/run/vzcr/$ct.state
	"$vzcr" -q stop -t 3 $ct >/dev/null 2>&1
	ct_kill_left "$s"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$VZCR_ROOT"

init_pid() {
	sed -n 's/^INIT_PID=//p' "$VZCR_ROOT/var/run/vzcr/$ct.state"
}
in_ct() {
	"$vzcr" exec $ct sh -c "$1"
}

# SysV and POSIX IPC through libc: "make" fills them, "show" prints them
# (shm bytes, semaphore values, queued messages without taking them but the
# POSIX ones, which it takes: "show" runs once, after the restore)
cat >"$tmp/ipc.py" <<'EOF'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
IPC_CREAT, IPC_NOWAIT, MSG_COPY, SETVAL, GETVAL = 0o1000, 0o4000, 0o40000, 16, 12
class MqAttr(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_long), ("maxmsg", ctypes.c_long),
                ("msgsize", ctypes.c_long), ("curmsgs", ctypes.c_long), ("pad", ctypes.c_long * 4)]
class Msg(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 64)]
def check(v, what):
    if v < 0:
        sys.exit("%s: errno %d" % (what, ctypes.get_errno()))
    return v
if sys.argv[1] == "make":
    shm = check(libc.shmget(0x5a5a, 8192, IPC_CREAT | 0o640), "shmget")
    a = libc.shmat(shm, None, 0)
    ctypes.memmove(a + 4096, b"shm-content-2nd-page", 20)
    libc.shmdt(ctypes.c_void_p(a))
    sem = check(libc.semget(0x5b5b, 3, IPC_CREAT | 0o600), "semget")
    for i, v in enumerate((7, 0, 42)):
        check(libc.semctl(sem, i, SETVAL, v), "semctl")
    q = check(libc.msgget(0x5c5c, IPC_CREAT | 0o600), "msgget")
    for t, s in ((1, b"first"), (2, b"second"), (1, b"third")):
        m = Msg(t, s)
        check(libc.msgsnd(q, ctypes.byref(m), len(s), 0), "msgsnd")
    attr = MqAttr(0, 4, 128, 0)
    mq = check(libc.mq_open(b"/vzcrq", 0o102, 0o600, ctypes.byref(attr)), "mq_open")
    for s, p in ((b"low", 1), (b"high", 9), (b"low2", 1)):
        check(libc.mq_send(mq, s, len(s), p), "mq_send")
else:
    shm = check(libc.shmget(0x5a5a, 0, 0), "shmget")
    a = libc.shmat(shm, None, 0)
    print("shm", ctypes.string_at(a + 4096, 20).decode(), ctypes.string_at(a, 4) == b"\0" * 4)
    sem = check(libc.semget(0x5b5b, 0, 0), "semget")
    print("sem", [libc.semctl(sem, i, GETVAL) for i in range(3)])
    q = check(libc.msgget(0x5c5c, 0), "msgget")
    out = []
    for i in range(4):
        m = Msg()
        n = libc.msgrcv(q, ctypes.byref(m), 64, i, IPC_NOWAIT | MSG_COPY)
        if n < 0:
            break
        out.append("%d:%s" % (m.mtype, m.mtext[:n].decode()))
    print("msg", out)
    mq = check(libc.mq_open(b"/vzcrq", 0o2), "mq_open")
    attr = MqAttr()
    libc.mq_getattr(mq, ctypes.byref(attr))
    out = []
    for i in range(attr.curmsgs):
        buf = ctypes.create_string_buffer(128)
        prio = ctypes.c_uint()
        n = check(libc.mq_receive(mq, buf, 128, ctypes.byref(prio)), "mq_receive")
        out.append("%d:%s" % (prio.value, buf.raw[:n].decode()))
    print("mq", attr.maxmsg, attr.msgsize, out)
EOF

# what the CT shows of itself, from inside (busybox only)
show() {
	hostname
	# mountpoint, fs type, per-mount options, superblock options (the ids change)
	awk '{ for (i = 7; $i != "-"; i++); print $5, $(i+1), $6, $(i+3) }' /proc/self/mountinfo | sort
	ip -o -4 addr show | awk '{ print $2, $4 }'
	ip route
	sysctl net.ipv4.ip_forward
	cat /mnt/t/a /mnt/t/d/b /mnt/b/b
	ls -ln /mnt/t | awk 'NR > 1 { print $1, $3, $4, $NF }'
	ls /dev/mqueue
	awk 'NR > 1 { print "shm", $1, $2, $3, $4 }' /proc/sysvipc/shm
	awk 'NR > 1 { print "sem", $1, $2, $3, $4 }' /proc/sysvipc/sem
	awk 'NR > 1 { print "msg", $1, $2, $3, $5 }' /proc/sysvipc/msg
}

ip_ct=10.218.$((RANDOM % 200 + 10)).$((RANDOM % 200 + 10))
ip_host=10.218.255.$((RANDOM % 200 + 10))
ran "a CT is created and started" \
	sh -c "'$vzcr' create $ct --ip $ip_ct --host-ip $ip_host --hostname crns && '$vzcr' start $ct"
pid=$(init_pid)
ran "state is made inside the CT" in_ct "
	hostname renamed-$$ &&
	ip addr add 10.218.254.1/32 dev eth0 && ip route add 192.0.2.0/24 dev eth0 &&
	sysctl -w net.ipv4.ip_forward=1 &&
	mkdir -p /mnt/t /mnt/b /dev/mqueue && mount -t tmpfs -o size=2m,mode=0751 ctt /mnt/t &&
	echo tmpfs-a-$$ >/mnt/t/a && mkdir /mnt/t/d && echo tmpfs-b-$$ >/mnt/t/d/b &&
	chown 12:34 /mnt/t/a && chmod 0604 /mnt/t/a &&
	mount -o bind /mnt/t/d /mnt/b && mount -t mqueue mqueue /dev/mqueue"
ran "an nft table is made in the CT's net namespace" \
	nsenter -t "$pid" -n nft -f - <<EOF
table inet ctf {
	chain in {
		type filter hook input priority 0; policy accept;
		tcp dport 9 counter drop
	}
}
EOF
ran "SysV and POSIX IPC objects are made in the CT's ipc namespace" \
	nsenter -t "$pid" -i "$py" "$tmp/ipc.py" make
in_ct "$(declare -f show); show" >"$tmp/before" 2>&1
grep -q "^renamed-$$" "$tmp/before" && grep -q "^/mnt/t tmpfs .*size=2048k,mode=751" "$tmp/before" &&
	grep -q "^/mnt/b tmpfs" "$tmp/before" && grep -q "^shm .* 640 *8192" "$tmp/before" &&
	grep -q "^vzcrq$" "$tmp/before" && grep -q "^192.0.2.0/24 dev eth0" "$tmp/before"
ok $? "the CT shows what was made" || sed 's/^/#   /' "$tmp/before"
nsenter -t "$pid" -n nft list ruleset >"$tmp/nft.before"

veth=$(sed -n 's/^VETH_HOST=//p' "$VZCR_ROOT/var/run/vzcr/$ct.state")
cg=$(sed -n 's/^CGROUP=//p' "$VZCR_ROOT/var/run/vzcr/$ct.state")
ran "vzcr checkpoint (kill)" "$vzcr" checkpoint $ct -D "$tmp/img"

# rollback: the host end's name is taken, the veth cannot come to the host
ip link add "$veth" type veth peer name "${veth}x"
"$vzcr" restore $ct -D "$tmp/img" >"$tmp/out" 2>&1
ok $((! $?)) "a restore whose veth cannot be made fails" || sed 's/^/#   /' "$tmp/out"
grep -q "vzcr restore: failed: .*$veth" "$tmp/out"
ok $? "and says which link" || sed 's/^/#   /' "$tmp/out"
ip link del "$veth"
[ ! -e "$VZCR_ROOT/var/run/vzcr/$ct.state" ] && ! ip link show "$veth" >/dev/null 2>&1 &&
	[ ! -d "$cg" ] && ! ip -o link | grep -q "${veth}c"
ok $? "and leaves no state, link or cgroup behind"
ran "vzcr restore" "$vzcr" restore $ct -D "$tmp/img"
pid=$(init_pid)
in_ct "$(declare -f show); show" >"$tmp/after" 2>&1
is "$(cat "$tmp/after")" "$(cat "$tmp/before")" \
	"from inside: host name, mounts, tmpfs files, addresses, routes, sysctl, SysV objects as they were"
is "$(nsenter -t "$pid" -n nft list ruleset 2>&1)" "$(cat "$tmp/nft.before")" \
	"the CT's nft ruleset is back (and no lock table is left)"
nsenter -t "$pid" -i "$py" "$tmp/ipc.py" show >"$tmp/ipc" 2>&1
is "$(cat "$tmp/ipc")" "shm shm-content-2nd-page True
sem [7, 0, 42]
msg ['1:first', '2:second', '1:third']
mq 4 128 ['9:high', '1:low', '1:low2']" "the IPC objects' contents and POSIX messages in order"
ran "the restored CT's /proc is its own (init is pid 1)" \
	in_ct 'test "$(awk "/^Pid:/ { print \$2 }" /proc/1/status)" = 1 && test -d /proc/sys/net'
ran "the restored CT stops" "$vzcr" stop -t 3 $ct
done_testing
