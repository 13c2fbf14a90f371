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
