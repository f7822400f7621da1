/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sero-runtime.h"

G_BEGIN_DECLS

#define SERO_TYPE_DEV_SERVER (sero_dev_server_get_type ())

G_DECLARE_FINAL_TYPE (SeroDevServer, sero_dev_server, SERO, DEV_SERVER, GObject)

const char *sero_dev_server_get_id           (SeroDevServer *self);
const char *sero_dev_server_get_workspace_id (SeroDevServer *self);
const char *sero_dev_server_get_name         (SeroDevServer *self);
guint       sero_dev_server_get_port         (SeroDevServer *self);
const char *sero_dev_server_get_url          (SeroDevServer *self);
const char *sero_dev_server_get_command      (SeroDevServer *self);
const char *sero_dev_server_get_cwd          (SeroDevServer *self);
const char *sero_dev_server_get_status       (SeroDevServer *self);
int         sero_dev_server_get_pid          (SeroDevServer *self);

#define SERO_TYPE_DEV_SERVER_REGISTRY (sero_dev_server_registry_get_type ())

G_DECLARE_FINAL_TYPE (SeroDevServerRegistry, sero_dev_server_registry, SERO, DEV_SERVER_REGISTRY, GObject)

SeroDevServerRegistry *sero_dev_server_registry_new           (const char            *records_path);
gboolean               sero_dev_server_registry_load          (SeroDevServerRegistry *self,
                                                               GError               **error);
SeroDevServer         *sero_dev_server_registry_lookup        (SeroDevServerRegistry *self,
                                                               const char            *id);
SeroDevServer         *sero_dev_server_registry_start_sync    (SeroDevServerRegistry *self,
                                                               SeroRuntime           *runtime,
                                                               const char            *name,
                                                               const char            *cwd,
                                                               const char            *command,
                                                               GCancellable          *cancellable,
                                                               GError               **error);
gboolean               sero_dev_server_registry_stop_sync     (SeroDevServerRegistry *self,
                                                               SeroRuntime           *runtime,
                                                               const char            *id,
                                                               GError               **error);
SeroDevServer         *sero_dev_server_registry_restart_sync  (SeroDevServerRegistry *self,
                                                               SeroRuntime           *runtime,
                                                               const char            *id,
                                                               GError               **error);
void                   sero_dev_server_registry_refresh_sync  (SeroDevServerRegistry *self,
                                                               SeroRuntime           *runtime);

G_END_DECLS
