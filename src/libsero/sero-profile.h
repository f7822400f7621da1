/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sero-types.h"

G_BEGIN_DECLS

#define SERO_TYPE_PROFILE (sero_profile_get_type ())

G_DECLARE_FINAL_TYPE (SeroProfile, sero_profile, SERO, PROFILE, GObject)

SeroProfile          *sero_profile_new_from_json            (JsonObject           *object,
                                                             guint                 index,
                                                             GError              **error);
JsonObject           *sero_profile_to_json                  (SeroProfile          *self);
const char           *sero_profile_get_id                   (SeroProfile          *self);
const char           *sero_profile_get_name                 (SeroProfile          *self);
void                  sero_profile_set_name                 (SeroProfile          *self,
                                                             const char           *name);
const char           *sero_profile_get_path                 (SeroProfile          *self);
const char           *sero_profile_get_created_at           (SeroProfile          *self);
SeroFolderProvenance  sero_profile_get_folder_provenance    (SeroProfile          *self);
gboolean              sero_profile_get_onboarded            (SeroProfile          *self);
void                  sero_profile_set_onboarded            (SeroProfile          *self,
                                                             gboolean              onboarded);
const char           *sero_folder_provenance_to_string      (SeroFolderProvenance  provenance);
gboolean              sero_folder_provenance_from_string    (const char           *string,
                                                             SeroFolderProvenance *provenance);

/* Internal to the registry, which is the only creator of new profiles. */
SeroProfile          *_sero_profile_new                     (const char           *id,
                                                             const char           *name,
                                                             const char           *path,
                                                             SeroFolderProvenance  provenance,
                                                             gboolean              onboarded);

G_END_DECLS
