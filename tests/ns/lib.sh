# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the namespace tests (tests/ns/*.t), sourced after tests/lib/tap.sh:
# ns_start OPTS... starts a namespace set holding a sleep (unshare --fork
# --pid OPTS), with $nspid its pid on the host; ns_stop ends it and waits
# until its pids are gone. ns_cleanup (the tests' EXIT trap) stops every set
# started and removes $tmp.
. tests/lib/proc.sh

nstool=$PWD/tests/ns/nstool
[ -x "$nstool" ] || bail_out "$nstool is not built"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, mounts, links)"
command -v unshare >/dev/null && command -v nsenter >/dev/null ||
	skip_all "needs unshare and nsenter (util-linux)"
ns_holders=
ns_links=

# ns_start OPTS... [-- CMD...]: the set's first task runs CMD (default: sleep)
ns_start() {
	local opts=() holder
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	[ "${1-}" = "--" ] && shift
	[ $# -gt 0 ] || set -- sleep 1000
	unshare --fork --pid --kill-child "${opts[@]}" "$@" </dev/null &
	holder=$!
	ns_holders="$ns_holders $holder"
	nspid=
	wait_for 10 ns_child "$holder" || bail_out "the namespace set did not start"
}

ns_child() {
	nspid=$(cat /proc/"$1"/task/"$1"/children 2>/dev/null | awk '{print $1}')
	[ -n "$nspid" ]
}

# ns_stop: kill the set (its holder kills its child) and wait until it is gone
ns_stop() {
	local h
	for h in $ns_holders; do
		kill -9 "$h" 2>/dev/null
		wait "$h" 2>/dev/null
	done
	[ -n "${nspid-}" ] && wait_for 10 all_gone "$nspid"
	ns_holders=
}

ns_cleanup() {
	local l
	ns_stop
	for l in $ns_links; do
		ip link del "$l" 2>/dev/null
	done
	[ -n "${tmp-}" ] && rm -rf "$tmp"
}
