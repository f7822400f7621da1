/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sero-profile.h"

G_BEGIN_DECLS

#define SERO_PROFILE_ERROR (sero_profile_error_quark ())

typedef enum
{
  SERO_PROFILE_ERROR_INVALID_REGISTRY,
  SERO_PROFILE_ERROR_NOT_FOUND,
  SERO_PROFILE_ERROR_INVALID_NAME,
  SERO_PROFILE_ERROR_PATH_TAKEN,
  SERO_PROFILE_ERROR_PATH_OVERLAP,
  SERO_PROFILE_ERROR_ACTIVE,
  SERO_PROFILE_ERROR_ONLY_PROFILE,
  SERO_PROFILE_ERROR_NOT_MANAGED,
  SERO_PROFILE_ERROR_NOT_BROKEN,
} SeroProfileError;

#define SERO_TYPE_PROFILE_REGISTRY (sero_profile_registry_get_type ())

G_DECLARE_FINAL_TYPE (SeroProfileRegistry, sero_profile_registry, SERO, PROFILE_REGISTRY, GObject)

/* Files copied when a new profile takes credentials from an existing one
 * (reference §9.3); modes are kept. NULL-terminated. */
extern const char * const sero_profile_credential_files[];

GQuark               sero_profile_error_quark               (void);
SeroProfileRegistry *sero_profile_registry_new              (const char           *ui_root);
const char          *sero_profile_registry_get_ui_root      (SeroProfileRegistry  *self);
char                *sero_profile_registry_get_file         (SeroProfileRegistry  *self);
gboolean             sero_profile_registry_exists           (SeroProfileRegistry  *self);
gboolean             sero_profile_registry_load             (SeroProfileRegistry  *self,
                                                             GError              **error);
gboolean             sero_profile_registry_save             (SeroProfileRegistry  *self,
                                                             GError              **error);
SeroProfile         *sero_profile_registry_lookup           (SeroProfileRegistry  *self,
                                                             const char           *id_or_name);
const char          *sero_profile_registry_get_active_id    (SeroProfileRegistry  *self);
SeroProfile         *sero_profile_registry_get_active       (SeroProfileRegistry  *self);
SeroProfile         *sero_profile_registry_repair_active    (SeroProfileRegistry  *self,
                                                             GError              **error);
gboolean             sero_profile_registry_migrate_legacy   (SeroProfileRegistry  *self,
                                                             GError              **error);
SeroProfile         *sero_profile_registry_create           (SeroProfileRegistry  *self,
                                                             const char           *name,
                                                             const char           *custom_path,
                                                             SeroProfile          *copy_credentials_from,
                                                             GError              **error);
gboolean             sero_profile_registry_set_active       (SeroProfileRegistry  *self,
                                                             const char           *id,
                                                             GError              **error);
gboolean             sero_profile_registry_rename           (SeroProfileRegistry  *self,
                                                             const char           *id,
                                                             const char           *name,
                                                             GError              **error);
gboolean             sero_profile_registry_set_onboarded    (SeroProfileRegistry  *self,
                                                             const char           *id,
                                                             gboolean              onboarded,
                                                             GError              **error);
gboolean             sero_profile_registry_remove           (SeroProfileRegistry  *self,
                                                             const char           *id,
                                                             gboolean              delete_files,
                                                             GError              **error);
GStrv                sero_profile_registry_discover         (SeroProfileRegistry  *self);
SeroProfile         *sero_profile_registry_adopt            (SeroProfileRegistry  *self,
                                                             const char           *path,
                                                             const char           *name,
                                                             GError              **error);
char                *sero_profile_registry_repair           (SeroProfileRegistry  *self,
                                                             GError              **error);
gboolean             sero_profile_copy_credentials          (const char           *from_home,
                                                             const char           *to_home,
                                                             GError              **error);

G_END_DECLS
