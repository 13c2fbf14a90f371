/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VZCR_VERSION_H
#define VZCR_VERSION_H
#define VZCR_VERSION "0.1.0"
#endif /* VZCR_VERSION_H */
