/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-tools"

#include "config.h"

#include "sero-toolbox-private.h"

/* The agent's tools: pi's names, parameters and result texts, run in the
 * workspace's runtime behind the bash permission gate (issue 6).
 *
 * Every file tool works through small shell commands in the runtime (`cat`,
 * `base64`, `sed`, `find`, `grep`, content on standard input) rather than
 * on the host's filesystem. One code path then serves the host and every
 * container, and a path means what the model's own `bash` would make of it:
 * /workspace is the workspace, extra folders appear at their mount points,
 * a path outside every mount is the container's own file. Mapping container
 * paths back to host folders instead would need the mount table, would miss
 * files that exist only in the container, and would let a symlink inside a
 * mount reach host files the container cannot see. The price is one
 * process per call (two for edit), tens of milliseconds with Podman.
 *
 * The runtime is ensured once per toolbox, on the first call that needs it. */

struct _SeroToolbox
{
  GObject             parent_instance;

  SeroRuntime        *runtime;
  SeroBashGate       *gate;
  SeroFeedbackBridge *bridge;
  JsonArray          *specs;
  char               *root;
  char               *home;      /* the runtime's $HOME, fetched for ~ paths */
  gboolean            ensured;
};

G_DEFINE_FINAL_TYPE (SeroToolbox, sero_toolbox, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (SeroToolResult, sero_tool_result, sero_tool_result_copy, sero_tool_result_free)

/**
 * sero_tool_result_new_text:
 *
 * Returns: (transfer full): a result of one text block
 */
SeroToolResult *
sero_tool_result_new_text (const char *text,
                           gboolean    is_error)
{
  SeroToolResult *result;
  JsonObject *block;

  g_return_val_if_fail (text != NULL, NULL);

  result = g_new0 (SeroToolResult, 1);
  block = json_object_new ();
  json_object_set_string_member (block, "type", "text");
  json_object_set_string_member (block, "text", text);
  result->content = json_array_new ();
  json_array_add_object_element (result->content, block);
  result->is_error = is_error;
  return result;
}

/* A deep copy (json-glib's node copies share the containers): results
 * travel to other threads and into session files. */
static JsonNode *
deep_copy (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return json_from_string (text, NULL);
}

SeroToolResult *
sero_tool_result_copy (const SeroToolResult *result)
{
  SeroToolResult *copy = g_new0 (SeroToolResult, 1);
  g_autoptr(JsonNode) content = json_node_init_array (json_node_alloc (), result->content);
  g_autoptr(JsonNode) content_copy = deep_copy (content);

  copy->content = json_node_dup_array (content_copy);
  copy->is_error = result->is_error;
  if (result->details != NULL)
    {
      g_autoptr(JsonNode) details = json_node_init_object (json_node_alloc (), result->details);
      g_autoptr(JsonNode) details_copy = deep_copy (details);

      copy->details = json_node_dup_object (details_copy);
    }
  return copy;
}

void
sero_tool_result_free (SeroToolResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->content, json_array_unref);
  g_clear_pointer (&result->details, json_object_unref);
  g_free (result);
}

/**
 * sero_tool_result_dup_text:
 *
 * Returns: (transfer full): the text blocks joined by newlines, what a
 *   terminal or a log shows of the result
 */
char *
sero_tool_result_dup_text (const SeroToolResult *result)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (result != NULL, NULL);

  for (guint i = 0; i < json_array_get_length (result->content); i++)
    {
      JsonObject *block = json_array_get_object_element (result->content, i);
      const char *type = block ? json_object_get_string_member_with_default (block, "type", "") : "";

      if (g_str_equal (type, "text"))
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, json_object_get_string_member_with_default (block, "text", ""));
        }
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The specifications the model reads. The descriptions follow pi's, which
 * models are used to, adjusted where Sero's tools differ (grep skips .git
 * and node_modules instead of reading .gitignore; question is Sero's). */
