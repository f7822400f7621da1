/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _SeroPaths           SeroPaths;
typedef struct _SeroProfile         SeroProfile;
typedef struct _SeroProfileRegistry SeroProfileRegistry;

/**
 * SeroHomeSource:
 * How the active SERO_HOME was chosen (reference §9.1), reported by
 * `sero paths` and `sero diagnostics` so a person can tell why Sero looks
 * where it looks.
 */
typedef enum
{
  SERO_HOME_SOURCE_OVERRIDE,
  SERO_HOME_SOURCE_PROFILE,
  SERO_HOME_SOURCE_REPAIRED,
  SERO_HOME_SOURCE_MIGRATED,
  SERO_HOME_SOURCE_FRESH,
} SeroHomeSource;

/**
 * SeroFolderProvenance:
 * Who made a profile folder; only Sero-managed folders may have their files
 * deleted when the profile is removed.
 */
typedef enum
{
  SERO_FOLDER_PROVENANCE_DEFAULT_ROOT,
  SERO_FOLDER_PROVENANCE_SERO_MANAGED,
  SERO_FOLDER_PROVENANCE_CUSTOM,
} SeroFolderProvenance;

G_END_DECLS
