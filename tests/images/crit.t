#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Outside decoder check: mkimages writes a sample image set with the engine
# and prints what each file holds; CRIU's crit must decode every file to the
# same fields and values (one TAP line per image file). Then crit encodes its
# JSON back to binary and mkimages -c must read that back unchanged.
set -u
py=/usr/bin/python3
crit=/usr/bin/crit
mk=tests/images/mkimages
if ! [ -x "$crit" ] || ! [ -x "$py" ]; then
	echo "1..0 # SKIP needs crit and python3 (Debian packages criu, python3)"
	exit 77
fi
if ! [ -x "$mk" ]; then
	echo "1..0 # SKIP $mk is not built (make tests)"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! "$mk" "$tmp/set" >"$tmp/expected.json"; then
	echo "1..1"
	echo "not ok 1 - mkimages writes the sample set"
	exit 1
fi

exec "$py" - "$crit" "$mk" "$tmp" <<'PYEOF'
import json, os, re, shutil, subprocess, sys

crit, mk, tmp = sys.argv[1:4]
setdir = os.path.join(tmp, 'set')
exp = json.load(open(os.path.join(tmp, 'expected.json')))
images, raw = exp['images'], exp['raw']
HEX = re.compile(r'^0x[0-9a-fA-F]+$')

def norm(v):
    """crit's way of printing, and ours, brought to one form."""
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str):
        if HEX.match(v):            # (criu).hex fields in --pretty output
            return int(v, 16)
        return v.replace('\n', '')  # base64 as crit wraps it
    return v

def diff(got, want, path=''):
    """First difference between two normalised values, or None."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(got) | set(want)):
            if k not in got:
                return '%s.%s: missing in crit output' % (path, k)
            if k not in want:
                return '%s.%s: unexpected, crit shows %r' % (path, k, got[k])
            d = diff(got[k], want[k], path + '.' + k)
            if d:
                return d
        return None
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            return '%s: %d items, expected %d' % (path, len(got), len(want))
        for i, (g, w) in enumerate(zip(got, want)):
            d = diff(g, w, '%s[%d]' % (path, i))
            if d:
                return d
        return None
    if got != want or type(got) != type(want):
        return '%s: crit shows %r, expected %r' % (path, got, want)
    return None

def decode(name, directory=setdir):
    r = subprocess.run([crit, 'decode', '-i', os.path.join(directory, name)],
                       capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr.strip()
    return json.loads(r.stdout), None

n = [0]
failed = [0]
def ok(cond, name, why=None):
    n[0] += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n[0], name))
    if not cond:
        failed[0] += 1
        if why:
            for line in str(why).splitlines():
                print('#   ' + line)
    sys.stdout.flush()

print('1..%d' % (len(images) + len(raw) + 4))

decoded = {}
for name in sorted(images):
    got, err = decode(name)
    if got is None:
        ok(False, 'crit decodes %s' % name, err)
        continue
    decoded[name] = got
    ok(diff(norm(got), norm(images[name])) is None, 'crit decodes %s as written' % name,
       diff(norm(got), norm(images[name])))

for name in sorted(raw):
    data = open(os.path.join(setdir, name), 'rb').read()
    ok(data.hex() == raw[name], '%s holds the raw bytes written (%d)' % (name, len(data)))

ok(sorted(os.listdir(setdir)) == sorted(list(images) + list(raw)),
   'the directory holds exactly the images written, no temporaries',
   sorted(os.listdir(setdir)))

# Known values read straight from crit's output, independent of the
# expected-JSON printer in mkimages.
def known():
    ps = decoded['pstree.img']['entries']
    core = decoded['core-1.img']['entries'][0]
    mm = decoded['mm-1.img']['entries'][0]
    files = decoded['files.img']['entries']
    checks = [
        ([p['pid'] for p in ps], [1, 2, 3]),
        (ps[0]['threads'], [1, 5, 6]),
        (decoded['inventory.img']['magic'], 'INVENTORY'),
        (core['mtype'], 'X86_64'),
        (norm(core['thread_info']['gpregs']['ip']), 0x7f0123456789),
        (norm(core['thread_info']['gpregs']['orig_ax']), 2**64 - 1),
        (core['tc']['comm'], 'init "ct101"'),
        (core['tc']['oom_score_adj'], -500),
        (core['thread_core']['sched_nice'], -5),
        (core['thread_core']['creds']['groups'], [0, 4, 27]),
        (mm['vmas'][1]['fd'], -1),
        (files[0]['reg']['mnt_id'], -2),
        (files[1]['type'], 'PIPE'),
        (decoded['utsns-1.img']['entries'][0]['nodename'], 'ct101.example.org'),
        (decoded['pagemap-1.img']['entries'][0], {'pages_id': 1}),
        (decoded['stats-dump']['entries'][0]['dump']['pages_scanned'], 5000000000),
    ]
    for i, (got, want) in enumerate(checks):
        if got != want:
            return 'check %d: crit shows %r, expected %r' % (i, got, want)
    return None
try:
    why = known()
except (KeyError, IndexError) as e:
    why = 'missing in crit output: %r' % e
ok(why is None, 'crit shows the known values', why)

# The comparison must be able to fail: a wrong value, a field under another
# name (what a wrong field number looks like) and a lost entry.
want = norm(images['pstree.img'])
bad_value = json.loads(json.dumps(want)); bad_value['entries'][1]['sid'] = 2
bad_name = json.loads(json.dumps(want)); bad_name['entries'][0]['session'] = bad_name['entries'][0].pop('sid')
bad_len = json.loads(json.dumps(want)); bad_len['entries'].pop()
got = norm(decoded.get('pstree.img', {}))
ok(all(diff(got, b) for b in (bad_value, bad_name, bad_len)) and diff(got, want) is None,
   'the comparison catches a wrong value, field name and entry count')

# crit encode: binary written by CRIU's tool, read by our reader.
redir = os.path.join(tmp, 'reencoded')
os.mkdir(redir)
err = None
for name in images:
    j = os.path.join(tmp, name + '.json')
    r = subprocess.run([crit, 'decode', '-i', os.path.join(setdir, name), '-o', j],
                       capture_output=True, text=True)
    if not r.returncode:
        r = subprocess.run([crit, 'encode', '-i', j, '-o', os.path.join(redir, name)],
                           capture_output=True, text=True)
    if r.returncode:
        err = '%s: %s' % (name, r.stderr.strip())
        break
for name in raw:
    shutil.copy(os.path.join(setdir, name), redir)
if err is None:
    r = subprocess.run([mk, '-c', redir], capture_output=True, text=True)
    err = r.stderr.strip() if r.returncode else None
ok(err is None, 'images re-encoded by crit encode read back unchanged', err)

sys.exit(1 if failed[0] else 0)
PYEOF