static const char specs_json[] =
  "["
  "{\"name\":\"bash\","
  " \"description\":\"Execute a bash command in the workspace's root folder (inside the workspace's container when it has one). Returns stdout and stderr. Output is truncated to the last 2000 lines or 50KB (whichever is hit first); the note then says where the full output was saved. Optionally provide a timeout in seconds. Commands the permission gate considers dangerous (recursive rm, sudo, disk writes, shutdown, ...) need a person's approval and may be blocked; the result then says why.\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"command\":{\"type\":\"string\",\"description\":\"Bash command to execute\"},"
  "   \"timeout\":{\"type\":\"number\",\"description\":\"Timeout in seconds (optional, no default timeout)\"}},"
  "  \"required\":[\"command\"]}},"
  "{\"name\":\"read\","
  " \"description\":\"Read the contents of a file. Supports text files and images (jpg, png, gif, webp). Images are sent as attachments. For text files, output is truncated to 2000 lines or 50KB (whichever is hit first). Use offset/limit for large files. When you need the full file, continue with offset until complete.\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"path\":{\"type\":\"string\",\"description\":\"Path to the file to read (relative to the workspace root, or absolute)\"},"
  "   \"offset\":{\"type\":\"number\",\"description\":\"Line number to start reading from (1-indexed)\"},"
  "   \"limit\":{\"type\":\"number\",\"description\":\"Maximum number of lines to read\"}},"
  "  \"required\":[\"path\"]}},"
  "{\"name\":\"write\","
  " \"description\":\"Write content to a file. Creates the file if it doesn't exist, overwrites if it does. Automatically creates parent directories. Writing outside the workspace needs a person's approval.\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"path\":{\"type\":\"string\",\"description\":\"Path to the file to write (relative to the workspace root, or absolute)\"},"
  "   \"content\":{\"type\":\"string\",\"description\":\"Content to write to the file\"}},"
  "  \"required\":[\"path\",\"content\"]}},"
  "{\"name\":\"edit\","
  " \"description\":\"Edit a file by replacing exact text. The oldText must match exactly (including whitespace) and occur exactly once in the file; include enough surrounding lines to make it unique. Use this for precise, surgical edits. Editing outside the workspace needs a person's approval.\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"path\":{\"type\":\"string\",\"description\":\"Path to the file to edit (relative to the workspace root, or absolute)\"},"
  "   \"oldText\":{\"type\":\"string\",\"description\":\"Exact text to find and replace (must match exactly)\"},"
  "   \"newText\":{\"type\":\"string\",\"description\":\"New text to replace the old text with\"}},"
  "  \"required\":[\"path\",\"oldText\",\"newText\"]}},"
  "{\"name\":\"ls\","
  " \"description\":\"List directory contents. Returns entries sorted alphabetically, with '/' suffix for directories. Includes dotfiles. Output is truncated to 500 entries or 50KB (whichever is hit first).\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"path\":{\"type\":\"string\",\"description\":\"Directory to list (default: the workspace root)\"},"
  "   \"limit\":{\"type\":\"number\",\"description\":\"Maximum number of entries to return (default: 500)\"}}}},"
  "{\"name\":\"grep\","
  " \"description\":\"Search file contents for a pattern. Returns matching lines with file paths and line numbers. Skips .git and node_modules folders and binary files. Output is truncated to 100 matches or 50KB (whichever is hit first). Long lines are truncated to 500 chars.\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"pattern\":{\"type\":\"string\",\"description\":\"Search pattern (extended regular expression, or a literal string with literal=true)\"},"
  "   \"path\":{\"type\":\"string\",\"description\":\"Directory or file to search (default: the workspace root)\"},"
  "   \"glob\":{\"type\":\"string\",\"description\":\"Filter files by glob pattern, e.g. '*.ts' or '**/*.spec.ts'\"},"
  "   \"ignoreCase\":{\"type\":\"boolean\",\"description\":\"Case-insensitive search (default: false)\"},"
  "   \"literal\":{\"type\":\"boolean\",\"description\":\"Treat pattern as literal string instead of regex (default: false)\"},"
  "   \"context\":{\"type\":\"number\",\"description\":\"Number of lines to show before and after each match (default: 0)\"},"
  "   \"limit\":{\"type\":\"number\",\"description\":\"Maximum number of matches to return (default: 100)\"}},"
  "  \"required\":[\"pattern\"]}},"
  "{\"name\":\"question\","
  " \"description\":\"Ask the user a question and wait for the answer. Offer short options to choose from; unless allowFreeText is false the user may also write their own answer. Use it when you need a decision or information only the user has, not to ask permission for commands (the permission gate does that).\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"question\":{\"type\":\"string\",\"description\":\"The question to ask\"},"
  "   \"options\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"description\":\"Choices to offer, as short labels\"},"
  "   \"allowFreeText\":{\"type\":\"boolean\",\"description\":\"Let the user write their own answer instead of choosing (default: true)\"}},"
  "  \"required\":[\"question\",\"options\"]}}"
  "]";

static void
sero_toolbox_finalize (GObject *object)
{
  SeroToolbox *self = (SeroToolbox *) object;

  g_clear_object (&self->runtime);
  g_clear_object (&self->gate);
  g_clear_object (&self->bridge);
  g_clear_pointer (&self->specs, json_array_unref);
  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->home, g_free);

  G_OBJECT_CLASS (sero_toolbox_parent_class)->finalize (object);
}

