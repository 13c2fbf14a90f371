# SPDX-License-Identifier: GPL-2.0-only
# Waiting on processes, for the e2e tests and the benchmarks: bounded waits
# for events, the pids of a tree, whether pids are gone.

# wait_for SECONDS CMD...: until CMD succeeds; 1 on timeout
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.02
	done
	return 0
}

# pids of a tree, root first, from its /proc children lists
tree_pids() {
	local p=$1 c t
	echo "$p"
	for t in /proc/$p/task/*/children; do
		for c in $(cat "$t" 2>/dev/null); do
			tree_pids "$c"
		done
	done
}

all_gone() {
	local p
	for p in "$@"; do
		[ -d /proc/$p ] && return 1
	done
	return 0
}
