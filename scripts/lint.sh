#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# House rules the compiler does not check (../shared/STYLE.md).
set -u
fail=0
src=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './engine/images/gen/*')
err() { echo "lint: $*" >&2; fail=1; }

for f in $src; do
	head -n1 "$f" | grep -q 'SPDX-License-Identifier' || err "$f: first line is not an SPDX line"
done
# arch-specific conditionals belong under arch/
for f in $(echo "$src" | tr ' ' '\n' | grep -v '^arch/' | grep -v '^tests/'); do
	grep -nE '#\s*if.*(__x86_64__|__i386__|__aarch64__)' "$f" && err "$f: arch #if outside arch/"
done
# parts talk through headers in include/, never through ../ paths
for f in $src; do
	grep -n '#include "\.\./' "$f" && err "$f: #include of a ../ path"
done
# logging goes through the pr_* macros
for f in $(echo "$src" | tr ' ' '\n' | grep -vE '^(tests/|engine/lib/log\.c|vzcr/)'); do
	grep -nE '^\s*(perror|fprintf\(stderr)' "$f" && err "$f: use pr_err/pr_perror, not perror/fprintf(stderr)"
done
for f in $src; do
	n=$(wc -l <"$f")
	[ "$n" -le 1500 ] || err "$f: $n lines, over the 1500-line limit"
done
exit $fail
