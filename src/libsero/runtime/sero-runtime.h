/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sero-process.h"
#include "sero-workspace.h"

G_BEGIN_DECLS

typedef enum
{
  SERO_RUNTIME_STATUS_NONE,
  SERO_RUNTIME_STATUS_STARTING,
  SERO_RUNTIME_STATUS_RUNNING,
  SERO_RUNTIME_STATUS_STOPPED,
  SERO_RUNTIME_STATUS_ERROR,
} SeroRuntimeStatus;

#define SERO_RUNTIME_ERROR (sero_runtime_error_quark ())

/**
 * SeroRuntimeError:
 * @SERO_RUNTIME_ERROR_NOT_INSTALLED: the engine's program is missing
 * @SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING: the engine's daemon or system is not running
 * @SERO_RUNTIME_ERROR_START_FAILED: the container could not be created or started
 * @SERO_RUNTIME_ERROR_NAME_COLLISION: a container with our name is not provably ours
 * @SERO_RUNTIME_ERROR_INVALID: a bad request (an environment name, say)
 */
typedef enum
{
  SERO_RUNTIME_ERROR_NOT_INSTALLED,
  SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING,
  SERO_RUNTIME_ERROR_START_FAILED,
  SERO_RUNTIME_ERROR_NAME_COLLISION,
  SERO_RUNTIME_ERROR_INVALID,
} SeroRuntimeError;

/**
 * SeroExecRequest:
 * @argv: the command as a vector, or %NULL to use @command
 * @command: a shell command line, run as `sh -lc COMMAND`
 * @cwd: (nullable): working folder inside the runtime; default the workspace root
 * @env: (nullable): extra `NAME=VALUE` pairs; names must match [A-Za-z_][A-Za-z0-9_]*
 * @stdin_text: (nullable): standard input
 * @timeout_ms: 0 for the default of 120 s
 */
typedef struct
{
  const char * const *argv;
  const char         *command;
  const char         *cwd;
  const char * const *env;
  const char         *stdin_text;
  guint               timeout_ms;
} SeroExecRequest;

#define SERO_TYPE_RUNTIME (sero_runtime_get_type ())

G_DECLARE_DERIVABLE_TYPE (SeroRuntime, sero_runtime, SERO, RUNTIME, GObject)

/**
 * SeroRuntimeClass:
 * @ensure_sync: make the runtime usable; called in a worker thread, never
 *   twice at once for one runtime (the base class deduplicates)
 * @build_exec_argv: the host-side argv that runs @request in the runtime,
 *   and where on the host to spawn it
 * @build_terminal_argv: the argv of an interactive login shell, and the
 *   environment to spawn it with (%NULL keeps the caller's)
 * @destroy_sync: remove what ensure made; worker thread
 * @refresh_sync: re-read the real state (a container killed from outside);
 *   worker thread
 * @get_published_port: the 127.0.0.1 port on the host that reaches @port
 *   inside the runtime, or 0 when none does
 */
struct _SeroRuntimeClass
{
  GObjectClass parent_class;

  gboolean (*ensure_sync)         (SeroRuntime            *self,
                                   GCancellable           *cancellable,
                                   GError                **error);
  GStrv    (*build_exec_argv)     (SeroRuntime            *self,
                                   const SeroExecRequest  *request,
                                   char                  **host_cwd,
                                   GError                **error);
  GStrv    (*build_terminal_argv) (SeroRuntime            *self,
                                   const char             *cwd,
                                   GStrv                  *envp);
  gboolean (*destroy_sync)        (SeroRuntime            *self,
                                   GCancellable           *cancellable,
                                   GError                **error);
  gboolean (*refresh_sync)        (SeroRuntime            *self,
                                   GCancellable           *cancellable,
                                   GError                **error);
  guint    (*get_published_port)  (SeroRuntime            *self,
                                   guint                   port);

  gpointer padding[7];
};

GQuark             sero_runtime_error_quark            (void);
const char        *sero_runtime_status_to_string       (SeroRuntimeStatus       status);
gboolean           sero_exec_env_name_is_valid         (const char             *name);

SeroWorkspace     *sero_runtime_get_workspace          (SeroRuntime            *self);
const char        *sero_runtime_get_container_name     (SeroRuntime            *self);
SeroRuntimeStatus  sero_runtime_get_status             (SeroRuntime            *self);
char              *sero_runtime_dup_status_message     (SeroRuntime            *self);
char              *sero_runtime_dup_ip_address         (SeroRuntime            *self);
gboolean           sero_runtime_get_recreate_deferred  (SeroRuntime            *self);
guint              sero_runtime_get_active_terminals   (SeroRuntime            *self);
void               sero_runtime_hold_terminal          (SeroRuntime            *self);
void               sero_runtime_release_terminal       (SeroRuntime            *self);
gboolean           sero_runtime_is_container           (SeroRuntime            *self);
guint              sero_runtime_get_published_port     (SeroRuntime            *self,
                                                        guint                   port);

void               sero_runtime_ensure_async           (SeroRuntime            *self,
                                                        GCancellable           *cancellable,
                                                        GAsyncReadyCallback     callback,
                                                        gpointer                user_data);
gboolean           sero_runtime_ensure_finish          (SeroRuntime            *self,
                                                        GAsyncResult           *result,
                                                        GError                **error);
gboolean           sero_runtime_ensure_sync            (SeroRuntime            *self,
                                                        GCancellable           *cancellable,
                                                        GError                **error);
void               sero_runtime_exec_async             (SeroRuntime            *self,
                                                        const SeroExecRequest  *request,
                                                        GCancellable           *cancellable,
                                                        GAsyncReadyCallback     callback,
                                                        gpointer                user_data);
SeroProcessResult *sero_runtime_exec_finish            (SeroRuntime            *self,
                                                        GAsyncResult           *result,
                                                        GError                **error);
SeroProcessResult *sero_runtime_exec_sync              (SeroRuntime            *self,
                                                        const SeroExecRequest  *request,
                                                        GCancellable           *cancellable,
                                                        GError                **error);
GStrv              sero_runtime_build_terminal_argv    (SeroRuntime            *self,
                                                        const char             *cwd,
                                                        GStrv                  *envp);
void               sero_runtime_destroy_async          (SeroRuntime            *self,
                                                        GCancellable           *cancellable,
                                                        GAsyncReadyCallback     callback,
                                                        gpointer                user_data);
gboolean           sero_runtime_destroy_finish         (SeroRuntime            *self,
                                                        GAsyncResult           *result,
                                                        GError                **error);
gboolean           sero_runtime_destroy_sync           (SeroRuntime            *self,
                                                        GCancellable           *cancellable,
                                                        GError                **error);
gboolean           sero_runtime_refresh_sync           (SeroRuntime            *self,
                                                        GCancellable           *cancellable,
                                                        GError                **error);

/* For subclasses: thread-safe; notifications are delivered on the main context. */
void               _sero_runtime_set_status            (SeroRuntime            *self,
                                                        SeroRuntimeStatus       status,
                                                        const char             *message);
void               _sero_runtime_set_ip_address        (SeroRuntime            *self,
                                                        const char             *ip_address);
void               _sero_runtime_set_recreate_deferred (SeroRuntime            *self,
                                                        gboolean                deferred);
void               _sero_runtime_set_container_name    (SeroRuntime            *self,
                                                        const char             *name);

G_END_DECLS