static void
sero_toolbox_class_init (SeroToolboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_toolbox_finalize;
}

static void
sero_toolbox_init (SeroToolbox *self)
{
}

/**
 * sero_toolbox_new:
 * @runtime: where the tools run: the workspace's host or container runtime
 * @gate: (nullable): the bash permission gate; %NULL for a default one
 * @bridge: (nullable): how to ask a person; %NULL where nobody can answer,
 *   so risky commands and writes outside the workspace are blocked and
 *   `question` fails
 *
 * Returns: (transfer full): the tools of one agent turn
 */
SeroToolbox *
sero_toolbox_new (SeroRuntime        *runtime,
                  SeroBashGate       *gate,
                  SeroFeedbackBridge *bridge)
{
  SeroToolbox *self;

  g_return_val_if_fail (SERO_IS_RUNTIME (runtime), NULL);
  g_return_val_if_fail (gate == NULL || SERO_IS_BASH_GATE (gate), NULL);
  g_return_val_if_fail (bridge == NULL || SERO_IS_FEEDBACK_BRIDGE (bridge), NULL);

  self = g_object_new (SERO_TYPE_TOOLBOX, NULL);
  self->runtime = g_object_ref (runtime);
  self->gate = gate ? g_object_ref (gate) : sero_bash_gate_new ();
  self->bridge = bridge ? g_object_ref (bridge) : NULL;

  /* The model sees the workspace where the commands run: /workspace in a
   * container (the runtime maps it back on the host), the folder itself on
   * the host. */
  if (sero_runtime_is_container (runtime))
    self->root = g_strdup ("/workspace");
  else
    self->root = g_canonicalize_filename (sero_workspace_get_path (sero_runtime_get_workspace (runtime)), NULL);

  return self;
}

/**
 * sero_toolbox_get_specs:
 *
 * Returns: (transfer none): `[{name, description, parameters}]`, the tools
 *   as providers declare them
 */
JsonArray *
sero_toolbox_get_specs (SeroToolbox *self)
{
  g_return_val_if_fail (SERO_IS_TOOLBOX (self), NULL);

  if (self->specs == NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (specs_json, NULL);

      g_assert (node != NULL && JSON_NODE_HOLDS_ARRAY (node));
      self->specs = json_node_dup_array (node);
    }

  return self->specs;
}

/**
 * sero_toolbox_get_root:
 *
 * Returns: the workspace root as the tools see it: `/workspace` in a
 *   container, the host folder otherwise
 */
const char *
sero_toolbox_get_root (SeroToolbox *self)
{
  g_return_val_if_fail (SERO_IS_TOOLBOX (self), NULL);

  return self->root;
}

SeroRuntime *
_sero_toolbox_get_runtime (SeroToolbox *self)
{
  return self->runtime;
}

SeroBashGate *
_sero_toolbox_get_gate (SeroToolbox *self)
{
  return self->gate;
}

SeroFeedbackBridge *
_sero_toolbox_get_bridge (SeroToolbox *self)
{
  return self->bridge;
}

const char *
_sero_toolbox_get_root (SeroToolbox *self)
{
  return self->root;
}

static void
tool_call_free (SeroToolCall *call)
{
  g_free (call->id);
  g_free (call->name);
  g_clear_pointer (&call->args, json_object_unref);
  g_free (call->path);
  g_free (call->display_path);
  g_free (call->text);
  g_free (call->full_output);
  g_clear_pointer (&call->details, json_object_unref);
  g_free (call);
}

/* Arguments ---------------------------------------------------------- */

