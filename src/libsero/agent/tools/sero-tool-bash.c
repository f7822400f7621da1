/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-tools"

#include "config.h"

#include "sero-toolbox-private.h"

/* `bash`: the gate first, then `bash -lc` at the workspace root in the
 * runtime, with pi's result texts (reference §3.6). */

/* Host mode passes on only these (reference §3.6), so the API keys Sero
 * was started with never reach a command the model wrote. A container has
 * its own environment, set when it was created. */
static const char * const host_env_names[] = {
  "PATH", "HOME", "USER", "LOGNAME", "LANG", "TERM", "SHELL", "TMPDIR", "TMP", "TEMP", NULL
};

GStrv
_sero_tool_bash_host_environ (const char * const *environ_)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; environ_ && environ_[i]; i++)
    {
      const char *eq = strchr (environ_[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL)
        continue;
      name = g_strndup (environ_[i], eq - environ_[i]);
      if (g_strv_contains (host_env_names, name) || g_str_has_prefix (name, "LC_"))
        g_strv_builder_add (builder, environ_[i]);
    }

  return g_strv_builder_end (builder);
}

/* Whole seconds; models send 30, 30.0 or "30". Fractions round up so a
 * timeout is never shorter than asked. */
static gboolean
parse_timeout (JsonObject *args,
               guint      *seconds)
{
  JsonNode *node = json_object_get_member (args, "timeout");
  double value;

  *seconds = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      value = json_node_get_int (node);
      break;
    case G_TYPE_DOUBLE:
      value = json_node_get_double (node);
      break;
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);
        char *end = NULL;

        value = g_ascii_strtod (text, &end);
        if (end == text || *end != '\0')
          return FALSE;
      }
      break;
    default:
      return FALSE;
    }

  if (!(value >= 0) || value > G_MAXUINT / 1000)
    return FALSE;
  *seconds = (guint) value + (value > (guint) value ? 1 : 0);
  return TRUE;
}

static void
finish (GTask      *task,
        const char *output,
        SeroTruncation *truncation,
        const char *saved_path)
{
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean is_error = FALSE;

  g_string_append (text, truncation->truncated ? truncation->content : output);
  if (text->len == 0)
    g_string_append (text, "(no output)");

  if (truncation->truncated)
    {
      guint start = truncation->total_lines - truncation->output_lines + 1;
      guint end = truncation->total_lines;
      g_autofree char *where = saved_path
                               ? g_strdup_printf ("Full output: %s", saved_path)
                               : g_strdup ("The full output could not be saved");

      if (truncation->last_line_partial)
        {
          const char *last = strrchr (output, '\n');
          g_autofree char *shown = _sero_format_size (truncation->output_bytes);
          g_autofree char *line = _sero_format_size (strlen (last ? last + 1 : output));

          g_string_append_printf (text, "\n\n[Showing last %s of line %u (line is %s). %s]", shown, end, line, where);
        }
      else if (!truncation->by_bytes)
        g_string_append_printf (text, "\n\n[Showing lines %u-%u of %u. %s]", start, end, truncation->total_lines, where);
      else
        {
          g_autofree char *limit = _sero_format_size (SERO_TOOL_MAX_BYTES);

          g_string_append_printf (text, "\n\n[Showing lines %u-%u of %u (%s limit). %s]",
                                  start, end, truncation->total_lines, limit, where);
        }

      json_object_set_boolean_member (call->details, "truncated", TRUE);
      if (saved_path != NULL)
        json_object_set_string_member (call->details, "fullOutputPath", saved_path);
    }

  if (call->timed_out)
    {
      g_string_append_printf (text, "\n\nCommand timed out after %us", call->timeout_s);
      is_error = TRUE;
    }
  else if (call->exit_status != 0)
    {
      g_string_append_printf (text, "\n\nCommand exited with code %d", call->exit_status);
      is_error = TRUE;
    }

  _sero_tool_return (task, sero_tool_result_new_text (text->str, is_error));
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(SeroProcessResult) process = _sero_tool_exec_finish (task, result);
  g_auto(SeroTruncation) truncation = { 0 };
  g_autofree char *path = NULL;

  if (process == NULL)
    return;

  if (process->exit_status == 0)
    {
      path = g_strstrip (g_strdup (process->stdout_text));
      if (!g_path_is_absolute (path))
        g_clear_pointer (&path, g_free);
    }
  if (path == NULL)
    g_debug ("Could not save a long bash output: %s", process->stderr_text);

  _sero_truncate_tail (call->full_output, SERO_TOOL_MAX_LINES, SERO_TOOL_MAX_BYTES, &truncation);
  finish (task, call->full_output, &truncation, path);
}

