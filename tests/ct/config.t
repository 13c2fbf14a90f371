#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Container configs and refusals that need no running CT: `vzcr create`
# writes a config and a busybox root; bad CTIDs, bad config lines (unknown
# key, bad quoting, bad value, repeated key), unknown CTIDs and bad option
# values (--disk) exit 1 with the file, line and key named, and
# change nothing under $VZCR_ROOT.
set -u
. tests/lib/tap.sh
. tests/ct/lib.sh

vzcr=$PWD/vzcr/vzcr
[ -x "$vzcr" ] || bail_out "$vzcr is not built"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (scripts/deps.sh installs busybox-static)"
tmp=$(mktemp -d /tmp/vzcr-ct-config.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export VZCR_ROOT=$tmp/root
mkdir "$VZCR_ROOT"
conf=$VZCR_ROOT/etc/vzcr/conf

# st CMD...: exit status of CMD, its output in $tmp/out and $tmp/err
# tree: a fingerprint of everything under $VZCR_ROOT
tree() {
	(cd "$VZCR_ROOT" && find . -printf '%p %s %m\n' | sort | md5sum)
}

is "$(st $vzcr create 101 --ip 10.213.0.2 --hostname web1)" 0 "create 101"
grep -qx 'IP_ADDRESS="10.213.0.2"' "$conf/101.conf" && grep -qx 'HOSTNAME="web1"' "$conf/101.conf" &&
	grep -qx 'VE_PRIVATE="/vz/private/101"' "$conf/101.conf"
ok $? "the config holds the address, host name and private area"
priv=$VZCR_ROOT/vz/private/101
[ -x "$priv/bin/busybox" ] && [ -L "$priv/bin/sh" ] && [ -L "$priv/sbin/init" ] &&
	[ -d "$priv/proc" ] && [ -d "$priv/dev" ] && [ "$(stat -c %a "$priv/tmp")" = 1777 ]
ok $? "the root has busybox, applet links, init and the empty mount points"
is "$(cat "$priv/etc/hostname")" web1 "etc/hostname"
grep -q '^::sysinit:/etc/init.d/rcS$' "$priv/etc/inittab" && [ -x "$priv/etc/init.d/rcS" ]
ok $? "inittab runs the rc script"
grep -q '^root:x:0:0:' "$priv/etc/passwd"
ok $? "etc/passwd has root"
is "$(st $vzcr status 101)" 0 "status of a created CT"
is "$(cat "$tmp/out")" "CT 101 stopped" "it is stopped"
is "$(st $vzcr create 2 --hostname two)" 0 "create CT 2 with no IP"
is "$(st $vzcr list)" 0 "list"
is "$(awk 'NR > 1 { print $1 "," $2 "," $3 "," $4 }' "$tmp/out" | tr '\n' ' ')" \
	"101,stopped,-,10.213.0.2 2,stopped,-,- " "list shows both, sorted"

before=$(tree)
for id in ../x a/b -x A 1.2 "" "$(printf 'a%.0s' $(seq 70))"; do
	is "$(st $vzcr create -- "$id")" 1 "create refuses CTID '${id:0:12}'"
	errhas "Invalid CTID" "... saying the CTID is invalid"
done
is "$(st $vzcr create 101)" 1 "create refuses an existing CT"
errhas "CT 101 already exists" "... saying so"
is "$(st $vzcr create 102 --disk 1Q)" 1 "create refuses a bad --disk size"
errhas "--disk: '1Q' is not a size" "... naming --disk"
is "$(st $vzcr create 102 --template centos)" 1 "create refuses an unknown template"
is "$(st $vzcr create 102 --ip 10.1.2)" 1 "create refuses a bad address"
errhas "key IP_ADDRESS" "... naming the key"
is "$(st $vzcr create 102 --hostname 'a b')" 1 "create refuses a bad host name"
is "$(tree)" "$before" "the refusals changed nothing"

for cmd in status start stop restart destroy "exec 999 true" enter; do
	set -- $cmd
	[ $# -eq 1 ] && set -- "$1" 999
	is "$(st $vzcr "$@")" 1 "$1 of an unknown CTID exits 1"
	errhas "CT 999 does not exist" "... saying it does not exist"
done
is "$(st $vzcr exec 101 true)" 1 "exec in a stopped CT exits 1"
errhas "CT 101 is not running" "... saying it is not running"
is "$(st $vzcr stop 101)" 1 "stop of a stopped CT exits 1"
is "$(st $vzcr start)" 2 "start without a CTID is a usage error"
is "$(tree)" "$before" "the refusals of unknown CTIDs changed nothing"

# bad_line LINE KEY WHAT: CT 101's config plus LINE is refused by start
bad_line() {
	local line=$1 key=$2 what=$3 n
	cp "$conf/101.conf" "$tmp/good"
	printf '%s\n' "$line" >>"$conf/101.conf"
	n=$(wc -l <"$conf/101.conf")
	local b=$(tree)
	is "$(st $vzcr start 101)" 1 "start refuses config line: $line"
	errhas "$conf/101.conf:$n: key $key" "... naming file, line $n and key $key"
	errhas "$what" "... saying '$what'"
	is "$(tree)" "$b" "... and changes nothing"
	cp "$tmp/good" "$conf/101.conf"
}
bad_line 'FOO="1"' FOO "unknown key"
bad_line 'HOSTNAME="web2' HOSTNAME "unterminated quote"
bad_line 'HOSTNAME="web2" x' HOSTNAME "text after the closing quote"
bad_line "HOSTNAME='web2'" HOSTNAME "bad quoting"
bad_line 'HOSTNAME=web 2' HOSTNAME "unquoted value with spaces"
bad_line 'HOSTNAME="we`id`b"' HOSTNAME "quote or backslash"
bad_line 'HOSTNAME="a b"' HOSTNAME "not a host name"
bad_line 'IP_ADDRESS="10.0.0.300"' IP_ADDRESS "not an IPv4 address"
bad_line 'IP_ADDRESS="10.0.0.3 10.0.0.4"' IP_ADDRESS "more than one address"
bad_line 'VE_ROOT="vz/root/101"' VE_ROOT "not an absolute path"
bad_line 'VE_PRIVATE="/vz/../../etc"' VE_PRIVATE "'..' component"
bad_line 'CPUS="two"' CPUS "not a number"
bad_line 'ONBOOT="maybe"' ONBOOT "not \"yes\" or \"no\""
bad_line 'HOSTNAME="web1"' HOSTNAME "set twice"
bad_line 'hostname="web1"' hostname "bad key name"
bad_line 'HOSTNAME' HOSTNAME "no '='"

printf '# comment\n\nVE_ROOT="/vz/root/$VEID"\nVE_PRIVATE=/vz/private/$VEID\n' >"$conf/7.conf"
is "$(st $vzcr status 7)" 0 "comments, blank lines, unquoted values and \$VEID are fine"
is "$(st $vzcr destroy 7)" 0 "destroy a CT whose private area was never made"

cp etc/ct.conf-sample "$conf/8.conf"
is "$(st $vzcr status 8)" 0 "the sample config etc/ct.conf-sample parses"
rm "$conf/8.conf"

is "$(st $vzcr destroy 101)" 0 "destroy 101"
[ ! -e "$priv" ] && [ ! -e "$conf/101.conf" ] && [ ! -e "$VZCR_ROOT/var/run/vzcr/101.lock" ]
ok $? "its private area, config and lock are gone"
is "$(st $vzcr destroy 2)" 0 "destroy 2"
is "$(st $vzcr list)" 0 "list with no CT"
is "$(wc -l <"$tmp/out")" 1 "only the header"
done_testing
