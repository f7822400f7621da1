/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SERO_SESSION_VERSION 3

#define SERO_SESSION_ERROR (sero_session_error_quark ())

typedef enum
{
  SERO_SESSION_ERROR_INVALID,
  SERO_SESSION_ERROR_NOT_FOUND,
} SeroSessionError;

#define SERO_TYPE_SESSION_FILE (sero_session_file_get_type ())

G_DECLARE_FINAL_TYPE (SeroSessionFile, sero_session_file, SERO, SESSION_FILE, GObject)

GQuark           sero_session_error_quark           (void);
SeroSessionFile *sero_session_file_create           (const char       *sessions_dir,
                                                     const char       *cwd,
                                                     GError          **error);
SeroSessionFile *sero_session_file_open             (const char       *path,
                                                     GError          **error);
const char      *sero_session_file_get_path         (SeroSessionFile  *self);
const char      *sero_session_file_get_id           (SeroSessionFile  *self);
const char      *sero_session_file_get_cwd          (SeroSessionFile  *self);
const char      *sero_session_file_get_timestamp    (SeroSessionFile  *self);
const char      *sero_session_file_get_name         (SeroSessionFile  *self);
const char      *sero_session_file_get_leaf_id      (SeroSessionFile  *self);
guint            sero_session_file_get_n_entries    (SeroSessionFile  *self);
JsonObject      *sero_session_file_get_entry        (SeroSessionFile  *self,
                                                     guint             position);
GPtrArray       *sero_session_file_get_branch       (SeroSessionFile  *self);
char            *sero_session_file_dup_title        (SeroSessionFile  *self);
const char      *sero_session_file_append           (SeroSessionFile  *self,
                                                     JsonObject       *entry,
                                                     GError          **error);
const char      *sero_session_file_append_message   (SeroSessionFile  *self,
                                                     JsonObject       *message,
                                                     GError          **error);
const char      *sero_session_file_append_model_change (SeroSessionFile *self,
                                                     const char       *provider,
                                                     const char       *model_id,
                                                     GError          **error);
const char      *sero_session_file_append_session_info (SeroSessionFile *self,
                                                     const char       *name,
                                                     GError          **error);
JsonObject      *sero_session_message_new_text      (const char       *role,
                                                     const char       *text);

GPtrArray       *sero_session_list                  (const char       *sessions_dir,
                                                     const char       *cwd,
                                                     GError          **error);
SeroSessionFile *sero_session_find                  (const char       *sessions_dir,
                                                     const char       *id,
                                                     GError          **error);

G_END_DECLS
