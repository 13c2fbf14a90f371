#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# gen-syscalls.sh TABLE OUT: syscall numbers of one arch as NR_name macros.
set -eu
tmp=$(mktemp)
{
	echo "/* SPDX-License-Identifier: GPL-2.0-only */"
	echo "/* Generated from $1 by scripts/gen-syscalls.sh: do not edit. */"
	echo "#ifndef VZCR_ASM_SYSCALL_NR_H"
	echo "#define VZCR_ASM_SYSCALL_NR_H"
	awk '!/^#/ && NF >= 2 { printf "#define NR_%s %s\n", $2, $1 }' "$1"
	echo "#endif /* VZCR_ASM_SYSCALL_NR_H */"
} >"$tmp"
mv "$tmp" "$2"
