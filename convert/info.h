/* SPDX-License-Identifier: GPL-2.0-only */
/* ovz2img --info: what a dump holds, as text or JSON. */
#ifndef VZCR_CONVERT_INFO_H
#define VZCR_CONVERT_INFO_H

#include <stdbool.h>
#include <stdio.h>

#include "cpt.h"

void cpt_info_print(FILE *out, const struct cpt_file *f, const char *path, bool json);

#endif /* VZCR_CONVERT_INFO_H */
