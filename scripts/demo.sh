#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make demo: the main job on this host. Until the engine can dump a workload,
# this shows what the kernel offers the engine.
set -eu
cd "$(dirname "$0")/.."
echo "== vzcr check: what this kernel offers the engine"
vzcr/vzcr check
