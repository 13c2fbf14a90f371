#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Restore refuses malformed namespace images, naming the file and what is
# wrong: a mount before its parent, a path
# with "..", an over-long host name, a sysctl outside net/, an mqueue name
# with a slash, a semaphore set of no semaphores.
set -u
. tests/lib/tap.sh
. tests/ns/lib.sh

tmp=$(mktemp -d /tmp/vzcr-ns-bad.XXXXXX)
trap ns_cleanup EXIT
trap 'exit 1' INT TERM
mkdir "$tmp/target"

# refused CASE KIND MESSAGE: restore of CASE's images fails naming MESSAGE
refused() {
	local d=$tmp/$1
	"$nstool" mkbad "$d" "$1" || { ok 1 "$1: images written"; return; }
	unshare -m -n -i -u -p -f --propagation private "$nstool" restore "$d" -k "$2" \
		-r "$tmp" "$tmp/target" -- true >"$tmp/out" 2>&1
	local rc=$?
	[ $rc -ne 0 ] && grep -qF -- "$3" "$tmp/out"
	ok $? "$1: refused, naming it" || sed 's/^/#   /' "$tmp/out"
}

refused mnt-order mnt "mountpoints-7.img': mount '/proc' comes before its parent 12"
refused mnt-path mnt "mountpoints-7.img': mount 11: bad path '/../proc'"
refused uts-long uts "utsns-7.img: nodename or domainname over 64 bytes"
refused net-sysctl net "netns-7.img: sysctl 'kernel/hostname' is not under net/"
refused mq-name ipc "mqueue 'a/b' of vzcr-mqueue-ID.img: not a queue name"
refused sem-nsems ipc "ipcns-sem-7.img': sem id 0: nsems 0 out of 1..32000"
done_testing
