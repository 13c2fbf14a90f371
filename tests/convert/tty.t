#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ovz2img on mkcpt's dumps with a Unix98 pty pair, /dev/console and
# /dev/tty (pty-GEN, for each kernel generation's record sizes): the TTY
# file entries, both tty-info entries of the pair with the slave's termios,
# window size, session and exclusive mode, the special ttys, the queued
# output and the complete lines of input in tty-data.img. The broken and
# untranslatable variants (tty_* of `mkcpt --list-xlate`) are in refuse.t.
set -u
. tests/lib/tap.sh
. tests/convert/lib.sh
conv_tmpdir
command -v python3 >/dev/null || skip_all "python3 missing: the images are read through JSON"

check='
import base64, json, sys
d = sys.argv[1]
def show(n):
    return json.load(open(d + "/" + n + ".json"))["entries"]
info = {e["id"]: e for e in show("tty-info")}
m, s = info.get(7, {}), info.get(8, {})
t = s.get("termios", {})
files = {e["id"]: e["tty"]["tty_info_id"] for e in show("files") if e["type"] == "TTY"}
fds = {e["fd"]: files.get(e["id"]) for e in show("fdinfo-1") if e["type"] == "TTY"}
data = {e["tty_id"]: base64.b64decode(e["data"]) for e in show("tty-data")}
checks = [
    (sorted(info) == [7, 8, 0xfffffff0, 0xfffffff2], "four tty-info entries: the pair (7, 8), console, /dev/tty"),
    (m.get("type") == "PTY" and m.get("rdev") == 5 * 256 + 2 and m["pty"]["index"] == 3, "the master: ptmx, index 3"),
    (s.get("rdev") == 136 * 256 + 3 and s["pty"]["index"] == 3, "the slave: pts/3"),
    (t.get("c_iflag") == 0x500 and t.get("c_oflag") == 5 and t.get("c_cflag") == 0xbd and t.get("c_lflag") == 0x8a3b, "termios flags"),
    (t.get("c_cc", [])[:5] == [3, 28, 8, 21, 4] and len(t.get("c_cc", [])) == 19, "control chars (VERASE ^H)"),
    (t.get("c_ispeed") == 9600 and t.get("c_ospeed") == 9600, "speeds from CBAUD"),
    (s.get("winsize") == {"ws_row": 33, "ws_col": 101, "ws_xpixel": 5, "ws_ypixel": 7}, "window size"),
    (s.get("sid") == 42 and s.get("pgrp") == 42 and m.get("sid") == 42, "session and foreground group"),
    (s.get("exclusive") is True and s.get("locked") is False and s.get("packet_mode") is False, "exclusive, not locked, no packet mode"),
    (info.get(0xfffffff0, {}).get("type") == "CONSOLE" and info.get(0xfffffff2, {}).get("type") == "CTTY", "console and /dev/tty"),
    (fds == {20: 7, 21: 8, 22: 0xfffffff0, 23: 0xfffffff2}, "fds 20..23 name the right ttys"),
    (data == {8: b"hello\r\n", 7: b"ls -l\nwho\n"}, "queued output; input without the unended line"),
]
for i, (c, what) in enumerate(checks):
    print(("ok" if c else "not ok"), what)
'

for gen in rhel6 rhel5 rhel6-grown; do
	$mk "pty-$gen" "$tmp/$gen.cpt"
	$ovz "$tmp/$gen.cpt" "$tmp/$gen" >/dev/null 2>"$tmp/err"
	is $? 0 "$gen: ovz2img exits 0"
	grep -q "pty 3: 4 bytes of a line not ended yet left out" "$tmp/err"
	ok $? "$gen: it says the unended input line is left out"
	for n in tty-info tty-data files fdinfo-1; do
		vzcr/vzcr image show --json "$tmp/$gen/$n.img" >"$tmp/$gen/$n.json" ||
			echo "not ok $n.img unreadable" >>"$tmp/$gen.tap"
	done
	python3 -c "$check" "$tmp/$gen" >>"$tmp/$gen.tap" 2>&1
	while read -r st rest; do
		[ "$st" = ok ]
		ok $? "$gen: $rest"
	done <"$tmp/$gen.tap"
done
done_testing
