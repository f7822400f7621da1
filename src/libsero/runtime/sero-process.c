/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-process"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include "sero-process.h"

/* Runs one command with a timeout, an output cap and cancellation. GIO's
 * g_subprocess_communicate() has no cap (a runaway `cat` of a big file would
 * fill memory), so the two pipes are read here in chunks and what is past
 * the cap is drained and dropped. The child runs in its own process group
 * so a timeout or an abort kills everything it started, not just the shell. */

G_DEFINE_BOXED_TYPE (SeroProcessResult, sero_process_result,
                     sero_process_result_copy, sero_process_result_free)

SeroProcessResult *
sero_process_result_copy (const SeroProcessResult *result)
{
  SeroProcessResult *copy = g_new0 (SeroProcessResult, 1);

  *copy = *result;
  copy->stdout_text = g_strdup (result->stdout_text);
  copy->stderr_text = g_strdup (result->stderr_text);

  return copy;
}

void
sero_process_result_free (SeroProcessResult *result)
{
  if (result == NULL)
    return;

  g_free (result->stdout_text);
  g_free (result->stderr_text);
  g_free (result);
}

typedef struct
{
  GSubprocess *subprocess;
  GByteArray  *out;
  GByteArray  *err;
  GSource     *timeout;
  gulong       cancelled_id;
  guint        timeout_ms;
  guint        pending;
  gboolean     timed_out;
  gboolean     truncated;
} RunState;

static void
clear_timeout (RunState *state)
{
  if (state->timeout != NULL)
    {
      g_source_destroy (state->timeout);
      g_clear_pointer (&state->timeout, g_source_unref);
    }
}

static void
run_state_free (RunState *state)
{
  clear_timeout (state);
  g_clear_object (&state->subprocess);
  g_clear_pointer (&state->out, g_byte_array_unref);
  g_clear_pointer (&state->err, g_byte_array_unref);
  g_free (state);
}

static void
kill_group (RunState *state)
{
  const char *ident = g_subprocess_get_identifier (state->subprocess);

  /* The identifier is gone once the child was reaped. */
  if (ident != NULL)
    {
      pid_t pid = (pid_t) g_ascii_strtoll (ident, NULL, 10);

      if (pid > 1)
        kill (-pid, SIGKILL);
    }
  g_subprocess_force_exit (state->subprocess);
}

static char *
take_text (GByteArray *bytes)
{
  g_byte_array_append (bytes, (const guint8 *) "", 1);
  return g_utf8_make_valid ((const char *) bytes->data, bytes->len - 1);
}

static void
maybe_complete (GTask *task)
{
  RunState *state = g_task_get_task_data (task);
  SeroProcessResult *result;
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* Each of the three pending operations holds a reference. */
  if (--state->pending > 0)
    {
      g_object_unref (task);
      return;
    }

  clear_timeout (state);
  if (state->cancelled_id != 0)
    g_cancellable_disconnect (cancellable, state->cancelled_id);
  state->cancelled_id = 0;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  result = g_new0 (SeroProcessResult, 1);
  result->stdout_text = take_text (state->out);
  result->stderr_text = take_text (state->err);
  result->truncated = state->truncated;
  result->timed_out = state->timed_out;

  if (state->timed_out)
    {
      char *with_note = g_strdup_printf ("%s%sCommand timed out after %us.",
                                         result->stderr_text,
                                         result->stderr_text[0] && !g_str_has_suffix (result->stderr_text, "\n") ? "\n" : "",
                                         (state->timeout_ms + 999) / 1000);
      g_free (result->stderr_text);
      result->stderr_text = with_note;
      result->exit_status = SERO_PROCESS_EXIT_TIMEOUT;
    }
  else if (g_subprocess_get_if_exited (state->subprocess))
    result->exit_status = g_subprocess_get_exit_status (state->subprocess);
  else if (g_subprocess_get_if_signaled (state->subprocess))
    result->exit_status = 128 + g_subprocess_get_term_sig (state->subprocess);
  else
    result->exit_status = -1;

  g_task_return_pointer (task, result, (GDestroyNotify) sero_process_result_free);
  g_object_unref (task);
}

static void read_next (GTask *task, GInputStream *stream, GByteArray *into);

