/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *sero_slugify                 (const char *name,
                                        const char *fallback);
gboolean  sero_is_valid_variable_name  (const char *name);

G_END_DECLS
