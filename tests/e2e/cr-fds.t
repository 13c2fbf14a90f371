#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Files with state of their own across checkpoint/restore, each workload in
# both modes: eventfd, signalfd, timerfd and epoll (wl-fds-ev), inotify
# (wl-fds-inotify), memfd with its mappings (wl-fds-memfd).
set -u
. tests/lib/tap.sh
. tests/e2e/lib.sh

for mode in kill leave; do
	cr_run fds-ev $mode tests/e2e/wl-fds-ev
	cr_run fds-inotify $mode tests/e2e/wl-fds-inotify
	cr_run fds-memfd $mode tests/e2e/wl-fds-memfd
done
done_testing
