/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * SeroRuntimeBackend:
 * The runtime a workspace asks for, as stored in `.sero-workspace.json`
 * (`runtime.backend`). DOCKER means an OCI engine: Podman or Docker.
 */
typedef enum
{
  SERO_RUNTIME_BACKEND_HOST,
  SERO_RUNTIME_BACKEND_DOCKER,
  SERO_RUNTIME_BACKEND_APPLE_CONTAINER,
} SeroRuntimeBackend;

#define SERO_WORKSPACE_ERROR (sero_workspace_error_quark ())

typedef enum
{
  SERO_WORKSPACE_ERROR_INVALID,
  SERO_WORKSPACE_ERROR_NOT_FOUND,
  SERO_WORKSPACE_ERROR_PROTECTED,
  SERO_WORKSPACE_ERROR_CONFIG,
} SeroWorkspaceError;

#define SERO_WORKSPACE_GLOBAL_ID "global"
#define SERO_WORKSPACE_CONFIG_NAME ".sero-workspace.json"

#define SERO_TYPE_WORKSPACE (sero_workspace_get_type ())

G_DECLARE_FINAL_TYPE (SeroWorkspace, sero_workspace, SERO, WORKSPACE, GObject)

GQuark              sero_workspace_error_quark             (void);
const char         *sero_runtime_backend_to_string         (SeroRuntimeBackend   backend);
gboolean            sero_runtime_backend_from_string       (const char          *string,
                                                            SeroRuntimeBackend  *backend);
SeroRuntimeBackend  sero_runtime_backend_platform_container (void);
gboolean            sero_workspace_id_is_valid             (const char          *id);
char               *sero_workspace_slugify                 (const char          *name);

SeroWorkspace      *sero_workspace_new                     (const char          *id,
                                                            const char          *path);
gboolean            sero_workspace_load_config             (SeroWorkspace       *self,
                                                            GError             **error);
gboolean            sero_workspace_save_config             (SeroWorkspace       *self,
                                                            GError             **error);
char               *sero_workspace_get_config_path         (SeroWorkspace       *self);
const char         *sero_workspace_get_id                  (SeroWorkspace       *self);
const char         *sero_workspace_get_path                (SeroWorkspace       *self);
const char         *sero_workspace_get_name                (SeroWorkspace       *self);
void                sero_workspace_set_name                (SeroWorkspace       *self,
                                                            const char          *name);
const char         *sero_workspace_get_config_id           (SeroWorkspace       *self);
gboolean            sero_workspace_get_open                (SeroWorkspace       *self);
void                sero_workspace_set_open                (SeroWorkspace       *self,
                                                            gboolean             open);
SeroRuntimeBackend  sero_workspace_get_backend             (SeroWorkspace       *self);
const char         *sero_workspace_get_backend_note        (SeroWorkspace       *self);
void                sero_workspace_set_backend             (SeroWorkspace       *self,
                                                            SeroRuntimeBackend   backend);
const char         *sero_workspace_get_image               (SeroWorkspace       *self);
void                sero_workspace_set_image               (SeroWorkspace       *self,
                                                            const char          *image);
const char * const *sero_workspace_get_mounts              (SeroWorkspace       *self);
const char * const *sero_workspace_get_read_only_mounts    (SeroWorkspace       *self);
const char * const *sero_workspace_get_references          (SeroWorkspace       *self);
const char * const *sero_workspace_get_read_only_references (SeroWorkspace      *self);
gboolean            sero_workspace_add_reference           (SeroWorkspace       *self,
                                                            const char          *other_id,
                                                            gboolean             read_only,
                                                            GError             **error);
gboolean            sero_workspace_remove_reference        (SeroWorkspace       *self,
                                                            const char          *other_id,
                                                            GError             **error);
GStrv               sero_workspace_dup_reference_paths     (SeroWorkspace       *self,
                                                            gboolean             read_only,
                                                            GStrv               *unknown);
GStrv               sero_workspace_dup_root_paths          (SeroWorkspace       *self);
gboolean            sero_workspace_add_mount               (SeroWorkspace       *self,
                                                            const char          *path,
                                                            gboolean             read_only,
                                                            GError             **error);
gboolean            sero_workspace_remove_mount            (SeroWorkspace       *self,
                                                            const char          *path,
                                                            GError             **error);
guint               sero_workspace_get_mount_count         (SeroWorkspace       *self);

G_END_DECLS
