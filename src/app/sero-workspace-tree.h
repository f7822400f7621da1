/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sero-runtime-manager.h"
#include "sero-workspace-registry.h"

G_BEGIN_DECLS

#define SERO_TYPE_WORKSPACE_TREE (sero_workspace_tree_get_type ())

G_DECLARE_FINAL_TYPE (SeroWorkspaceTree, sero_workspace_tree, SERO, WORKSPACE_TREE, GtkWidget)

GtkWidget     *sero_workspace_tree_new                (SeroWorkspaceRegistry *registry,
                                                       SeroRuntimeManager    *manager);
GListStore    *sero_workspace_tree_get_children       (SeroWorkspaceTree     *self,
                                                       SeroWorkspace         *workspace);
SeroWorkspace *sero_workspace_tree_get_selected_workspace (SeroWorkspaceTree *self);
void           sero_workspace_tree_select_workspace   (SeroWorkspaceTree     *self,
                                                       SeroWorkspace         *workspace);
GtkListView   *sero_workspace_tree_get_list_view      (SeroWorkspaceTree     *self);
void           sero_workspace_tree_refresh_status     (SeroWorkspaceTree     *self);

G_END_DECLS
