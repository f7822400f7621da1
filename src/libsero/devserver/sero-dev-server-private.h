/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-dev-server.h"
#include "sero-runtime.h"

G_BEGIN_DECLS

/* The registry owns every SeroDevServer and is the only writer; these
 * fields are read and changed on the registry's thread only. */
struct _SeroDevServer
{
  GObject              parent_instance;

  char                *id;
  char                *workspace_id;
  char                *name;
  guint                port;
  char                *url;
  char                *command;
  char                *cwd;
  char                *scope;
  char                *card_id;
  SeroDevServerStatus  status;
  int                  pid;
  char                *registered_at;
  char                *log_path;

  /* The leader's start time (clock ticks since boot), so a stop never
   * signals a later process that got the same pid. 0 when unknown. */
  guint64              start_time;

  /* The runtime it was started in, when this process started it; servers
   * read from the records file find theirs through the runtime manager. */
  SeroRuntime         *runtime;

  /* "host" or "container": which runtime of the workspace runs it, so a
   * server started on the host after a fallback is looked for there. */
  char                *runtime_kind;

  /* TRUE: started by a short-lived process (the CLI) and meant to outlive
   * it, kept in the records file. FALSE: this process owns it, and on the
   * host it is stopped at shutdown and reaped after a crash. */
  gboolean             detached;

  /* The crash record of a host server this process owns, or NULL. */
  char                *host_record;

  /* An operation (stop, restart) is under way; liveness leaves it alone. */
  guint                busy : 1;
};

SeroDevServer *_sero_dev_server_new             (const char          *id,
                                                 const char          *workspace_id);
void           _sero_dev_server_set_status      (SeroDevServer       *self,
                                                 SeroDevServerStatus  status);
void           _sero_dev_server_set_url         (SeroDevServer       *self,
                                                 const char          *url);
void           _sero_dev_server_set_pid         (SeroDevServer       *self,
                                                 int                  pid);
void           _sero_dev_server_set_registered_at (SeroDevServer     *self,
                                                 const char          *registered_at);

G_END_DECLS
