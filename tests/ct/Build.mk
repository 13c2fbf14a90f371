# SPDX-License-Identifier: GPL-2.0-only
# Container lifecycle tests are bash scripts (*.t); no C unit tests yet.
