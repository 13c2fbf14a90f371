# SPDX-License-Identifier: GPL-2.0-only
# Shared by tests/convert/*.t (after tests/lib/tap.sh): the programs they
# drive and a temporary directory that goes away on every exit.
ovz=convert/ovz2img
mk=tests/convert/mkcpt
live=tests/convert/cptlive

# conv_tmpdir [CLEANUP]: $tmp, removed at exit (kept when KEEP is set)
# after the shell command CLEANUP (unmounts, links) has run
conv_tmpdir() {
	tmp=$(mktemp -d) || bail_out "mktemp failed"
	conv_cleanup=${1:-:}
	trap 'eval "$conv_cleanup"; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
	trap 'exit 1' INT TERM
}

# live_chain NAME GEN-OPTION WORKLOAD CHECKS [MANGLE] (after tests/e2e/lib.sh):
# WORKLOAD started, dumped live by cptlive (GEN-OPTION: "" or --rhel5) and
# killed, translated by ovz2img into $e2e_tmp/NAME/img, checked there by
# `CHECKS NAME DIR`, changed by `MANGLE IMGDIR` if given, restored; maps and
# fds compared. 0 with the workload's verdict in DIR/verdict, or 1.
live_chain() {
	local name=$1 opt=$2 wl=$3 checks=$4 mangle=${5:-} dir=$e2e_tmp/$1 pid
	if ! wl_start "$dir" "$wl"; then
		ok 1 "$name: workload starts"
		return 1
	fi
	pid=$(cat "$dir/root")
	tree_pids "$pid" >"$dir/pids"
	snapshot "$dir" >"$dir/before"
	run_ok "$name: cptlive dumps the live process and kills it" \
		$live $opt --kill "$pid" "$dir/dump.cpt" || return 1
	wait_for 30 all_gone $(cat "$dir/pids")
	ok $? "$name: the dumped process is gone"
	run_ok "$name: ovz2img translates it" $ovz "$dir/dump.cpt" "$dir/img" || return 1
	$checks "$name" "$dir"
	[ -n "$mangle" ] && $mangle "$dir/img"
	run_ok "$name: vzcr restore" $tvzcr restore -D "$dir/img" --pidfile "$dir/restored" ||
		return 1
	is "$(cat "$dir/restored")" "$pid" "$name: the process has its pid"
	snapshot "$dir" >"$dir/after"
	diff -u "$dir/before" "$dir/after" >"$dir/diff"
	ok $? "$name: maps and fds as before"
	[ -s "$dir/diff" ] && head -n 20 "$dir/diff" | sed 's/^/#   /'
	wl_verdict "$dir" >"$dir/verdict"
	[ -s "$dir/out" ] && sed 's/^/#   /' "$dir/out"
	return 0
}
