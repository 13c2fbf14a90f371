# SPDX-License-Identifier: GPL-2.0-only
# test-image: framing, refusals and round trips of engine/images.
# mkimages: writes a sample image set for crit.t; schema.t checks the
# .proto files against CRIU's own descriptors.
test-y += test-image
helper-y += mkimages
