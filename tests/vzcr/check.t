#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vzcr check: exit status, one line per feature, JSON that parses and agrees
# with the text, answers that agree with evidence gathered here another way,
# and usage errors. Run from the top of the tree (prove --exec tests/lib/run).
set -u

vzcr=vzcr/vzcr
py=/usr/bin/python3
if [ ! -x "$vzcr" ]; then
	echo "1..0 # SKIP $vzcr is not built"
	exit 77
fi
if [ ! -x "$py" ]; then
	echo "1..0 # SKIP $py is needed to read the JSON"
	exit 77
fi

tmp=$(mktemp -d /tmp/vzcr-check-t.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. tests/lib/tap.sh

# pycheck DESCRIPTION CODE: run python CODE with j (the JSON) and text
# (the text output) loaded; it passes unless it raises or exits non-zero
pycheck() {
	local desc=$1 code=$2
	"$py" - "$tmp/out.json" "$tmp/out.txt" >"$tmp/py.log" 2>&1 <<EOF
import json, sys
j = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
$code
EOF
	local rc=$?
	ok $rc "$desc"
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/py.log"
}

"$vzcr" check >"$tmp/out.txt" 2>"$tmp/err.txt"
ok $? "vzcr check exits 0 (all required features present here)"
"$vzcr" check --json >"$tmp/out.json" 2>>"$tmp/err.txt"
rc=$?
ok $rc "vzcr check --json exits 0"
[ -s "$tmp/err.txt" ] && sed 's/^/# stderr: /' "$tmp/err.txt"

"$py" -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/out.json" 2>/dev/null
ok $? "--json prints valid JSON"

pycheck "JSON has the documented fields and types" '
assert set(j) == {"features", "dirty_tracker", "ok", "missing"}, j.keys()
assert j["features"], "no features"
for f in j["features"]:
    assert set(f) == {"key", "name", "have", "required", "purpose", "detail"}, f
    assert all(isinstance(f[k], str) and f[k] for k in ("key", "name", "purpose", "detail")), f
    assert isinstance(f["have"], bool) and isinstance(f["required"], bool), f
assert len({f["key"] for f in j["features"]}) == len(j["features"]), "duplicate keys"
assert isinstance(j["ok"], bool) and isinstance(j["missing"], list)
'

pycheck "\"ok\" and \"missing\" follow from the features" '
missing = [f["key"] for f in j["features"] if f["required"] and not f["have"]]
assert j["missing"] == missing, (j["missing"], missing)
assert j["ok"] == (not missing)
assert j["ok"], "required features missing here: %s" % missing
'

pycheck "text prints every feature, one line each, as the JSON says" '
lines = [l for l in text.splitlines() if l.strip()]
for f in j["features"]:
    mine = [l for l in lines if l.startswith(f["name"] + " ")]
    assert len(mine) == 1, (f["name"], mine)
    rest = mine[0][len(f["name"]):].split()
    assert rest[0] == ("yes" if f["have"] else "no"), (f["key"], rest[0])
    assert rest[1] == ("required" if f["required"] else "optional"), (f["key"], rest[1])
    assert f["purpose"] in mine[0], f["key"]
    # socket counts may change between the two runs
    if not f["key"].startswith("sock-diag"):
        assert mine[0].endswith("[" + f["detail"] + "]"), (mine[0], f["detail"])
'

pycheck "text names the same dirty-memory tracker as the JSON" '
names = {"soft-dirty": "soft-dirty", "pagemap-scan": "PAGEMAP_SCAN", "hash": "page hash"}
line = [l for l in text.splitlines() if l.startswith("dirty-memory tracker: ")]
assert len(line) == 1, line
assert line[0].split(": ", 1)[1].startswith(names[j["dirty_tracker"]]), (line, j["dirty_tracker"])
'

pycheck "text ends saying all required features are present" '
assert text.rstrip().splitlines()[-1] == "All required features are present.", text[-200:]
'

# soft-dirty: a kernel that tracks it shows "sd" in the VmFlags of new mappings
if grep -qE '^VmFlags:.* sd( |$)' /proc/self/smaps; then sd=True; else sd=False; fi
pycheck "soft-dirty agrees with the smaps \"sd\" flag (sd: $sd)" '
f = {f["key"]: f for f in j["features"]}
assert f["soft-dirty"]["have"] == '"$sd"', f["soft-dirty"]
assert (j["dirty_tracker"] == "soft-dirty") == '"$sd"', j["dirty_tracker"]
'

# PAGEMAP_SCAN: a kernel with the ioctl rejects a zeroed argument with EINVAL,
# one without it answers ENOTTY; only uffd-wp can then still say no
pycheck "pagemap-scan agrees with an ioctl on /proc/self/pagemap" '
import errno, fcntl, os
PAGEMAP_SCAN = 0xc0606610  # _IOWR("f", 16, struct pm_scan_arg), 96 bytes
fd = os.open("/proc/self/pagemap", os.O_RDONLY)
try:
    fcntl.ioctl(fd, PAGEMAP_SCAN, bytearray(96), True)
    raise AssertionError("a zeroed pm_scan_arg was accepted")
except OSError as e:
    err = e.errno
f = {f["key"]: f for f in j["features"]}["pagemap-scan"]
assert err in (errno.EINVAL, errno.ENOTTY), errno.errorcode.get(err)
if err == errno.ENOTTY:
    assert not f["have"], f
elif not f["have"]:
    assert "UFFD" in f["detail"] or "userfaultfd" in f["detail"], f
if f["have"]:
    assert j["dirty_tracker"] in ("soft-dirty", "pagemap-scan"), j["dirty_tracker"]
'

pycheck "namespaces agree with /proc/self/ns" '
import os
f = {f["key"]: f for f in j["features"]}
have = f["namespaces"]["detail"].split(";")[0].split()
for ns in ("mnt", "uts", "ipc", "pid", "net", "user", "cgroup", "time"):
    assert (ns in have) == os.path.exists("/proc/self/ns/" + ns), ns
'

# the "missing" path: an unprivileged user lacks some required features here
# (map_files needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE)
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
if [ "$(id -u)" -eq 0 ] && $nobody true 2>/dev/null; then
	$nobody "$vzcr" check >"$tmp/out.txt" 2>/dev/null
	rc_text=$?
	$nobody "$vzcr" check --json >"$tmp/out.json" 2>/dev/null
	rc_json=$?
	pycheck "as nobody: exit status 1 iff required features are missing, named last" '
rc_text, rc_json = '"$rc_text, $rc_json"'
missing = [f for f in j["features"] if f["required"] and not f["have"]]
assert rc_json == rc_text == (1 if missing else 0), (rc_text, rc_json, missing)
last = text.rstrip().splitlines()[-1]
if missing:
    assert last == "Missing required features: " + ", ".join(f["name"] for f in missing), last
    assert j["missing"] == [f["key"] for f in missing] and not j["ok"]
'
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # skip needs root and setpriv to run as nobody"
fi

"$vzcr" check --bogus >"$tmp/out" 2>"$tmp/err"
rc=$?
ok $((rc != 2)) "vzcr check --bogus exits 2 (got $rc)"
grep -q "Usage: vzcr check" "$tmp/err"
ok $? "and prints the usage on stderr"
grep -q -- "--bogus" "$tmp/err"
ok $? "naming the unknown option"
[ ! -s "$tmp/out" ]
ok $? "and nothing on stdout"

"$vzcr" check extra >/dev/null 2>"$tmp/err"
rc=$?
ok $((rc != 2)) "vzcr check with an argument exits 2 (got $rc)"

"$vzcr" check --help >"$tmp/out" 2>"$tmp/err"
rc=$?
ok $rc "vzcr check --help exits 0"
head -1 "$tmp/out" | grep -q "^Usage: vzcr check \[--json\]"
ok $? "and prints the usage on stdout"
"$vzcr" check -h >"$tmp/out2" 2>/dev/null && cmp -s "$tmp/out" "$tmp/out2"
ok $? "-h is --help"

done_testing
