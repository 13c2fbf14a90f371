# SPDX-License-Identifier: GPL-2.0-only
# test-stream: the wire format; test-recv: the receiver against forged streams;
# test-send: the sender library driven pass by pass;
# test-tracefs: the tracefs format and ring-buffer page parsers;
# test-tracker-ploop: the ploop tracker against a fake ploop driver;
# ps-writer: a random writer the *.t tests run during the passes.
test-y += test-stream test-recv test-send
test-y += test-codec
test-y += test-tracefs
test-y += test-tracker-ploop
helper-y += ps-writer
helper-y += mkploopcopy
