# SPDX-License-Identifier: GPL-2.0-only
# Tearing down test filesystems, for the ploopsync tests and benchmarks.

# undo_mounts "MOUNTS" "LOOPS": unmount each directory of MOUNTS (lazily if it
# is busy), then detach each loop device of LOOPS, in the order given (the
# callers list the newest first); errors are ignored, it is a cleanup
undo_mounts() {
	local m l
	for m in $1; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	for l in $2; do
		losetup -d "$l" 2>/dev/null
	done
}
