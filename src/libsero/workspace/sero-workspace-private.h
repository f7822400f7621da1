/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-workspace.h"

G_BEGIN_DECLS

void _sero_workspace_set_directory (SeroWorkspace *self,
                                    GHashTable    *directory);

G_END_DECLS
