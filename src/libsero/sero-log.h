/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean    sero_log_init          (const char  *component,
                                    const char  *logs_dir,
                                    GError     **error);
const char *sero_log_get_path      (void);
void        sero_log_shutdown      (void);

G_END_DECLS