const char *
_sero_tool_arg_string (JsonObject *args,
                       const char *name)
{
  JsonNode *node = json_object_get_member (args, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* FALSE when the member is there but is not a whole number >= 0. */
gboolean
_sero_tool_arg_uint (JsonObject *args,
                     const char *name,
                     guint       fallback,
                     guint      *value)
{
  JsonNode *node = json_object_get_member (args, name);
  GType type;
  double number;

  *value = fallback;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    number = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    number = json_node_get_double (node);
  else if (type == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      char *end = NULL;

      number = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0')
        return FALSE;
    }
  else
    return FALSE;

  if (number < 0 || number > G_MAXUINT || number != (double) (guint) number)
    return FALSE;
  *value = (guint) number;
  return TRUE;
}

gboolean
_sero_tool_arg_bool (JsonObject *args,
                     const char *name,
                     gboolean    fallback)
{
  JsonNode *node = json_object_get_member (args, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      if (g_ascii_strcasecmp (text, "true") == 0)
        return TRUE;
      if (g_ascii_strcasecmp (text, "false") == 0)
        return FALSE;
    }
  return fallback;
}

/* Completion --------------------------------------------------------- */

void
_sero_tool_return (GTask          *task,
                   SeroToolResult *result)
{
  SeroToolCall *call = g_task_get_task_data (task);

  /* An abort completes a call at once; the bridge's late answer then has
   * nowhere to go. */
  if (call->returned)
    {
      sero_tool_result_free (result);
      return;
    }
  call->returned = TRUE;

  if (result->details == NULL && call->details != NULL)
    result->details = g_steal_pointer (&call->details);
  g_task_return_pointer (task, result, (GDestroyNotify) sero_tool_result_free);
}

void
_sero_tool_return_error (GTask      *task,
                         const char *format,
                         ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  _sero_tool_return (task, sero_tool_result_new_text (text, TRUE));
}

/* pi's words: bash says "Command aborted", the file tools "Operation
 * aborted". The process group is already gone: the runtime killed it. */
void
_sero_tool_return_aborted (GTask *task)
{
  SeroToolCall *call = g_task_get_task_data (task);

  _sero_tool_return (task, sero_tool_result_new_text (g_str_equal (call->name, "bash")
                                                      ? "Command aborted" : "Operation aborted", TRUE));
}

void
_sero_tool_exec (GTask                 *task,
                 const SeroExecRequest *request,
                 GAsyncReadyCallback    callback)
{
  SeroToolbox *self = g_task_get_source_object (task);

  sero_runtime_exec_async (self->runtime, request, g_task_get_cancellable (task),
                           callback, g_object_ref (task));
}

SeroProcessResult *
_sero_tool_exec_finish (GTask        *task,
                        GAsyncResult *result)
{
  SeroToolbox *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  SeroProcessResult *process;

  process = sero_runtime_exec_finish (self->runtime, result, &error);
  if (process != NULL && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return process;

  g_clear_pointer (&process, sero_process_result_free);
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _sero_tool_return_aborted (task);
  else
    _sero_tool_return_error (task, "Could not run the command in the workspace's runtime: %s", error->message);
  return NULL;
}

/* The helper scripts print a message a model can act on to stderr; fall
 * back to stdout, then to the exit status. */
char *
_sero_tool_process_error (SeroProcessResult *process)
{
  g_autofree char *err = g_strstrip (g_strdup (process->stderr_text));
  g_autofree char *out = g_strstrip (g_strdup (process->stdout_text));

  if (err[0] != '\0')
    return g_steal_pointer (&err);
  if (out[0] != '\0')
    return g_steal_pointer (&out);
  return g_strdup_printf ("The command failed with exit code %d", process->exit_status);
}

/* Dispatch ------------------------------------------------------------ */

typedef void (*ToolRun) (GTask *task);

static const struct
{
  const char *name;
  ToolRun     run;
  gboolean    needs_runtime;
  gboolean    takes_path;
  gboolean    path_required;
} tools[] = {
  { "bash",     _sero_tool_bash_run,     TRUE,  FALSE, FALSE },
  { "read",     _sero_tool_read_run,     TRUE,  TRUE,  TRUE  },
  { "write",    _sero_tool_write_run,    TRUE,  TRUE,  TRUE  },
  { "edit",     _sero_tool_edit_run,     TRUE,  TRUE,  TRUE  },
  { "ls",       _sero_tool_ls_run,       TRUE,  TRUE,  FALSE },
  { "grep",     _sero_tool_grep_run,     TRUE,  TRUE,  FALSE },
  { "question", _sero_tool_question_run, FALSE, FALSE, FALSE },
};

static guint
tool_index (GTask *task)
{
  SeroToolCall *call = g_task_get_task_data (task);

  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    if (g_str_equal (tools[i].name, call->name))
      return i;
  g_assert_not_reached ();
}

/* Paths are relative to the workspace root; ~ is the runtime's home. The
 * result is lexical (. and .. folded), which is what the runtime's shell
 * will open; symlinks are for the gate's path check to follow. */
static char *
resolve_path (SeroToolbox *self,
              const char  *path)
{
  /* Models sometimes copy the @file mention syntax. */
  if (path[0] == '@')
    path++;

  if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
    {
      const char *home = self->home ? self->home : g_get_home_dir ();

      return g_canonicalize_filename (path[1] ? path + 2 : ".", home);
    }

  return g_canonicalize_filename (path[0] ? path : ".", self->root);
}

static void
dispatch (GTask *task)
{
  SeroToolbox *self = g_task_get_source_object (task);
  SeroToolCall *call = g_task_get_task_data (task);
  guint i = tool_index (task);

  if (tools[i].takes_path && call->display_path != NULL)
    call->path = resolve_path (self, call->display_path);

  tools[i].run (task);
}

static void
on_home (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolbox *self = g_task_get_source_object (task);
  g_autoptr(SeroProcessResult) process = _sero_tool_exec_finish (task, result);

  if (process == NULL)
    return;

  if (process->exit_status != 0 || !g_path_is_absolute (g_strstrip (process->stdout_text)))
    {
      _sero_tool_return_error (task, "Could not find the home folder in the workspace's runtime; use a path without ~");
      return;
    }

  g_free (self->home);
  self->home = g_strdup (process->stdout_text);
  dispatch (task);
}

/* The runtime is ready; in a container a ~ path needs the container's
 * $HOME, asked once. On the host it is ours. */
static void
prepare (GTask *task)
{
  SeroToolbox *self = g_task_get_source_object (task);
  SeroToolCall *call = g_task_get_task_data (task);

  if (call->display_path != NULL && call->display_path[0] == '~' &&
      self->home == NULL && sero_runtime_is_container (self->runtime))
    {
      static const char * const argv[] = { "sh", "-c", "printf '%s' \"$HOME\"", NULL };
      SeroExecRequest request = { .argv = argv };

      _sero_tool_exec (task, &request, on_home);
      return;
    }

  dispatch (task);
}

static void
on_ensured (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolbox *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      _sero_tool_return_aborted (task);
      return;
    }

  if (!sero_runtime_ensure_finish (SERO_RUNTIME (object), result, &error))
    {
      _sero_tool_return_error (task, "The workspace's runtime is not available: %s", error->message);
      return;
    }

  self->ensured = TRUE;
  prepare (task);
}

/**
 * sero_toolbox_execute_async:
 * @tool_call_id: the provider's id of the call
 * @arguments: (nullable): the call's arguments
 * @cancellable: aborts the call: a running command's process group is
 *   killed and the result says "Command aborted"
 *
 * Runs one tool call. Whatever goes wrong in the tool (bad arguments, a
 * blocked command, a missing file, a non-zero exit) is a result with
 * `is_error` set whose text tells the model why, because the model needs a
 * result for every call; the GError of the finish is only for the toolbox
 * failing itself.
 */
void
sero_toolbox_execute_async (SeroToolbox         *self,
                            const char          *tool_call_id,
                            const char          *tool_name,
                            JsonObject          *arguments,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SeroToolCall *call;
  guint i;

  g_return_if_fail (SERO_IS_TOOLBOX (self));
  g_return_if_fail (tool_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_toolbox_execute_async);
  /* An aborted call still has a result ("Command aborted"). */
  g_task_set_check_cancellable (task, FALSE);

  call = g_new0 (SeroToolCall, 1);
  call->id = g_strdup (tool_call_id ? tool_call_id : "");
  call->name = g_strdup (tool_name);
  call->args = arguments ? json_object_ref (arguments) : json_object_new ();
  g_task_set_task_data (task, call, (GDestroyNotify) tool_call_free);

  for (i = 0; i < G_N_ELEMENTS (tools); i++)
    if (g_str_equal (tools[i].name, tool_name))
      break;

  if (i == G_N_ELEMENTS (tools))
    {
      _sero_tool_return_error (task, "Tool %s not found", tool_name);
      return;
    }

  if (tools[i].takes_path)
    {
      JsonNode *node = json_object_get_member (call->args, "path");
      const char *path = _sero_tool_arg_string (call->args, "path");

      if ((node != NULL && !JSON_NODE_HOLDS_NULL (node) && path == NULL) ||
          (tools[i].path_required && (path == NULL || path[0] == '\0')))
        {
          _sero_tool_return_error (task, "Invalid arguments for %s: \"path\" must be a non-empty string", tool_name);
          return;
        }
      call->display_path = g_strdup (path && path[0] ? path : ".");
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      _sero_tool_return_aborted (task);
      return;
    }

  if (!tools[i].needs_runtime)
    tools[i].run (task);
  else if (!self->ensured)
    sero_runtime_ensure_async (self->runtime, cancellable, on_ensured, g_object_ref (task));
  else
    prepare (task);
}

/**
 * sero_toolbox_execute_finish:
 *
 * Returns: (transfer full): the tool's result, or %NULL with @error set
 */
SeroToolResult *
sero_toolbox_execute_finish (SeroToolbox   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (SERO_IS_TOOLBOX (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