static void
on_ran (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(SeroProcessResult) process = _sero_tool_exec_finish (task, result);
  g_auto(SeroTruncation) truncation = { 0 };
  g_autoptr(GString) output = NULL;
  g_autofree char *err = NULL;

  if (process == NULL)
    return;

  call->exit_status = process->exit_status;
  call->timed_out = process->timed_out;
  json_object_set_int_member (call->details, "exitCode", process->exit_status);
  if (process->timed_out)
    json_object_set_boolean_member (call->details, "timedOut", TRUE);

  /* The process layer notes a timeout at the end of stderr in its own
   * words; ours comes last, in pi's. */
  err = g_strdup (process->stderr_text);
  if (process->timed_out)
    {
      char *note = g_strrstr (err, "Command timed out after ");

      if (note != NULL)
        *note = '\0';
    }

  output = g_string_new (process->stdout_text);
  if (output->len > 0 && err[0] != '\0' && output->str[output->len - 1] != '\n')
    g_string_append_c (output, '\n');
  g_string_append (output, err);
  if (process->truncated)
    g_string_append (output, "\n[The command's output past 10MB was dropped]");
  g_strchomp (output->str);
  output->len = strlen (output->str);

  _sero_truncate_tail (output->str, SERO_TOOL_MAX_LINES, SERO_TOOL_MAX_BYTES, &truncation);
  if (!truncation.truncated)
    {
      finish (task, output->str, &truncation, NULL);
      return;
    }

  /* Keep the whole output where the model's own commands can read it: in
   * the runtime's temporary folder, like pi's temp file. */
  {
    static const char * const argv[] = {
      "sh", "-c",
      "f=$(mktemp \"${TMPDIR:-/tmp}/sero-bash-XXXXXX\") && cat > \"$f\" && printf '%s' \"$f\"",
      NULL
    };
    SeroExecRequest request = { .argv = argv, .stdin_text = output->str };

    call->full_output = g_string_free (g_steal_pointer (&output), FALSE);
    _sero_tool_exec (task, &request, on_saved);
  }
}

static void
run (GTask *task)
{
  SeroToolbox *self = g_task_get_source_object (task);
  SeroToolCall *call = g_task_get_task_data (task);
  SeroRuntime *runtime = _sero_toolbox_get_runtime (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  SeroExecRequest request = { 0 };

  if (sero_runtime_is_container (runtime))
    {
      /* Images without bash still get a POSIX login shell. */
      g_strv_builder_add_many (builder, "sh", "-c",
                               "if command -v bash >/dev/null 2>&1; then exec bash -lc \"$1\"; else exec sh -lc \"$1\"; fi",
                               "sh", call->text, NULL);
    }
  else
    {
      g_auto(GStrv) environ_ = g_get_environ ();
      g_auto(GStrv) kept = _sero_tool_bash_host_environ ((const char * const *) environ_);

      g_strv_builder_add_many (builder, "env", "-i", NULL);
      g_strv_builder_addv (builder, (const char **) kept);
      g_strv_builder_add_many (builder, "bash", "-lc", call->text, NULL);
    }
  argv = g_strv_builder_end (builder);

  request.argv = (const char * const *) argv;
  /* Commands get an empty standard input rather than Sero's own. */
  request.stdin_text = "";
  /* pi has no default timeout: a command runs until it ends or is aborted. */
  request.timeout_ms = call->timeout_s > 0 ? call->timeout_s * 1000 : G_MAXUINT;

  _sero_tool_exec (task, &request, on_ran);
}

static void
on_gate (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolbox *self = g_task_get_source_object (task);
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(SeroGateDecision) decision = NULL;
  g_autoptr(GError) error = NULL;

  decision = sero_bash_gate_check_finish (SERO_BASH_GATE (object), result, &error);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      _sero_tool_return_aborted (task);
      return;
    }

  if (decision == NULL)
    {
      _sero_tool_return_error (task, "The permission gate failed: %s", error->message);
      return;
    }

  if (decision->verdict != SERO_GATE_ALLOW)
    {
      const char *root = _sero_toolbox_get_root (self);
      g_autoptr(SeroGateDecision) why = sero_bash_gate_classify (SERO_BASH_GATE (object), call->text, root, root);

      json_object_set_boolean_member (call->details, "blocked", TRUE);
      if (decision->rule != NULL)
        json_object_set_string_member (call->details, "rule", decision->rule);

      /* The final reason says who blocked it; the classification says what
       * made the command risky, which is what the model can change. */
      if (why->verdict == SERO_GATE_ASK && why->reason != NULL && g_strcmp0 (why->reason, decision->reason) != 0)
        _sero_tool_return_error (task, "%s\nWhy it needs approval: %s", decision->reason, why->reason);
      else
        _sero_tool_return_error (task, "%s", decision->reason);
      return;
    }

  run (task);
}

void
_sero_tool_bash_run (GTask *task)
{
  SeroToolbox *self = g_task_get_source_object (task);
  SeroToolCall *call = g_task_get_task_data (task);
  const char *command = _sero_tool_arg_string (call->args, "command");
  const char *root = _sero_toolbox_get_root (self);

  if (command == NULL || command[strspn (command, " \t\r\n")] == '\0')
    {
      _sero_tool_return_error (task, "Invalid arguments for bash: \"command\" must be a non-empty string");
      return;
    }

  if (!parse_timeout (call->args, &call->timeout_s))
    {
      _sero_tool_return_error (task, "Invalid arguments for bash: \"timeout\" must be a number of seconds");
      return;
    }

  call->text = g_strdup (command);
  call->details = json_object_new ();

  sero_bash_gate_check_async (_sero_toolbox_get_gate (self), call->text, root, root,
                              _sero_toolbox_get_bridge (self), g_task_get_cancellable (task),
                              on_gate, g_object_ref (task));
}
