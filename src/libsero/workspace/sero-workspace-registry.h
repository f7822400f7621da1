/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sero-workspace.h"

G_BEGIN_DECLS

#define SERO_TYPE_WORKSPACE_REGISTRY (sero_workspace_registry_get_type ())

G_DECLARE_FINAL_TYPE (SeroWorkspaceRegistry, sero_workspace_registry, SERO, WORKSPACE_REGISTRY, GObject)

SeroWorkspaceRegistry *sero_workspace_registry_new           (const char             *sero_home);
gboolean               sero_workspace_registry_load          (SeroWorkspaceRegistry  *self,
                                                              GError                **error);
gboolean               sero_workspace_registry_save          (SeroWorkspaceRegistry  *self,
                                                              GError                **error);
SeroWorkspace         *sero_workspace_registry_lookup        (SeroWorkspaceRegistry  *self,
                                                              const char             *id);
SeroWorkspace         *sero_workspace_registry_add           (SeroWorkspaceRegistry  *self,
                                                              const char             *path,
                                                              const char             *name,
                                                              const SeroRuntimeBackend *backend,
                                                              GError                **error);
gboolean               sero_workspace_registry_remove        (SeroWorkspaceRegistry  *self,
                                                              const char             *id,
                                                              GError                **error);
gboolean               sero_workspace_registry_set_backend   (SeroWorkspaceRegistry  *self,
                                                              const char             *id,
                                                              SeroRuntimeBackend      backend,
                                                              GError                **error);
gboolean               sero_workspace_registry_set_open      (SeroWorkspaceRegistry  *self,
                                                              const char             *id,
                                                              gboolean                open,
                                                              GError                **error);

G_END_DECLS