static void
on_read (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);
  GInputStream *stream = G_INPUT_STREAM (object);
  GByteArray *into = g_object_get_data (object, "sero-into");
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (stream, res, NULL);
  gsize size = bytes ? g_bytes_get_size (bytes) : 0;

  if (size == 0)
    {
      maybe_complete (task);
      return;
    }

  if (state->out->len + state->err->len < SERO_PROCESS_MAX_OUTPUT)
    {
      gsize room = SERO_PROCESS_MAX_OUTPUT - (state->out->len + state->err->len);

      g_byte_array_append (into, g_bytes_get_data (bytes, NULL), MIN (size, room));
      if (size > room)
        state->truncated = TRUE;
    }
  else
    state->truncated = TRUE;

  read_next (task, stream, into);
}

static void
read_next (GTask        *task,
           GInputStream *stream,
           GByteArray   *into)
{
  g_object_set_data (G_OBJECT (stream), "sero-into", into);
  g_input_stream_read_bytes_async (stream, 64 * 1024, G_PRIORITY_DEFAULT, NULL, on_read, task);
}

static void
on_wait (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), res, NULL);
  maybe_complete (user_data);
}

static gboolean
on_timeout (gpointer user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);

  state->timed_out = TRUE;
  kill_group (state);

  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              GTask        *task)
{
  kill_group (g_task_get_task_data (task));
}

static void
child_setup (gpointer user_data)
{
  setpgid (0, 0);
}

static void
on_stdin_written (GObject      *object,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, NULL);
  g_output_stream_close (G_OUTPUT_STREAM (object), NULL, NULL);
  g_bytes_unref (user_data);
}

/**
 * sero_process_run_async:
 * @argv: the command
 * @cwd: (nullable): working folder
 * @envp: (nullable): the whole environment, or %NULL to inherit
 * @stdin_text: (nullable): fed to the command's standard input
 * @timeout_ms: 0 for the default of 120 s
 *
 * Runs @argv and collects its output (10 MiB at most, together).
 */
void
sero_process_run_async (const char * const  *argv,
                        const char          *cwd,
                        const char * const  *envp,
                        const char          *stdin_text,
                        guint                timeout_ms,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GTask *task;
  RunState *state;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;

  g_return_if_fail (argv != NULL && argv[0] != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_process_run_async);

  if (stdin_text != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  else
    flags |= G_SUBPROCESS_FLAGS_STDIN_INHERIT;

  launcher = g_subprocess_launcher_new (flags);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  if (envp != NULL)
    g_subprocess_launcher_set_environ (launcher, (char **) envp);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  state = g_new0 (RunState, 1);
  state->out = g_byte_array_new ();
  state->err = g_byte_array_new ();
  state->timeout_ms = timeout_ms ? timeout_ms : SERO_PROCESS_DEFAULT_TIMEOUT_MS;
  g_task_set_task_data (task, state, (GDestroyNotify) run_state_free);

  state->subprocess = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (state->subprocess == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  if (stdin_text != NULL)
    {
      GBytes *input = g_bytes_new (stdin_text, strlen (stdin_text));

      g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (state->subprocess),
                                       g_bytes_get_data (input, NULL), g_bytes_get_size (input),
                                       G_PRIORITY_DEFAULT, NULL, on_stdin_written, input);
    }

  /* Three things to finish: both pipes at end of file, and the exit. */
  state->pending = 3;
  g_object_ref (task);
  g_object_ref (task);
  read_next (task, g_subprocess_get_stdout_pipe (state->subprocess), state->out);
  read_next (task, g_subprocess_get_stderr_pipe (state->subprocess), state->err);
  g_subprocess_wait_async (state->subprocess, NULL, on_wait, task);

  state->timeout = g_timeout_source_new (state->timeout_ms);
  g_source_set_callback (state->timeout, on_timeout, task, NULL);
  g_source_attach (state->timeout, g_main_context_get_thread_default ());

  if (cancellable != NULL)
    state->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), task, NULL);
}

/**
 * sero_process_run_finish:
 *
 * Returns: (transfer full): the result; a command that ran and failed is a
 *   result with a non-zero exit status, not an error. Errors are for a
 *   command that could not start, or cancellation.
 */
SeroProcessResult *
sero_process_run_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_sync_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/**
 * sero_process_run_sync:
 *
 * The same, blocking the calling thread on a private main context; for
 * the runtime backends' lifecycle code, which runs in worker threads.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
SeroProcessResult *
sero_process_run_sync (const char * const  *argv,
                       const char          *cwd,
                       const char * const  *envp,
                       const char          *stdin_text,
                       guint                timeout_ms,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  sero_process_run_async (argv, cwd, envp, stdin_text, timeout_ms, cancellable, on_sync_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return sero_process_run_finish (result, error);
}
