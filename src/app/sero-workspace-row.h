/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sero-runtime.h"
#include "sero-workspace.h"

G_BEGIN_DECLS

#define SERO_TYPE_WORKSPACE_ROW (sero_workspace_row_get_type ())

G_DECLARE_FINAL_TYPE (SeroWorkspaceRow, sero_workspace_row, SERO, WORKSPACE_ROW, GtkWidget)

GtkWidget *sero_workspace_row_new          (void);
void       sero_workspace_row_bind         (SeroWorkspaceRow *self,
                                            GObject          *item,
                                            SeroRuntime      *runtime,
                                            GObject          *git_watcher);
void       sero_workspace_row_unbind       (SeroWorkspaceRow *self);
GObject   *sero_workspace_row_get_item     (SeroWorkspaceRow *self);
void       sero_workspace_row_popup_runtime_picker (SeroWorkspaceRow *self);
void       sero_workspace_row_popup_menu   (SeroWorkspaceRow *self,
                                            GMenuModel       *model,
                                            double            x,
                                            double            y);

G_END_DECLS
