/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sero-application.h"
#include "sero-session-view.h"
#include "sero-terminal.h"
#include "sero-workspace-row.h"
#include "sero-workspace-tree.h"

G_BEGIN_DECLS

#define SERO_TYPE_WINDOW (sero_window_get_type ())

G_DECLARE_FINAL_TYPE (SeroWindow, sero_window, SERO, WINDOW, AdwApplicationWindow)

SeroWindow        *sero_window_new                (SeroApplication    *application);
SeroTerminal      *sero_window_open_terminal      (SeroWindow         *self,
                                                   SeroWorkspace      *workspace);
void               sero_window_apply_runtime      (SeroWindow         *self,
                                                   SeroWorkspace      *workspace,
                                                   SeroRuntimeBackend  backend);
gboolean           sero_window_can_delete_folder  (SeroWindow         *self,
                                                   const char         *path,
                                                   GError            **error);
SeroWorkspaceTree *sero_window_get_workspace_tree (SeroWindow         *self);
AdwTabView        *sero_window_get_tab_view       (SeroWindow         *self);
SeroSession       *sero_window_new_session        (SeroWindow         *self,
                                                   SeroWorkspace      *workspace,
                                                   GError            **error);
SeroSessionView   *sero_window_open_session       (SeroWindow         *self,
                                                   SeroSession        *session);

G_END_DECLS
