/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-paths.h"

G_BEGIN_DECLS

char *sero_diagnostics_report (SeroPaths *paths);

G_END_DECLS
