# SPDX-License-Identifier: GPL-2.0-only
# TAP helpers for the bash tests (*.t), sourced from the top of the tree.
# ok STATUS DESC; run_ok DESC CMD...; is GOT WANT DESC; skip_all REASON;
# done_testing prints the plan and exits 0 only if every point passed.
tap_n=0
tap_failed=0

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# run_ok DESC CMD...: CMD must exit 0; its output is shown as diagnostics if not
run_ok() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	ok $rc "$desc"
	[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /' | head -n 40
	return $rc
}

is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got: '$1'"
		echo "#   expected: '$2'"
	fi
}

diag() {
	echo "# $*"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}

bail_out() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
