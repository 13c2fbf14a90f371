#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Memory of process trees across checkpoint/restore, in both modes, and
# what the images hold for it.
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

# check_sparse DIR: the images of wl-sparse store exactly its data pages,
# per its DIR/layout; prints "OK" or what is wrong
check_sparse() {
	python3 - "$1" "$vzcr" <<'PYEOF'
import json, os, subprocess, sys
d, vzcr = sys.argv[1:]
img = d + '/img'
PG = 4096

def entries(name):
    out = subprocess.check_output([vzcr, 'image', 'show', '--json', img + '/' + name])
    e = json.loads(out)['entries']
    return e[0]['pages_id'], [(x['vaddr'], x['nr_pages']) for x in e[1:]]

def check(name, data, empty, errs):
    pid, ents = entries(name)
    stored = sum(n for _, n in ents)
    size = os.path.getsize('%s/pages-%d.img' % (img, pid))
    if size != stored * PG:
        errs.append('%s: pages-%d.img has %d bytes for %d pages' % (name, pid, size, stored))
    def covered(a):
        return any(v <= a < v + n * PG for v, n in ents)
    for a, n in data:
        miss = [a + i * PG for i in range(n) if not covered(a + i * PG)]
        if miss:
            errs.append('%s: %d data pages not stored, first %#x' % (name, len(miss), miss[0]))
    for a, n in empty:
        extra = [a + i * PG for i in range(n) if covered(a + i * PG)]
        if extra:
            errs.append('%s: %d empty pages stored, first %#x' % (name, len(extra), extra[0]))
    return stored

errs = []
data, empty, shm = [], [], None
for line in open(d + '/layout'):
    k, a, n = line.split()
    if k == 'shmem':
        shm = (int(a), int(n))
    else:
        (data if k == 'data' else empty).append((int(a), int(n)))
check('pagemap-%s.img' % open(d + '/root').read().strip(), data, empty, errs)
stored = check('pagemap-shmem-%d.img' % shm[0], [(0, shm[1])], [(shm[1] * PG, 60)], errs)
if stored != shm[1]:
    errs.append('shared memory: %d pages stored, %d have data' % (stored, shm[1]))
print('; '.join(errs) if errs else 'OK')
PYEOF
}

# big: a process with 1 GiB (VZCR_BIG_MIB) of touched memory through
# checkpoint and restore. Its speed is measured by make bench, not here.
big() {
	cr_run big kill tests/e2e/wl-mem "$1"
	kill -9 "$(cat "$e2e_tmp/big-kill/root" 2>/dev/null)" 2>/dev/null
}

# refuse NAME KIND PATTERN: wl-refuse KIND cannot be dumped: the dump fails
# with a message matching PATTERN, leaves no image, the tree runs on
refuse() {
	local dir=$e2e_tmp/refuse-$1 pid out rc
	mkdir -p "$dir"
	setsid tests/e2e/wl-refuse "$dir" "$2" </dev/null >"$dir/out" 2>&1 &
	wait_for 30 test -s "$dir/ready" || { ok 1 "refuse/$1: workload starts"; return; }
	pid=$(head -n1 "$dir/ready")
	echo "$pid" >"$dir/root"
	echo "$pid" >"$dir/pids"
	out=$($vzcr checkpoint --pid "$pid" -D "$dir/img" 2>&1)
	rc=$?
	ok $((!rc)) "refuse/$1: the checkpoint fails"
	printf '%s\n' "$out" | grep -q "$3"
	ok $? "refuse/$1: and says why"
	printf '%s\n' "$out" | grep -q "$3" || printf '%s\n' "$out" | sed 's/^/#   /' | head -n 5
	is "$(ls -A "$dir/img" 2>/dev/null)" "" "refuse/$1: no image is left"
	is "$(wl_verdict "$dir")" PASS "refuse/$1: the tree runs on untouched"
}

refuse unlinked 1 "mapping .* of the unlinked file '.*/gone': not supported"
refuse sysv 3 "SysV shm id .*: part of the segment .*not supported"

for mode in kill leave; do
	cr_run shmem $mode tests/e2e/wl-shmem
	diag "shmem/$mode: $(cat "$e2e_tmp/shmem-$mode/pss" 2>/dev/null)"
	cr_run vma $mode tests/e2e/wl-vma
	[ -e "$e2e_tmp/vma-$mode/unnamed" ] &&
		diag "vma/$mode: this kernel cannot name VMAs (no CONFIG_ANON_VMA_NAME): names untested"
	cr_run sparse $mode tests/e2e/wl-sparse
	is "$(check_sparse "$e2e_tmp/sparse-$mode")" OK \
		"sparse/$mode: only data pages are in the images"
	cr_run vdso $mode tests/e2e/wl-vdso
done
big ${VZCR_BIG_MIB:-1024}
done_testing
