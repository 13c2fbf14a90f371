#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Our engine/images/*.proto against the descriptors of the installed CRIU
# (pycriu): every message and enum we define must exist there with the same
# field names, numbers, types, labels and defaults. One TAP line per .proto.
set -u
py=/usr/bin/python3
pycriu=/usr/lib/python3/dist-packages/pycriu/images
if ! [ -d "$pycriu" ] || ! command -v protoc-c >/dev/null || ! [ -x "$py" ]; then
	echo "1..0 # SKIP needs protoc-c, python3 and pycriu (Debian package criu)"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
protoc-c --proto_path=engine/images --include_imports \
	--descriptor_set_out="$tmp/ours.pb" engine/images/*.proto || {
	echo "1..1"; echo "not ok 1 - protoc-c compiles engine/images/*.proto"; exit 1; }

exec "$py" - "$tmp/ours.pb" engine/images/*.proto <<'PYEOF'
import sys, os, importlib
sys.path.insert(0, '/usr/lib/python3/dist-packages')
from google.protobuf import descriptor_pb2 as dpb
from google.protobuf.descriptor import FieldDescriptor as FD

# Fields CRIU has and vzcr leaves out on purpose (other arches; file kinds
# vzcr does not write yet). Anything else missing is a failure.
OMITTED = {
    'core_entry': {'ti_arm', 'ti_aarch64', 'ti_ppc64', 'ti_s390', 'ti_mips'},
    'file_entry': {'isk', 'nsf', 'psk', 'nlsk', 'efd', 'epfd', 'sgfd', 'tunf',
                   'tfd', 'ify', 'ffy', 'ext', 'usk', 'fifo', 'tty', 'memfd', 'bpf'},
}

fds = dpb.FileDescriptorSet()
fds.ParseFromString(open(sys.argv[1], 'rb').read())
ours = {f.name: f for f in fds.file}
# vzcr's own schemas (vzcr-*.proto, engine/images/README) have no CRIU counterpart
files = [os.path.basename(p) for p in sys.argv[2:] if not os.path.basename(p).startswith('vzcr-')]

def theirs_file(name):
    mod = 'pycriu.images.' + name[:-len('.proto')].replace('-', '_') + '_pb2'
    return importlib.import_module(mod).DESCRIPTOR

def cmp_enum(ours_e, theirs_e, where, errs):
    tv = {v.name: v.number for v in theirs_e.values}
    for v in ours_e.value:
        if tv.get(v.name) != v.number:
            errs.append('%s: enum value %s=%d, CRIU has %s' % (where, v.name, v.number, tv.get(v.name)))
    missing = set(tv) - {v.name for v in ours_e.value}
    if missing:
        errs.append('%s: enum values missing: %s' % (where, sorted(missing)))

def tname(f):
    return f.type_name.lstrip('.')

def default_str(tf):
    if not tf.has_default_value:
        return ''
    v = tf.default_value
    if tf.type == FD.TYPE_ENUM:
        return tf.enum_type.values_by_number[v].name
    if tf.type == FD.TYPE_BOOL:
        return 'true' if v else 'false'
    return str(v)

def cmp_msg(om, tm, errs):
    where = tm.full_name
    tf_by_name = {f.name: f for f in tm.fields}
    for of in om.field:
        if of.number >= 1000:
            continue    # vzcr's own fields (engine/images/README)
        tf = tf_by_name.pop(of.name, None)
        if tf is None:
            errs.append('%s.%s: CRIU has no such field' % (where, of.name))
            continue
        theirs_t = tf.message_type.full_name if tf.message_type else \
            tf.enum_type.full_name if tf.enum_type else ''
        got = (of.number, of.type, of.label, tname(of), of.default_value)
        want = (tf.number, tf.type, tf.label, theirs_t, default_str(tf))
        if got != want:
            errs.append('%s.%s: ours (number, type, label, type name, default) %r, CRIU %r'
                        % (where, of.name, got, want))
    left = set(tf_by_name) - OMITTED.get(where, set())
    if left:
        errs.append('%s: fields missing: %s' % (where, sorted(left)))
    for e in om.enum_type:
        cmp_enum(e, tm.enum_types_by_name[e.name], where + '.' + e.name, errs)
    for n in om.nested_type:
        if n.name not in tm.nested_types_by_name:
            errs.append('%s.%s: CRIU has no such message' % (where, n.name))
        else:
            cmp_msg(n, tm.nested_types_by_name[n.name], errs)

print('1..%d' % len(files))
failed = 0
for i, name in enumerate(files, 1):
    errs = []
    try:
        theirs = theirs_file(name)
    except ImportError as e:
        errs.append('no CRIU schema for %s: %s' % (name, e))
    else:
        of = ours[name]
        if of.syntax not in ('', 'proto2'):
            errs.append('syntax %s, CRIU uses proto2' % of.syntax)
        if of.package != theirs.package:
            errs.append('package %r, CRIU %r' % (of.package, theirs.package))
        for e in of.enum_type:
            if e.name not in theirs.enum_types_by_name:
                errs.append('enum %s: not in CRIU' % e.name)
            else:
                cmp_enum(e, theirs.enum_types_by_name[e.name], e.name, errs)
        for m in of.message_type:
            if m.name not in theirs.message_types_by_name:
                errs.append('message %s: not in CRIU' % m.name)
            else:
                cmp_msg(m, theirs.message_types_by_name[m.name], errs)
    print('%s %d - %s matches CRIU' % ('not ok' if errs else 'ok', i, name))
    for e in errs:
        print('#   ' + e)
    failed += bool(errs)
sys.exit(1 if failed else 0)
PYEOF
