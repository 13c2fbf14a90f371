#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The images of a real dump, read by CRIU's crit: running workloads are
# dumped with --leave-running, every image file is decoded with
# `crit decode`, and the values are compared with what /proc said about the
# tasks just before the dump (tests/e2e/crit-check.py has the checks). Then
# images with one value or one field moved are checked again: the checks
# must see it.
set -u
. tests/lib/tap.sh
[ "$(id -u)" = 0 ] || skip_all "needs root (ptrace, /proc of other tasks)"
[ -x /usr/bin/crit ] || skip_all "CRIU's crit is not installed (scripts/deps.sh)"
/usr/bin/python3 -c 'import pycriu' 2>/dev/null || skip_all "python3 cannot import pycriu"
. tests/e2e/lib.sh
py=/usr/bin/python3
chk=tests/e2e/crit-check.py
pipe_data="crit-dump: bytes left in the pipe"	# what wl-crit leaves in its pipe

# todo STATUS DESC: a TAP point for a known engine bug (prove does not count
# it as a failure, and says so when it starts to pass)
todo() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2 # TODO engine bug"
	else
		echo "not ok $tap_n - $2 # TODO engine bug"
	fi
}

# report NAME: the checker's lines as TAP points
report() {
	local st what why
	while IFS=$'\t' read -r st what why; do
		case $st in
		PASS) ok 0 "$1: $what" ;;
		FAIL) ok 1 "$1: $what"; echo "#   $why" ;;
		TODO-PASS) todo 0 "$1: $what" ;;
		TODO-FAIL) todo 1 "$1: $what"; echo "#   $why" ;;
		'#') echo "#   $what" ;;
		*) ok 1 "$1: checker says: $st $what $why" ;;
		esac
	done
}

# dump_check NAME PROG [ARG]: facts, dump, image check, then the original
# goes on and must pass its own checks.
dump_check() {
	local name=$1 dir=$e2e_tmp/$1
	shift
	if ! wl_start "$dir" "$@"; then
		ok 1 "$name: workload starts"
		return 1
	fi
	tree_pids "$(cat "$dir/root")" >"$dir/pids"
	run_ok "$name: facts from /proc" $py $chk facts "$(cat "$dir/root")" "$dir/facts.json" ||
		return 1
	run_ok "$name: checkpoint --leave-running" $vzcr checkpoint --pid "$(cat "$dir/root")" \
		-D "$dir/img" --leave-running || return 1
	$py $chk check "$dir/img" "$dir/facts.json" "$pipe_data"$'\n' >"$dir/check" 2>&1
	report "$name" <"$dir/check"
	is "$(wl_verdict "$dir")" PASS "$name: the original runs on after the dump"
	wait_for 30 all_gone $(cat "$dir/pids")
}

# mutate DIR FILE PYTHON: decode DIR/FILE with crit, run PYTHON on its
# entries (list `e`), encode it back
mutate() {
	crit decode -i "$1/$2" -o "$1/$2.json" &&
		$py -c 'import json, sys
d = json.load(open(sys.argv[1]))
e = d["entries"]
exec(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"))' "$1/$2.json" "$3" &&
		crit encode -i "$1/$2.json" -o "$1/$2" && rm -f "$1/$2.json"
}

# spoiled NAME KIND FILE PYTHON DESC: a copy of NAME's images with FILE
# changed; the check of KIND must fail, all others must still pass
spoiled() {
	local src=$e2e_tmp/$1 dir=$e2e_tmp/$1-spoiled out
	rm -rf "$dir" && cp -a "$src/img" "$dir" || return
	mutate "$dir" "$3" "$4" || { ok 1 "spoiled $3 ($5): crit re-encodes it"; return; }
	out=$($py $chk check "$dir" "$src/facts.json" "$pipe_data"$'\n' | grep -v '^TODO\|^#')
	grep -q "^FAIL	$2[:+]" <<<"$out"
	ok $? "spoiled $3 ($5): the $2 check fails"
	grep "^FAIL" <<<"$out" | grep -v "^FAIL	$2[:+]" | sed 's/^/#   also: /' | head -n 3
}

dump_check tree tests/e2e/wl-tree 3 &&
	spoiled tree pstree pstree.img \
		'for x in e: x["pgid"], x["sid"] = x["sid"], x["pgid"]' "pgid and sid field numbers swapped"
dump_check mem tests/e2e/wl-mem 2 &&
	spoiled mem pagemap "$(cd "$e2e_tmp/mem/img" && ls pagemap-*.img)" \
		'e[-1]["nr_pages"] += 1' "one page more than pages-1.img holds"
if dump_check crit tests/e2e/wl-crit; then
	img=$e2e_tmp/crit/img
	core=$(cd "$img" && ls core-*.img | head -n1)
	spoiled crit core "$core" \
		'c = e[0]["thread_core"]["creds"]; c["uid"], c["suid"] = c["suid"], c["uid"]' \
		"uid and suid swapped"
	spoiled crit core "$core" \
		'e[0]["thread_core"]["blk_sigset"] ^= 4' "a bit more in the blocked mask"
	spoiled crit mm "$(cd "$img" && ls mm-*.img)" \
		'v = e[0]["vmas"][5]; v["prot"] ^= 2' "one VMA with another prot"
	spoiled crit fdinfo "$(cd "$img" && ls fdinfo-*.img)" \
		'e[-1]["fd"] += 1' "one fd number off"
	spoiled crit fs "$(cd "$img" && ls fs-*.img)" \
		'e[0]["umask"] = 0o22' "umask 022"
	spoiled crit pipes-data pipes-data.img \
		'e[0]["size"] = 65536' "pipe buffer size"
	spoiled crit inventory inventory.img \
		'e[0]["root_ids"]["files_id"] += 1' "root_ids"
	spoiled crit fs files.img \
		'[x["reg"].update(name="/tmp") for x in e if x.get("reg", {}).get("name", "").endswith("/cwd")]' \
		"another cwd name"
	# pages are raw: one byte of the first page changed
	dir=$e2e_tmp/crit-pages
	cp -a "$img" "$dir" && printf '\xa5' | dd of="$dir/pages-1.img" bs=1 seek=100 conv=notrunc status=none
	out=$($py $chk check "$dir" "$e2e_tmp/crit/facts.json" "$pipe_data"$'\n')
	grep -q "^FAIL	pagemap:.*differs" <<<"$out"
	ok $? "spoiled pages-1.img (one byte): the pagemap check sees the content differ"
fi
done_testing
