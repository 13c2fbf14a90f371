# SPDX-License-Identifier: GPL-2.0-only
# The client outside the tree of cr-sock.t's TCP peer test: connect to
# 127.0.0.1:PORT, ping1/pong1, then wait for DIR/dumped (the server's tree
# is dumped and gone) and send ping2 at once, into the void: it must be
# neither reset nor lost, and pong2 must come on the same connection once
# the tree is restored. Writes DIR/sent, then DIR/client: PASS or FAIL.
import os, socket, sys, time

d, port = sys.argv[1], int(sys.argv[2])
res = 'FAIL: no answer'
try:
    s = socket.create_connection(('127.0.0.1', port), timeout=30)
    s.sendall(b'ping1')
    if s.recv(64) != b'pong1':
        raise RuntimeError('bad pong1')
    open(os.path.join(d, 'connected'), 'w').write('yes\n')
    end = time.time() + 120
    while not os.path.exists(os.path.join(d, 'dumped')):
        if time.time() > end:
            raise RuntimeError('no dump')
        time.sleep(0.05)
    s.sendall(b'ping2')
    open(os.path.join(d, 'sent'), 'w').write('yes\n')
    s.settimeout(60)
    got = s.recv(64)
    res = 'PASS' if got == b'pong2' else 'FAIL: got %r after the restore' % got
except Exception as e:
    res = 'FAIL: %s' % e
open(os.path.join(d, 'client'), 'w').write(res + '\n')
