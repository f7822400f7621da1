/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sero-paths.h"
#include "sero-runtime.h"

G_BEGIN_DECLS

#define SERO_TYPE_RUNTIME_MANAGER (sero_runtime_manager_get_type ())

G_DECLARE_FINAL_TYPE (SeroRuntimeManager, sero_runtime_manager, SERO, RUNTIME_MANAGER, GObject)

SeroRuntimeManager *sero_runtime_manager_new                  (SeroPaths           *paths);
const char         *sero_runtime_manager_get_installation_root (SeroRuntimeManager *self);
SeroRuntime        *sero_runtime_manager_get_runtime          (SeroRuntimeManager  *self,
                                                               SeroWorkspace       *workspace);
SeroRuntime        *sero_runtime_manager_get_host_runtime     (SeroRuntimeManager  *self,
                                                               SeroWorkspace       *workspace);
SeroRuntime        *sero_runtime_manager_ensure_sync          (SeroRuntimeManager  *self,
                                                               SeroWorkspace       *workspace,
                                                               GCancellable        *cancellable,
                                                               GError             **error);
void                sero_runtime_manager_ensure_async         (SeroRuntimeManager  *self,
                                                               SeroWorkspace       *workspace,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
SeroRuntime        *sero_runtime_manager_ensure_finish        (SeroRuntimeManager  *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
char               *sero_runtime_manager_dup_fallback_reason  (SeroRuntimeManager  *self,
                                                               SeroWorkspace       *workspace);
GError             *sero_runtime_manager_dup_fallback_error   (SeroRuntimeManager  *self,
                                                               SeroWorkspace       *workspace);
void                sero_runtime_manager_forget               (SeroRuntimeManager  *self,
                                                               SeroWorkspace       *workspace);
gboolean            sero_runtime_manager_queue_removal        (SeroRuntimeManager  *self,
                                                               const char          *provider,
                                                               const char          *workspace_id,
                                                               const char          *workspace_path,
                                                               GError             **error);
gboolean            sero_runtime_manager_queue_profile_removal (SeroRuntimeManager *self,
                                                               JsonObject          *workspaces_json,
                                                               GError             **error);
guint               sero_runtime_manager_process_cleanup_sync (SeroRuntimeManager  *self,
                                                               GCancellable        *cancellable,
                                                               GError             **error);

G_END_DECLS
