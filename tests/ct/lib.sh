# SPDX-License-Identifier: GPL-2.0-only
# Helpers shared by the container tests. The caller sets $vzcr and $tmp, and
# $ct (the CT that inct and state speak of).

# st CMD...: the exit status of CMD; its stdout and stderr in $tmp/out, $tmp/err
st() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	echo $?
}

# ran DESC CMD...: one TAP point for CMD succeeding; what it said if it did not
ran() {
	local desc=$1 rc
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ok $rc "$desc"
	[ $rc -eq 0 ] || sed 's/^/#   /' "$tmp/err" "$tmp/out"
	return $rc
}

# errhas TEXT DESC: one TAP point for $tmp/err saying TEXT; all of it if not
errhas() {
	local r
	grep -qF -- "$1" "$tmp/err"
	r=$?
	ok $r "$2"
	[ $r -eq 0 ] || sed 's/^/#   /' "$tmp/err"
}

# inct CMD...: CMD run in CT $ct, its output and errors
inct() {
	"$vzcr" exec "$ct" "$@" 2>&1
}

# state KEY: KEY of CT $ct's runtime state
state() {
	sed -n "s/^$1=//p" "$VZCR_ROOT/var/run/vzcr/$ct.state" 2>/dev/null
}

# ct_kill_left STATEFILE: after a failed stop, kill the CT's init, delete its
# host veth and its cgroup (it empties once init is reaped)
ct_kill_left() {
	local s=$1 pid veth cg i
	[ -e "$s" ] || return 0
	pid=$(sed -n 's/^INIT_PID=//p' "$s")
	veth=$(sed -n 's/^VETH_HOST=//p' "$s")
	cg=$(sed -n 's/^CGROUP=//p' "$s")
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$veth" ] && ip link del "$veth" 2>/dev/null
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -n "$cg" ] && [ -d "$cg" ] || break
		rmdir "$cg" 2>/dev/null && break
		sleep 0.3
	done
	[ -n "$cg" ] && rmdir "$(dirname "$cg")" 2>/dev/null
	return 0
}
