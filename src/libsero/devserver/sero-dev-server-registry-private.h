/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-dev-server-private.h"
#include "sero-dev-server-registry.h"
#include "sero-port-scan.h"

G_BEGIN_DECLS

/* TERM, then this long, then KILL (the original host manager's grace). */
#define SERO_DEV_SERVER_STOP_GRACE_MS 750

/* The registry is split by concern: sero-dev-server-registry.c has the
 * list, the operations and liveness; sero-dev-server-registry-records.c
 * the records file, the crash records and the host-side process checks. */
struct _SeroDevServerRegistry
{
  GObject                parent_instance;

  char                  *records_path;
  char                  *host_records_dir;
  gboolean               detached;

  GPtrArray             *servers;

  SeroRuntimeManager    *manager;
  SeroWorkspaceRegistry *workspaces;

  GMainContext          *context;
  GCancellable          *cancellable;
  guint                  liveness_interval;
  GSource               *liveness_source;
  guint                  liveness_pending;

  /* This process as a crash record's owner: pid and start time. */
  int                    owner_pid;
  guint64                owner_start_time;
};

/* sero-dev-server-registry.c */
void     _sero_dev_server_registry_add            (SeroDevServerRegistry  *self,
                                                   SeroDevServer          *server);
void     _sero_dev_server_registry_remove         (SeroDevServerRegistry  *self,
                                                   SeroDevServer          *server);

/* sero-dev-server-registry-records.c */
gboolean _sero_dev_server_registry_update_records (SeroDevServerRegistry  *self,
                                                   const char             *remove_id,
                                                   SeroDevServer          *put,
                                                   GError                **error);
gboolean _sero_dev_server_registry_sync_records   (SeroDevServerRegistry  *self,
                                                   gboolean                prune,
                                                   GError                **error);
gboolean _sero_dev_server_registry_save_server    (SeroDevServerRegistry  *self,
                                                   SeroDevServer          *server,
                                                   const char             *replaces_id,
                                                   GError                **error);
void     _sero_dev_server_delete_host_record      (SeroDevServer          *server);
gboolean _sero_host_read_stat                     (int                     pid,
                                                   SeroProcStat           *stat);
gboolean _sero_host_group_is_ours                 (int                     pgid,
                                                   guint64                 start_time);
void     _sero_host_terminate_groups              (GArray                 *pgids);

G_END_DECLS
