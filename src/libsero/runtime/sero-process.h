/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What every runtime command returns: the original's exec contract
 * (reference §2.3, §10.8): exit 124 and "Command timed out after Ns." on a
 * timeout, output capped at 10 MiB. */
#define SERO_PROCESS_DEFAULT_TIMEOUT_MS (120 * 1000)
#define SERO_PROCESS_MAX_OUTPUT         (10 * 1024 * 1024)
#define SERO_PROCESS_EXIT_TIMEOUT       124

typedef struct
{
  int       exit_status;
  char     *stdout_text;
  char     *stderr_text;
  gboolean  timed_out;
  gboolean  truncated;
} SeroProcessResult;

#define SERO_TYPE_PROCESS_RESULT (sero_process_result_get_type ())

GType              sero_process_result_get_type (void) G_GNUC_CONST;
SeroProcessResult *sero_process_result_copy     (const SeroProcessResult  *result);
void               sero_process_result_free     (SeroProcessResult        *result);

void               sero_process_run_async       (const char * const       *argv,
                                                 const char               *cwd,
                                                 const char * const       *envp,
                                                 const char               *stdin_text,
                                                 guint                     timeout_ms,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
SeroProcessResult *sero_process_run_finish      (GAsyncResult             *result,
                                                 GError                  **error);
SeroProcessResult *sero_process_run_sync        (const char * const       *argv,
                                                 const char               *cwd,
                                                 const char * const       *envp,
                                                 const char               *stdin_text,
                                                 guint                     timeout_ms,
                                                 GCancellable             *cancellable,
                                                 GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroProcessResult, sero_process_result_free)

G_END_DECLS
