/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SERO_JSON_FILE_ERROR (sero_json_file_error_quark ())

typedef enum
{
  /* The file exists but is not valid JSON (or not the expected shape). */
  SERO_JSON_FILE_ERROR_CORRUPT,
} SeroJsonFileError;

/**
 * SeroJsonFileFlags:
 * @SERO_JSON_FILE_SECRET: the file holds credentials: a looser mode found on
 *   load is tightened to 0600 (and its folder to 0700) and logged.
 */
typedef enum
{
  SERO_JSON_FILE_NONE   = 0,
  SERO_JSON_FILE_SECRET = 1 << 0,
} SeroJsonFileFlags;

GQuark      sero_json_file_error_quark     (void);
JsonNode   *sero_json_file_load            (const char         *path,
                                            SeroJsonFileFlags   flags,
                                            GError            **error);
JsonObject *sero_json_file_load_object     (const char         *path,
                                            SeroJsonFileFlags   flags,
                                            GError            **error);
char       *sero_json_to_string            (JsonNode           *root);
gboolean    sero_json_file_save            (const char         *path,
                                            JsonNode           *root,
                                            SeroJsonFileFlags   flags,
                                            GError            **error);
gboolean    sero_json_file_save_object     (const char         *path,
                                            JsonObject         *object,
                                            SeroJsonFileFlags   flags,
                                            GError            **error);
char       *sero_json_file_quarantine      (const char         *path,
                                            GError            **error);
gboolean    sero_file_replace_contents     (const char         *path,
                                            const char         *contents,
                                            gssize              length,
                                            GError            **error);
gboolean    sero_file_ensure_private_dir   (const char         *path,
                                            GError            **error);
gboolean    sero_file_delete_tree          (GFile              *file,
                                            GCancellable       *cancellable,
                                            GError            **error);
gboolean    sero_file_tighten_mode         (const char         *path,
                                            guint               wanted_mode,
                                            GError            **error);

G_END_DECLS
