#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The chain "live process -> cpt file -> ovz2img -> vzcr restore" for a pty
# pair: cptlive dumps wl-ovztty (its own termios with ^H as erase, a
# window size, two lines of input the slave has not read and output the
# master has not read) as RHEL6 records, then 2.6.18 ones; ovz2img
# translates the TTY section; vzcr restore brings the process back at the
# same pty index and it checks termios, window size, both queues and that
# a canonical line is still echoed and edited. A control run drops
# tty-data.img: the process must notice its queues are gone.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
. tests/e2e/lib.sh

# images NAME DIR: what ovz2img made of the pair
images() {
	is "$($ovz --info "$2/dump.cpt" | awk '$3 == "TTY" {print $5}')" 2 \
		"$1: the dump holds the pair's 2 TTY records"
	is "$(vzcr/vzcr image show "$2/img/files.img" | grep -c 'type: TTY')" 2 \
		"$1: 2 tty files in files.img"
}

# chain NAME GEN-OPTION [MANGLE]: MANGLE runs on the image directory
chain() { live_chain "$1" "$2" tests/convert/wl-ovztty images "${3:-}"; }

for gen in rhel6:"" rhel5:--rhel5; do
	name=${gen%%:*}
	chain "$name" "${gen#*:}" && is "$(cat "$e2e_tmp/$name/verdict")" PASS "$name: the process checks itself"
done

# control: without tty-data.img the restored process finds its queues empty
nodata() { rm -f "$1/tty-data.img"; }
if chain control "" nodata; then
	grep -q "^FAIL: queued output" "$e2e_tmp/control/verdict"
	ok $? "control: the process sees its data gone and fails ($(cat "$e2e_tmp/control/verdict"))"
fi
done_testing
