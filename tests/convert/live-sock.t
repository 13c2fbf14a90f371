#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The chain "live process -> cpt file -> ovz2img -> vzcr restore" for
# sockets: cptlive dumps wl-ovzsock (a unix stream pair with data both ways
# and one end shut, a datagram pair with two messages, a named datagram
# socket with a message, a listener; a TCP listener and a connection to it
# with unread data both ways, read in repair mode) as RHEL6 records, then
# 2.6.18 ones; ovz2img
# translates the SOCKET section; vzcr restore brings the process back and it
# checks every queue, name, option and connection itself. A control run
# drops the queued data from the images: the process must notice.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
. tests/e2e/lib.sh

# images NAME DIR: what ovz2img made of the sockets
images() {
	is "$($ovz --info "$2/dump.cpt" | awk '$3 == "SOCKET" {print $5}')" 10 \
		"$1: the dump holds 10 sockets"
	is "$(vzcr/vzcr image show "$2/img/files.img" | grep -c 'type: UNIXSK')" 7 \
		"$1: 7 unix sockets in files.img"
	is "$(vzcr/vzcr image show "$2/img/files.img" | grep -c 'type: INETSK')" 3 \
		"$1: 3 TCP sockets in files.img"
	is "$(ls "$2/img" | grep -c '^tcp-stream-')" 2 "$1: 2 established connections"
}

# chain NAME GEN-OPTION [MANGLE]: MANGLE runs on the image directory
chain() { live_chain "$1" "$2" tests/convert/wl-ovzsock images "${3:-}"; }

for gen in rhel6:"" rhel5:--rhel5; do
	name=${gen%%:*}
	chain "$name" "${gen#*:}" && is "$(cat "$e2e_tmp/$name/verdict")" PASS "$name: the process checks itself"
done

# control: without sk-queues.img the restored process finds its queues empty
noqueues() { rm -f "$1/sk-queues.img"; }
if chain control "" noqueues; then
	grep -q "^FAIL: stream pair: end 1's queue" "$e2e_tmp/control/verdict"
	ok $? "control: the process sees its data gone and fails ($(cat "$e2e_tmp/control/verdict"))"
fi
done_testing
