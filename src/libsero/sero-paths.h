/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-types.h"

G_BEGIN_DECLS

typedef enum
{
  SERO_PATH_BASE_HOME,    /* <SERO_HOME> */
  SERO_PATH_BASE_AGENT,   /* <SERO_HOME>/agent */
  SERO_PATH_BASE_UI_ROOT, /* ~/.sero-ui, shared by every profile */
  SERO_PATH_BASE_ABSOLUTE,
} SeroPathBase;

/**
 * SeroPathEntry:
 * One row of the state path map: the seed's table of sensitive surfaces plus
 * the folders Sero itself needs. `sero paths` prints them in this order.
 */
typedef struct
{
  const char   *name;
  SeroPathBase  base;
  const char   *relative;
  gboolean      secret;
  const char   *description;
} SeroPathEntry;

#define SERO_TYPE_PATHS (sero_paths_get_type ())

G_DECLARE_FINAL_TYPE (SeroPaths, sero_paths, SERO, PATHS, GObject)

const char          *sero_paths_get_user_home       (void);
char                *sero_paths_get_ui_root         (void);
const SeroPathEntry *sero_path_map                  (guint          *n_entries);
const SeroPathEntry *sero_path_map_lookup           (const char     *name);

SeroPaths           *sero_paths_new_for_home        (const char     *home,
                                                     SeroHomeSource  source);
SeroPaths           *sero_paths_resolve             (GError        **error);
const char          *sero_paths_get_home            (SeroPaths      *self);
const char          *sero_paths_get_agent_dir       (SeroPaths      *self);
const char          *sero_paths_get_ui_root_dir     (SeroPaths      *self);
SeroHomeSource       sero_paths_get_source          (SeroPaths      *self);
const char          *sero_home_source_to_string     (SeroHomeSource  source);
char                *sero_paths_build_entry         (SeroPaths      *self,
                                                     const SeroPathEntry *entry);
char                *sero_paths_lookup              (SeroPaths      *self,
                                                     const char     *name);
gboolean             sero_paths_apply_environment   (SeroPaths      *self,
                                                     GError        **error);
const char * const  *sero_paths_get_loaded_env_keys (SeroPaths      *self);

G_END_DECLS
