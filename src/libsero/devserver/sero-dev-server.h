/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SeroDevServerStatus:
 * @SERO_DEV_SERVER_STATUS_STARTING: being (re)started; the liveness check leaves it alone
 * @SERO_DEV_SERVER_STATUS_RUNNING: its port listens
 * @SERO_DEV_SERVER_STATUS_STOPPED: its port no longer listens
 * @SERO_DEV_SERVER_STATUS_FAILED: a restart did not bring it back
 */
typedef enum
{
  SERO_DEV_SERVER_STATUS_STARTING,
  SERO_DEV_SERVER_STATUS_RUNNING,
  SERO_DEV_SERVER_STATUS_STOPPED,
  SERO_DEV_SERVER_STATUS_FAILED,
} SeroDevServerStatus;

#define SERO_TYPE_DEV_SERVER_STATUS (sero_dev_server_status_get_type ())
#define SERO_TYPE_DEV_SERVER        (sero_dev_server_get_type ())

GType sero_dev_server_status_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (SeroDevServer, sero_dev_server, SERO, DEV_SERVER, GObject)

const char          *sero_dev_server_get_id               (SeroDevServer       *self);
const char          *sero_dev_server_get_workspace_id     (SeroDevServer       *self);
const char          *sero_dev_server_get_name             (SeroDevServer       *self);
guint                sero_dev_server_get_port             (SeroDevServer       *self);
const char          *sero_dev_server_get_url              (SeroDevServer       *self);
const char          *sero_dev_server_get_command          (SeroDevServer       *self);
const char          *sero_dev_server_get_cwd              (SeroDevServer       *self);
const char          *sero_dev_server_get_scope            (SeroDevServer       *self);
const char          *sero_dev_server_get_card_id          (SeroDevServer       *self);
SeroDevServerStatus  sero_dev_server_get_status           (SeroDevServer       *self);
int                  sero_dev_server_get_pid              (SeroDevServer       *self);
const char          *sero_dev_server_get_registered_at    (SeroDevServer       *self);
const char          *sero_dev_server_get_log_path         (SeroDevServer       *self);
gboolean             sero_dev_server_get_detached         (SeroDevServer       *self);

const char          *sero_dev_server_status_to_string     (SeroDevServerStatus  status);
gboolean             sero_dev_server_status_from_string   (const char          *text,
                                                           SeroDevServerStatus *status);
char                *sero_dev_server_make_id              (const char          *workspace_id,
                                                           const char          *scope,
                                                           const char          *card_id,
                                                           guint                port);
gboolean             sero_dev_server_parse_id             (const char          *id,
                                                           char               **workspace_id,
                                                           char               **scope,
                                                           char               **card_id,
                                                           guint               *port);
char                *sero_dev_server_preferred_url        (guint                port,
                                                           guint                published_port,
                                                           const char          *container_ip);
char                *sero_dev_server_build_start_command  (const char          *command,
                                                           const char          *log_path);

G_END_DECLS
