/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *key;
  char *value;
  guint line;
} SeroEnvEntry;

GPtrArray *sero_env_file_parse (const char  *contents,
                                const char  *filename,
                                GError     **error);
GStrv      sero_env_file_load  (const char  *path,
                                GError     **error);

G_END_DECLS
