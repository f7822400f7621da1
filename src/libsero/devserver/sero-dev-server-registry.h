/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sero-dev-server.h"
#include "sero-paths.h"
#include "sero-runtime.h"
#include "sero-runtime-manager.h"
#include "sero-workspace-registry.h"

G_BEGIN_DECLS

#define SERO_DEV_SERVER_ERROR (sero_dev_server_error_quark ())

/**
 * SeroDevServerError:
 * @SERO_DEV_SERVER_ERROR_START_FAILED: the command could not be launched
 * @SERO_DEV_SERVER_ERROR_EXITED: it exited before it listened on a port
 * @SERO_DEV_SERVER_ERROR_NO_PORT: it did not listen on a new port in time
 * @SERO_DEV_SERVER_ERROR_NOT_FOUND: no such server (and nothing listens on its port)
 * @SERO_DEV_SERVER_ERROR_NO_RUNTIME: its workspace is gone, so its runtime cannot be reached
 */
typedef enum
{
  SERO_DEV_SERVER_ERROR_START_FAILED,
  SERO_DEV_SERVER_ERROR_EXITED,
  SERO_DEV_SERVER_ERROR_NO_PORT,
  SERO_DEV_SERVER_ERROR_NOT_FOUND,
  SERO_DEV_SERVER_ERROR_NO_RUNTIME,
} SeroDevServerError;

/**
 * SeroDevServerRegistryFlags:
 * @SERO_DEV_SERVER_REGISTRY_NONE: servers started here belong to this
 *   process: host ones are stopped by shutdown() and reaped after a crash
 * @SERO_DEV_SERVER_REGISTRY_DETACHED: servers started here outlive this
 *   process and are kept in the records file (the CLI)
 */
typedef enum
{
  SERO_DEV_SERVER_REGISTRY_NONE     = 0,
  SERO_DEV_SERVER_REGISTRY_DETACHED = 1 << 0,
} SeroDevServerRegistryFlags;

/**
 * SeroDevServerRequest:
 * @command: the shell command line to run
 * @name: (nullable): what to call it; default the command
 * @cwd: (nullable): working folder inside the runtime; default `/workspace`
 * @scope: (nullable): default "workspace"
 * @card_id: (nullable): the card it previews; default none ("root" in the id)
 */
typedef struct
{
  const char *command;
  const char *name;
  const char *cwd;
  const char *scope;
  const char *card_id;
} SeroDevServerRequest;

#define SERO_TYPE_DEV_SERVER_REGISTRY (sero_dev_server_registry_get_type ())

G_DECLARE_FINAL_TYPE (SeroDevServerRegistry, sero_dev_server_registry, SERO, DEV_SERVER_REGISTRY, GObject)

GQuark                 sero_dev_server_error_quark                  (void);

SeroDevServerRegistry *sero_dev_server_registry_new                 (const char                  *records_path);
SeroDevServerRegistry *sero_dev_server_registry_new_for_paths       (SeroPaths                   *paths,
                                                                     SeroDevServerRegistryFlags   flags);
void                   sero_dev_server_registry_set_runtime_manager (SeroDevServerRegistry       *self,
                                                                     SeroRuntimeManager          *manager,
                                                                     SeroWorkspaceRegistry       *workspaces);
gboolean               sero_dev_server_registry_load                (SeroDevServerRegistry       *self,
                                                                     GError                     **error);
SeroDevServer         *sero_dev_server_registry_lookup              (SeroDevServerRegistry       *self,
                                                                     const char                  *id);

void                   sero_dev_server_registry_start_async         (SeroDevServerRegistry       *self,
                                                                     SeroRuntime                 *runtime,
                                                                     const SeroDevServerRequest  *request,
                                                                     GCancellable                *cancellable,
                                                                     GAsyncReadyCallback          callback,
                                                                     gpointer                     user_data);
SeroDevServer         *sero_dev_server_registry_start_finish        (SeroDevServerRegistry       *self,
                                                                     GAsyncResult                *result,
                                                                     GError                     **error);
SeroDevServer         *sero_dev_server_registry_start_sync          (SeroDevServerRegistry       *self,
                                                                     SeroRuntime                 *runtime,
                                                                     const SeroDevServerRequest  *request,
                                                                     GCancellable                *cancellable,
                                                                     GError                     **error);

void                   sero_dev_server_registry_stop_async          (SeroDevServerRegistry       *self,
                                                                     const char                  *id,
                                                                     GCancellable                *cancellable,
                                                                     GAsyncReadyCallback          callback,
                                                                     gpointer                     user_data);
gboolean               sero_dev_server_registry_stop_finish         (SeroDevServerRegistry       *self,
                                                                     GAsyncResult                *result,
                                                                     GError                     **error);
gboolean               sero_dev_server_registry_stop_sync           (SeroDevServerRegistry       *self,
                                                                     const char                  *id,
                                                                     GCancellable                *cancellable,
                                                                     GError                     **error);

void                   sero_dev_server_registry_restart_async       (SeroDevServerRegistry       *self,
                                                                     const char                  *id,
                                                                     GCancellable                *cancellable,
                                                                     GAsyncReadyCallback          callback,
                                                                     gpointer                     user_data);
SeroDevServer         *sero_dev_server_registry_restart_finish      (SeroDevServerRegistry       *self,
                                                                     GAsyncResult                *result,
                                                                     GError                     **error);
SeroDevServer         *sero_dev_server_registry_restart_sync        (SeroDevServerRegistry       *self,
                                                                     const char                  *id,
                                                                     GCancellable                *cancellable,
                                                                     GError                     **error);

void                   sero_dev_server_registry_refresh_sync        (SeroDevServerRegistry       *self,
                                                                     GCancellable                *cancellable);
guint                  sero_dev_server_registry_reap_orphans        (SeroDevServerRegistry       *self);
void                   sero_dev_server_registry_shutdown            (SeroDevServerRegistry       *self);

G_END_DECLS
