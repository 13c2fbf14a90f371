# SPDX-License-Identifier: GPL-2.0-only
# test-stream: the wire format; test-recv: the receiver against forged streams;
# ps-writer: a random writer the *.t tests run during the passes.
test-y += test-stream test-recv
helper-y += ps-writer
