/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sero.h"
#include "sero-dev-server-registry.h"
#include "sero-runtime-manager.h"
#include "sero-workspace-registry.h"

G_BEGIN_DECLS

#define SERO_TYPE_APPLICATION (sero_application_get_type ())

G_DECLARE_FINAL_TYPE (SeroApplication, sero_application, SERO, APPLICATION, AdwApplication)

SeroApplication     *sero_application_new                   (void);
SeroPaths           *sero_application_get_paths             (SeroApplication *self);
SeroProfileRegistry *sero_application_get_profiles          (SeroApplication *self);
SeroWorkspaceRegistry *sero_application_get_workspaces      (SeroApplication *self);
SeroRuntimeManager  *sero_application_get_runtime_manager   (SeroApplication *self);
SeroDevServerRegistry *sero_application_get_dev_servers     (SeroApplication *self);
const GError        *sero_application_get_startup_error     (SeroApplication *self);
gboolean             sero_application_get_relaunch_requested (SeroApplication *self);

G_END_DECLS
