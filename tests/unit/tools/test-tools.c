/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sero-runtime-host.h"
#include "sero-toolbox-private.h"

/* The agent's tools on a host workspace in a temporary folder, with a fake
 * person behind the feedback bridge. The container side is in
 * tests/integration/tools. */

/* A fake person --------------------------------------------------------- */

#define TEST_TYPE_BRIDGE (test_bridge_get_type ())
G_DECLARE_FINAL_TYPE (TestBridge, test_bridge, TEST, BRIDGE, GObject)

struct _TestBridge
{
  GObject               parent_instance;
  SeroPermissionAnswer  permission;
  guint                 permissions_asked;
  char                 *last_prompt;

  /* question: an option index, or -1 to write free_text; never_answer keeps
   * the question (and ignores its cancellable) until the test drops it */
  int                   option;
  char                 *free_text;
  gboolean              cancel_question;
  gboolean              never_answer;
  GTask                *pending;
  guint                 questions_asked;
  char                 *last_question;
  char                **last_options;
  gboolean              last_allow_free_text;
  char                 *last_question_id;
};

static void test_bridge_iface_init (SeroFeedbackBridgeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBridge, test_bridge, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SERO_TYPE_FEEDBACK_BRIDGE, test_bridge_iface_init))

static void
test_bridge_ask_permission_async (SeroFeedbackBridge  *bridge,
                                  const char          *question_id,
                                  const char          *prompt,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  TestBridge *self = TEST_BRIDGE (bridge);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  self->permissions_asked++;
  g_free (self->last_prompt);
  self->last_prompt = g_strdup (prompt);
  g_task_return_int (task, self->permission);
}

static SeroPermissionAnswer
test_bridge_ask_permission_finish (SeroFeedbackBridge  *bridge,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static void
test_bridge_ask_question_async (SeroFeedbackBridge  *bridge,
                                const char          *question_id,
                                const char          *question,
                                const char * const  *options,
                                gboolean             allow_free_text,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  TestBridge *self = TEST_BRIDGE (bridge);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  self->questions_asked++;
  g_free (self->last_question);
  self->last_question = g_strdup (question);
  g_strfreev (self->last_options);
  self->last_options = g_strdupv ((char **) options);
  self->last_allow_free_text = allow_free_text;
  g_free (self->last_question_id);
  self->last_question_id = g_strdup (question_id);

  if (self->never_answer)
    self->pending = g_steal_pointer (&task);
  else if (self->cancel_question)
    g_task_return_pointer (task, sero_question_answer_new (TRUE, -1, NULL), (GDestroyNotify) sero_question_answer_free);
  else if (self->option >= 0)
    g_task_return_pointer (task, sero_question_answer_new (FALSE, self->option, options[self->option]),
                           (GDestroyNotify) sero_question_answer_free);
  else
    g_task_return_pointer (task, sero_question_answer_new (FALSE, -1, self->free_text),
                           (GDestroyNotify) sero_question_answer_free);
}

static SeroQuestionAnswer *
test_bridge_ask_question_finish (SeroFeedbackBridge  *bridge,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_bridge_iface_init (SeroFeedbackBridgeInterface *iface)
{
  iface->ask_permission_async = test_bridge_ask_permission_async;
  iface->ask_permission_finish = test_bridge_ask_permission_finish;
  iface->ask_question_async = test_bridge_ask_question_async;
  iface->ask_question_finish = test_bridge_ask_question_finish;
}

static void
test_bridge_finalize (GObject *object)
{
  TestBridge *self = TEST_BRIDGE (object);

  g_assert_null (self->pending);
  g_free (self->last_prompt);
  g_free (self->free_text);
  g_free (self->last_question);
  g_strfreev (self->last_options);
  g_free (self->last_question_id);

  G_OBJECT_CLASS (test_bridge_parent_class)->finalize (object);
}

static void
test_bridge_class_init (TestBridgeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_bridge_finalize;
}

static void
test_bridge_init (TestBridge *self)
{
  self->permission = SERO_PERMISSION_BLOCK;
}

/* A bridge that can ask permission but has no question call, like an
 * older window or a device that only approves commands. */
#define TEST_TYPE_PERMISSION_BRIDGE (test_permission_bridge_get_type ())
G_DECLARE_FINAL_TYPE (TestPermissionBridge, test_permission_bridge, TEST, PERMISSION_BRIDGE, GObject)

struct _TestPermissionBridge
{
  GObject parent_instance;
};

static void test_permission_bridge_iface_init (SeroFeedbackBridgeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestPermissionBridge, test_permission_bridge, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SERO_TYPE_FEEDBACK_BRIDGE, test_permission_bridge_iface_init))

static void
test_permission_bridge_iface_init (SeroFeedbackBridgeInterface *iface)
{
  iface->ask_permission_async = test_bridge_ask_permission_async;
  iface->ask_permission_finish = test_bridge_ask_permission_finish;
}

static void
test_permission_bridge_class_init (TestPermissionBridgeClass *klass)
{
}

static void
test_permission_bridge_init (TestPermissionBridge *self)
{
}

/* Fixture ---------------------------------------------------------------- */

typedef struct
{
  char          *folder;
  SeroWorkspace *workspace;
  SeroRuntime   *runtime;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *folder = g_dir_make_tmp ("sero-tools-XXXXXX", NULL);

  fixture->folder = g_canonicalize_filename (folder, NULL);
  fixture->workspace = sero_workspace_new ("tools-test", fixture->folder);
  fixture->runtime = sero_runtime_host_new (fixture->workspace);
}

static void
remove_tree (const char *path)
{
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->folder);
  g_clear_object (&fixture->runtime);
  g_clear_object (&fixture->workspace);
  g_free (fixture->folder);
}

static char *
path_in (Fixture    *fixture,
         const char *relative)
{
  return g_build_filename (fixture->folder, relative, NULL);
}

static void
put_file (Fixture    *fixture,
          const char *relative,
          const char *contents,
          gssize      length)
{
  g_autofree char *path = path_in (fixture, relative);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

static char *
get_file (Fixture    *fixture,
          const char *relative)
{
  g_autofree char *path = path_in (fixture, relative);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static SeroToolResult *
run_tool_full (SeroToolbox  *toolbox,
               const char   *name,
               const char   *args_json,
               GCancellable *cancellable)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (args_json, &error);
  SeroToolResult *tool_result;

  g_assert_no_error (error);
  sero_toolbox_execute_async (toolbox, "call-1", name, json_node_get_object (node), cancellable, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  tool_result = sero_toolbox_execute_finish (toolbox, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tool_result);
  g_assert_cmpuint (json_array_get_length (tool_result->content), >=, 1);
  return tool_result;
}

static SeroToolResult *
run_tool (Fixture            *fixture,
          SeroFeedbackBridge *bridge,
          const char         *name,
          const char         *args_json)
{
  g_autoptr(SeroToolbox) toolbox = sero_toolbox_new (fixture->runtime, NULL, bridge);

  return run_tool_full (toolbox, name, args_json, NULL);
}

/* The text of a result, checking its error flag. */
static char *
expect (SeroToolResult *result,
        gboolean        is_error)
{
  char *text = sero_tool_result_dup_text (result);

  if (result->is_error != is_error)
    g_error ("expected %s, got: %s", is_error ? "an error" : "success", text);
  return text;
}

static char *
json_args (const char *first_name,
           ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *name;
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_name);
  for (name = first_name; name; name = va_arg (args, const char *))
    {
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Truncation -------------------------------------------------------------- */

static void
test_truncate (void)
{
  g_auto(SeroTruncation) head = { 0 };
  g_auto(SeroTruncation) tail = { 0 };
  g_auto(SeroTruncation) partial = { 0 };
  g_auto(SeroTruncation) none = { 0 };
  g_autofree char *big = g_strnfill (100, 'x');
  g_autofree char *size = NULL;

  _sero_truncate_head ("a\nb\nc\nd", 2, 100, &head);
  g_assert_true (head.truncated);
  g_assert_false (head.by_bytes);
  g_assert_cmpstr (head.content, ==, "a\nb");
  g_assert_cmpuint (head.total_lines, ==, 4);

  _sero_truncate_tail ("a\nb\nc\nd", 3, 100, &tail);
  g_assert_cmpstr (tail.content, ==, "b\nc\nd");
  g_assert_cmpuint (tail.output_lines, ==, 3);

  /* The last line alone is past the byte limit: its end is kept. */
  _sero_truncate_tail (big, 10, 10, &partial);
  g_assert_true (partial.last_line_partial);
  g_assert_cmpuint (strlen (partial.content), ==, 10);

  _sero_truncate_tail ("one\ntwo", 10, 100, &none);
  g_assert_false (none.truncated);
  g_assert_cmpstr (none.content, ==, "one\ntwo");

  size = _sero_format_size (SERO_TOOL_MAX_BYTES);
  g_assert_cmpstr (size, ==, "50.0KB");
}

/* Specs -------------------------------------------------------------------- */

static void
test_specs (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SeroToolbox) toolbox = sero_toolbox_new (fixture->runtime, NULL, NULL);
  JsonArray *specs = sero_toolbox_get_specs (toolbox);
  const char * const names[] = { "bash", "read", "write", "edit", "ls", "grep", "question", NULL };

  g_assert_cmpuint (json_array_get_length (specs), ==, g_strv_length ((char **) names));
  for (guint i = 0; names[i]; i++)
    {
      JsonObject *spec = json_array_get_object_element (specs, i);
      JsonObject *parameters = json_object_get_object_member (spec, "parameters");

      g_assert_cmpstr (json_object_get_string_member (spec, "name"), ==, names[i]);
      g_assert_cmpuint (strlen (json_object_get_string_member (spec, "description")), >, 40);
      g_assert_cmpstr (json_object_get_string_member (parameters, "type"), ==, "object");
      g_assert_true (json_object_has_member (parameters, "properties"));
    }

  g_assert_cmpstr (sero_toolbox_get_root (toolbox), ==, fixture->folder);
}

/* bash --------------------------------------------------------------------- */

static void
test_bash_output (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SeroToolResult) result = NULL;
  g_autoptr(SeroToolResult) failed = NULL;
  g_autoptr(SeroToolResult) silent = NULL;
  g_autoptr(SeroToolResult) where = NULL;
  g_autofree char *text = NULL;
  g_autofree char *failed_text = NULL;
  g_autofree char *silent_text = NULL;
  g_autofree char *where_text = NULL;

  result = run_tool (fixture, NULL, "bash", "{\"command\": \"echo out; echo err >&2\"}");
  text = expect (result, FALSE);
  g_assert_cmpstr (text, ==, "out\nerr");
  g_assert_cmpint (json_object_get_int_member (result->details, "exitCode"), ==, 0);

  failed = run_tool (fixture, NULL, "bash", "{\"command\": \"echo partial; exit 3\"}");
  failed_text = expect (failed, TRUE);
  g_assert_cmpstr (failed_text, ==, "partial\n\nCommand exited with code 3");

  silent = run_tool (fixture, NULL, "bash", "{\"command\": \"true\"}");
  silent_text = expect (silent, FALSE);
  g_assert_cmpstr (silent_text, ==, "(no output)");

  /* At the workspace root, in bash (not sh). */
  where = run_tool (fixture, NULL, "bash", "{\"command\": \"pwd; echo ${BASH_VERSION:+bash}\"}");
  where_text = expect (where, FALSE);
  {
    g_autofree char *want = g_strdup_printf ("%s\nbash", fixture->folder);

    g_assert_cmpstr (where_text, ==, want);
  }
}

static void
test_bash_environment (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;

  /* SERO_TEST_API_KEY and LC_SERO_TEST are set in main(), before threads. */
  result = run_tool (fixture, NULL, "bash",
                     "{\"command\": \"echo \\\"[$SERO_TEST_API_KEY][$LC_SERO_TEST][${HOME:+home}][${PATH:+path}]\\\"\"}");
  text = expect (result, FALSE);
  g_assert_cmpstr (text, ==, "[][kept][home][path]");
}

static void
test_bash_truncation (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SeroToolResult) lines = NULL;
  g_autoptr(SeroToolResult) bytes = NULL;
  g_autofree char *lines_text = NULL;
  g_autofree char *bytes_text = NULL;
  g_autofree char *saved = NULL;
  const char *path;

  lines = run_tool (fixture, NULL, "bash", "{\"command\": \"seq 1 3000\"}");
  lines_text = expect (lines, FALSE);
  g_assert_true (g_str_has_prefix (lines_text, "1001\n1002\n"));
  g_assert_nonnull (strstr (lines_text, "\n3000\n\n[Showing lines 1001-3000 of 3000. Full output: "));

  /* The whole output is kept where the model's commands can read it. */
  path = json_object_get_string_member (lines->details, "fullOutputPath");
  g_assert_nonnull (path);
  {
    g_autofree char *note_end = g_strdup_printf ("Full output: %s]", path);

    g_assert_true (g_str_has_suffix (lines_text, note_end));
  }
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_true (g_str_has_prefix (saved, "1\n2\n3\n"));
  g_assert_true (g_str_has_suffix (saved, "2999\n3000"));
  g_unlink (path);

  /* 100 lines of 1000 characters: the byte limit comes first. */
  bytes = run_tool (fixture, NULL, "bash",
                    "{\"command\": \"for i in $(seq 1 100); do printf '%01000d\\\\n' $i; done\"}");
  bytes_text = expect (bytes, FALSE);
  g_assert_nonnull (strstr (bytes_text, " of 100 (50.0KB limit). Full output: "));
  g_assert_cmpuint (strlen (bytes_text), <, SERO_TOOL_MAX_BYTES + 200);
  g_unlink (json_object_get_string_member (bytes->details, "fullOutputPath"));
}

static void
test_bash_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;
  gint64 start = g_get_monotonic_time ();

  result = run_tool (fixture, NULL, "bash", "{\"command\": \"echo started; sleep 30\", \"timeout\": 1}");
  text = expect (result, TRUE);
  g_assert_cmpstr (text, ==, "started\n\nCommand timed out after 1s");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_true (json_object_get_boolean_member (result->details, "timedOut"));
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_bash_abort (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SeroToolbox) toolbox = sero_toolbox_new (fixture->runtime, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pid_text = NULL;
  gint64 start;
  pid_t pid;

  /* A child in the background, to see the whole group go. */
  start = g_get_monotonic_time ();
  g_timeout_add (500, cancel_later, cancellable);
  result = run_tool_full (toolbox, "bash", "{\"command\": \"sleep 600 & echo $! > child.pid; wait\"}", cancellable);
  text = expect (result, TRUE);
  g_assert_cmpstr (text, ==, "Command aborted");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);

  pid_text = get_file (fixture, "child.pid");
  g_assert_nonnull (pid_text);
  pid = (pid_t) g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (pid, >, 1);
  for (guint i = 0; i < 100 && kill (pid, 0) == 0; i++)
    g_usleep (20 * 1000);
  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
}

/* The gate ------------------------------------------------------------------ */

static void
test_gate_no_bridge (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;
  g_autofree char *kept = NULL;

  put_file (fixture, "data/keep.txt", "precious", -1);
  result = run_tool (fixture, NULL, "bash", "{\"command\": \"rm -rf data\"}");
  text = expect (result, TRUE);
  /* Nobody can answer: blocked, saying so, and saying what was risky. */
  g_assert_true (g_str_has_prefix (text, "Dangerous command blocked (no UI for confirmation)"));
  g_assert_nonnull (strstr (text, "\nWhy it needs approval: "));
  g_assert_true (json_object_get_boolean_member (result->details, "blocked"));
  kept = get_file (fixture, "data/keep.txt");
  g_assert_cmpstr (kept, ==, "precious");
}

static void
test_gate_answered (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TestBridge) bridge = g_object_new (TEST_TYPE_BRIDGE, NULL);
  g_autoptr(SeroToolResult) blocked = NULL;
  g_autoptr(SeroToolResult) allowed = NULL;
  g_autoptr(SeroToolResult) harmless = NULL;
  g_autofree char *blocked_text = NULL;
  g_autofree char *allowed_text = NULL;
  g_autofree char *harmless_text = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *data_dir = path_in (fixture, "data");

  put_file (fixture, "data/keep.txt", "precious", -1);

  bridge->permission = SERO_PERMISSION_BLOCK;
  blocked = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "bash", "{\"command\": \"rm -rf data\"}");
  blocked_text = expect (blocked, TRUE);
  g_assert_true (g_str_has_prefix (blocked_text, "Blocked by user — dangerous command rejected"));
  g_assert_cmpuint (bridge->permissions_asked, ==, 1);
  g_assert_nonnull (strstr (bridge->last_prompt, "rm -rf data"));
  kept = get_file (fixture, "data/keep.txt");
  g_assert_cmpstr (kept, ==, "precious");

  bridge->permission = SERO_PERMISSION_ALLOW;
  allowed = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "bash", "{\"command\": \"rm -rf data && echo gone\"}");
  allowed_text = expect (allowed, FALSE);
  g_assert_cmpstr (allowed_text, ==, "gone");
  g_assert_cmpuint (bridge->permissions_asked, ==, 2);
  g_assert_false (g_file_test (data_dir, G_FILE_TEST_EXISTS));

  /* Nothing risky: nobody is asked. */
  harmless = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "bash", "{\"command\": \"echo fine\"}");
  harmless_text = expect (harmless, FALSE);
  g_assert_cmpuint (bridge->permissions_asked, ==, 2);
}

/* read ---------------------------------------------------------------------- */

static char *
numbered_lines (guint n)
{
  GString *text = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    g_string_append_printf (text, "line %u\n", i);
  return g_string_free (text, FALSE);
}

static void
test_read_text (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *big = numbered_lines (2500);
  g_autofree char *doc = numbered_lines (200);
  g_autoptr(SeroToolResult) whole = NULL;
  g_autoptr(SeroToolResult) first = NULL;
  g_autoptr(SeroToolResult) rest = NULL;
  g_autoptr(SeroToolResult) page = NULL;
  g_autoptr(SeroToolResult) past = NULL;
  g_autoptr(SeroToolResult) missing = NULL;
  g_autoptr(SeroToolResult) absolute = NULL;
  g_autofree char *whole_text = NULL;
  g_autofree char *first_text = NULL;
  g_autofree char *rest_text = NULL;
  g_autofree char *page_text = NULL;
  g_autofree char *past_text = NULL;
  g_autofree char *missing_text = NULL;
  g_autofree char *absolute_text = NULL;
  g_autofree char *absolute_args = NULL;
  g_autofree char *absolute_path = path_in (fixture, "src/small.txt");

  put_file (fixture, "src/small.txt", "alpha\nbeta\ngamma", -1);
  put_file (fixture, "big.txt", big, -1);
  put_file (fixture, "doc.md", doc, -1);

  whole = run_tool (fixture, NULL, "read", "{\"path\": \"src/small.txt\"}");
  whole_text = expect (whole, FALSE);
  g_assert_cmpstr (whole_text, ==, "alpha\nbeta\ngamma");

  first = run_tool (fixture, NULL, "read", "{\"path\": \"big.txt\"}");
  first_text = expect (first, FALSE);
  g_assert_true (g_str_has_prefix (first_text, "line 1\nline 2\n"));
  g_assert_true (g_str_has_suffix (first_text, "line 2000\n\n[Showing lines 1-2000 of 2500. Use offset=2001 to continue.]"));

  rest = run_tool (fixture, NULL, "read", "{\"path\": \"big.txt\", \"offset\": 2001}");
  rest_text = expect (rest, FALSE);
  g_assert_true (g_str_has_prefix (rest_text, "line 2001\n"));
  g_assert_true (g_str_has_suffix (rest_text, "line 2500"));

  page = run_tool (fixture, NULL, "read", "{\"path\": \"doc.md\", \"offset\": 1, \"limit\": 80}");
  page_text = expect (page, FALSE);
  g_assert_true (g_str_has_suffix (page_text, "line 80\n\n[120 more lines in file. Use offset=81 to continue.]"));

  past = run_tool (fixture, NULL, "read", "{\"path\": \"src/small.txt\", \"offset\": 10}");
  past_text = expect (past, TRUE);
  g_assert_cmpstr (past_text, ==, "Offset 10 is beyond end of file (3 lines total)");

  missing = run_tool (fixture, NULL, "read", "{\"path\": \"nope.txt\"}");
  missing_text = expect (missing, TRUE);
  g_assert_cmpstr (missing_text, ==, "File not found: nope.txt");

  absolute_args = json_args ("path", absolute_path, NULL);
  absolute = run_tool (fixture, NULL, "read", absolute_args);
  absolute_text = expect (absolute, FALSE);
  g_assert_cmpstr (absolute_text, ==, "alpha\nbeta\ngamma");
}

static void
test_read_bytes_limit (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GString) wide = g_string_new (NULL);
  g_autoptr(SeroToolResult) result = NULL;
  g_autoptr(SeroToolResult) huge = NULL;
  g_autofree char *text = NULL;
  g_autofree char *huge_text = NULL;
  g_autofree char *one_line = g_strnfill (60 * 1024, 'z');

  for (guint i = 1; i <= 100; i++)
    {
      g_autofree char *pad = g_strnfill (999, 'a' + i % 26);

      g_string_append_printf (wide, "%s\n", pad);
    }
  put_file (fixture, "wide.txt", wide->str, -1);
  put_file (fixture, "huge-line.txt", one_line, -1);

  result = run_tool (fixture, NULL, "read", "{\"path\": \"wide.txt\"}");
  text = expect (result, FALSE);
  /* 51 lines of 1000 bytes fit in 50 KB (51,200 bytes). */
  g_assert_true (g_str_has_suffix (text, "\n\n[Showing lines 1-51 of 100 (50.0KB limit). Use offset=52 to continue.]"));

  huge = run_tool (fixture, NULL, "read", "{\"path\": \"huge-line.txt\"}");
  huge_text = expect (huge, FALSE);
  g_assert_cmpstr (huge_text, ==, "[Line 1 is 60.0KB, exceeds 50.0KB limit. Use bash: sed -n '1p' huge-line.txt | head -c 51200]");
}

/* The smallest valid PNG: one transparent pixel. */
static const guint8 tiny_png[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
  0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
  0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
  0x42, 0x60, 0x82,
};

static void
check_image (Fixture      *fixture,
             const char   *name,
             const guint8 *bytes,
             gsize         length,
             const char   *mime)
{
  g_autofree char *args = json_args ("path", name, NULL);
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;
  g_autofree guchar *decoded = NULL;
  g_autofree char *caption = g_strdup_printf ("Read image file [%s]", mime);
  JsonObject *image;
  gsize decoded_length = 0;

  put_file (fixture, name, (const char *) bytes, length);
  result = run_tool (fixture, NULL, "read", args);
  text = expect (result, FALSE);
  g_assert_cmpstr (text, ==, caption);
  g_assert_cmpuint (json_array_get_length (result->content), ==, 2);

  image = json_array_get_object_element (result->content, 1);
  g_assert_cmpstr (json_object_get_string_member (image, "type"), ==, "image");
  g_assert_cmpstr (json_object_get_string_member (image, "mimeType"), ==, mime);
  decoded = g_base64_decode (json_object_get_string_member (image, "data"), &decoded_length);
  g_assert_cmpmem (decoded, decoded_length, bytes, length);
}

static void
test_read_images (Fixture       *fixture,
                  gconstpointer  data)
{
  static const guint8 jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0xff, 0xd9 };
  static const guint8 gif[] = { 'G', 'I', 'F', '8', '9', 'a', 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x3b };
  static const guint8 webp[] = { 'R', 'I', 'F', 'F', 0x0c, 0x00, 0x00, 0x00, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ' };
  g_autoptr(SeroToolResult) named_png = NULL;
  g_autoptr(SeroToolResult) large = NULL;
  g_autofree char *named_png_text = NULL;
  g_autofree char *large_text = NULL;
  g_autofree guint8 *big = g_malloc0 (SERO_TOOL_MAX_IMAGE_BYTES + 1);

  /* By their bytes, not their names. */
  check_image (fixture, "pixel.dat", tiny_png, sizeof tiny_png, "image/png");
  check_image (fixture, "photo.bin", jpeg, sizeof jpeg, "image/jpeg");
  check_image (fixture, "anim", gif, sizeof gif, "image/gif");
  check_image (fixture, "shot.webp", webp, sizeof webp, "image/webp");

  put_file (fixture, "not-really.png", "just text", -1);
  named_png = run_tool (fixture, NULL, "read", "{\"path\": \"not-really.png\"}");
  named_png_text = expect (named_png, FALSE);
  g_assert_cmpstr (named_png_text, ==, "just text");
  g_assert_cmpuint (json_array_get_length (named_png->content), ==, 1);

  /* Too large to send: said so, with what to do. */
  memcpy (big, tiny_png, sizeof tiny_png);
  put_file (fixture, "large.png", (const char *) big, SERO_TOOL_MAX_IMAGE_BYTES + 1);
  large = run_tool (fixture, NULL, "read", "{\"path\": \"large.png\"}");
  large_text = expect (large, TRUE);
  g_assert_true (g_str_has_prefix (large_text, "Image file large.png [image/png] is 3.8MB, larger than the 3.8MB limit"));
  g_assert_cmpuint (json_array_get_length (large->content), ==, 1);
}

/* write and edit ------------------------------------------------------------ */

static void
test_write (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SeroToolResult) result = NULL;
  g_autoptr(SeroToolResult) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again_text = NULL;
  g_autofree char *written = NULL;

  result = run_tool (fixture, NULL, "write", "{\"path\": \"deep/er/note.md\", \"content\": \"# Hi\\n\\nünïcode\\n\"}");
  text = expect (result, FALSE);
  g_assert_cmpstr (text, ==, "Successfully wrote 16 bytes to deep/er/note.md");
  written = get_file (fixture, "deep/er/note.md");
  g_assert_cmpstr (written, ==, "# Hi\n\nünïcode\n");

  /* Overwrites, and an empty content is a content. */
  again = run_tool (fixture, NULL, "write", "{\"path\": \"deep/er/note.md\", \"content\": \"\"}");
  again_text = expect (again, FALSE);
  g_clear_pointer (&written, g_free);
  written = get_file (fixture, "deep/er/note.md");
  g_assert_cmpstr (written, ==, "");
}

static void
test_write_outside (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *outside = g_dir_make_tmp ("sero-tools-outside-XXXXXX", NULL);
  g_autofree char *target = g_build_filename (outside, "x.txt", NULL);
  g_autofree char *args = json_args ("path", target, "content", "hello", NULL);
  g_autoptr(TestBridge) bridge = g_object_new (TEST_TYPE_BRIDGE, NULL);
  g_autoptr(SeroToolResult) nobody = NULL;
  g_autoptr(SeroToolResult) refused = NULL;
  g_autoptr(SeroToolResult) allowed = NULL;
  g_autofree char *nobody_text = NULL;
  g_autofree char *refused_text = NULL;
  g_autofree char *allowed_text = NULL;
  g_autofree char *written = NULL;

  nobody = run_tool (fixture, NULL, "write", args);
  nobody_text = expect (nobody, TRUE);
  g_assert_cmpstr (nobody_text, ==, "Write outside the workspace blocked (no UI for confirmation)");
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));

  bridge->permission = SERO_PERMISSION_BLOCK;
  refused = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "write", args);
  refused_text = expect (refused, TRUE);
  g_assert_nonnull (strstr (refused_text, "Blocked by user"));
  g_assert_nonnull (strstr (bridge->last_prompt, target));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));

  bridge->permission = SERO_PERMISSION_ALLOW;
  allowed = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "write", args);
  allowed_text = expect (allowed, FALSE);
  g_assert_true (g_file_get_contents (target, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, "hello");
  g_assert_cmpuint (bridge->permissions_asked, ==, 2);

  /* Inside the workspace nobody is asked, even through "..". */
  {
    g_autoptr(SeroToolResult) inside = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "write",
                                                 "{\"path\": \"a/../b.txt\", \"content\": \"b\"}");
    g_autofree char *inside_text = expect (inside, FALSE);

    g_assert_cmpuint (bridge->permissions_asked, ==, 2);
  }

  remove_tree (outside);
}

static void
test_edit (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(SeroToolResult) ok = NULL;
  g_autoptr(SeroToolResult) none = NULL;
  g_autoptr(SeroToolResult) twice = NULL;
  g_autoptr(SeroToolResult) missing = NULL;
  g_autoptr(SeroToolResult) crlf = NULL;
  g_autofree char *ok_text = NULL;
  g_autofree char *none_text = NULL;
  g_autofree char *twice_text = NULL;
  g_autofree char *missing_text = NULL;
  g_autofree char *crlf_text = NULL;
  g_autofree char *after = NULL;
  g_autofree char *crlf_after = NULL;

  put_file (fixture, "main.c", "int main (void)\n{\n  return 1;\n}\n/* return */\n/* return */\n", -1);

  ok = run_tool (fixture, NULL, "edit", "{\"path\": \"main.c\", \"oldText\": \"  return 1;\", \"newText\": \"  puts (\\\"hi\\\");\\n  return 0;\"}");
  ok_text = expect (ok, FALSE);
  g_assert_cmpstr (ok_text, ==, "Successfully replaced text in main.c.\n@@ -3,1 +3,2 @@\n-  return 1;\n+  puts (\"hi\");\n+  return 0;");
  g_assert_cmpint (json_object_get_int_member (ok->details, "firstChangedLine"), ==, 3);
  after = get_file (fixture, "main.c");
  g_assert_cmpstr (after, ==, "int main (void)\n{\n  puts (\"hi\");\n  return 0;\n}\n/* return */\n/* return */\n");

  none = run_tool (fixture, NULL, "edit", "{\"path\": \"main.c\", \"oldText\": \"return 2;\", \"newText\": \"x\"}");
  none_text = expect (none, TRUE);
  g_assert_cmpstr (none_text, ==, "Could not find the exact text in main.c. The old text must match exactly "
                   "including all whitespace and newlines.");

  twice = run_tool (fixture, NULL, "edit", "{\"path\": \"main.c\", \"oldText\": \"/* return */\", \"newText\": \"x\"}");
  twice_text = expect (twice, TRUE);
  g_assert_cmpstr (twice_text, ==, "Found 2 occurrences of the text in main.c. The text must be unique. "
                   "Please provide more context to make it unique.");

  missing = run_tool (fixture, NULL, "edit", "{\"path\": \"nope.c\", \"oldText\": \"a\", \"newText\": \"b\"}");
  missing_text = expect (missing, TRUE);
  g_assert_cmpstr (missing_text, ==, "File not found: nope.c");

  /* A CRLF file matches "\n" and keeps its line endings. */
  put_file (fixture, "win.txt", "one\r\ntwo\r\nthree\r\n", -1);
  crlf = run_tool (fixture, NULL, "edit", "{\"path\": \"win.txt\", \"oldText\": \"one\\ntwo\", \"newText\": \"1\\n2\"}");
  crlf_text = expect (crlf, FALSE);
  crlf_after = get_file (fixture, "win.txt");
  g_assert_cmpstr (crlf_after, ==, "1\r\n2\r\nthree\r\n");
}

/* ls and grep ---------------------------------------------------------------- */

static void
test_ls (Fixture       *fixture,
         gconstpointer  data)
{
  g_autoptr(SeroToolResult) root = NULL;
  g_autoptr(SeroToolResult) limited = NULL;
  g_autoptr(SeroToolResult) empty = NULL;
  g_autoptr(SeroToolResult) missing = NULL;
  g_autoptr(SeroToolResult) file = NULL;
  g_autofree char *root_text = NULL;
  g_autofree char *limited_text = NULL;
  g_autofree char *empty_text = NULL;
  g_autofree char *missing_text = NULL;
  g_autofree char *file_text = NULL;
  g_autofree char *empty_dir = path_in (fixture, "empty");

  put_file (fixture, "b.txt", "", -1);
  put_file (fixture, "A.md", "", -1);
  put_file (fixture, ".hidden", "", -1);
  put_file (fixture, "src/x.c", "", -1);
  g_assert_cmpint (g_mkdir (empty_dir, 0755), ==, 0);

  root = run_tool (fixture, NULL, "ls", "{}");
  root_text = expect (root, FALSE);
  g_assert_cmpstr (root_text, ==, ".hidden\nA.md\nb.txt\nempty/\nsrc/");

  limited = run_tool (fixture, NULL, "ls", "{\"path\": \".\", \"limit\": 2}");
  limited_text = expect (limited, FALSE);
  g_assert_cmpstr (limited_text, ==, ".hidden\nA.md\n\n[2 entries limit reached. Use limit=4 for more]");

  empty = run_tool (fixture, NULL, "ls", "{\"path\": \"empty\"}");
  empty_text = expect (empty, FALSE);
  g_assert_cmpstr (empty_text, ==, "(empty directory)");

  missing = run_tool (fixture, NULL, "ls", "{\"path\": \"nowhere\"}");
  missing_text = expect (missing, TRUE);
  g_assert_cmpstr (missing_text, ==, "Path not found: nowhere");

  file = run_tool (fixture, NULL, "ls", "{\"path\": \"b.txt\"}");
  file_text = expect (file, TRUE);
  g_assert_cmpstr (file_text, ==, "Not a directory: b.txt");
}

static void
test_grep (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(SeroToolResult) plain = NULL;
  g_autoptr(SeroToolResult) nocase = NULL;
  g_autoptr(SeroToolResult) literal = NULL;
  g_autoptr(SeroToolResult) globbed = NULL;
  g_autoptr(SeroToolResult) context = NULL;
  g_autoptr(SeroToolResult) limited = NULL;
  g_autoptr(SeroToolResult) nothing = NULL;
  g_autoptr(SeroToolResult) one_file = NULL;
  g_autoptr(SeroToolResult) missing = NULL;
  g_autofree char *plain_text = NULL;
  g_autofree char *nocase_text = NULL;
  g_autofree char *literal_text = NULL;
  g_autofree char *globbed_text = NULL;
  g_autofree char *context_text = NULL;
  g_autofree char *limited_text = NULL;
  g_autofree char *nothing_text = NULL;
  g_autofree char *one_file_text = NULL;
  g_autofree char *missing_text = NULL;
  g_autofree char *many = numbered_lines (300);

  put_file (fixture, "src/a.c", "int x;\nint needle = 1;\nint y;\n", -1);
  put_file (fixture, "src/b.h", "/* Needle */\n", -1);
  put_file (fixture, "node_modules/dep/index.js", "needle\n", -1);
  put_file (fixture, ".git/config", "needle\n", -1);
  put_file (fixture, "re.txt", "a.c\nabc\n", -1);
  put_file (fixture, "many.txt", many, -1);

  plain = run_tool (fixture, NULL, "grep", "{\"pattern\": \"needle\"}");
  plain_text = expect (plain, FALSE);
  g_assert_cmpstr (plain_text, ==, "src/a.c:2: int needle = 1;");

  nocase = run_tool (fixture, NULL, "grep", "{\"pattern\": \"needle\", \"path\": \"src\", \"ignoreCase\": true}");
  nocase_text = expect (nocase, FALSE);
  g_assert_nonnull (strstr (nocase_text, "a.c:2: int needle = 1;"));
  g_assert_nonnull (strstr (nocase_text, "b.h:1: /* Needle */"));

  literal = run_tool (fixture, NULL, "grep", "{\"pattern\": \"a.c\", \"path\": \"re.txt\", \"literal\": true}");
  literal_text = expect (literal, FALSE);
  g_assert_cmpstr (literal_text, ==, "re.txt:1: a.c");

  globbed = run_tool (fixture, NULL, "grep", "{\"pattern\": \"eedle\", \"glob\": \"**/*.h\", \"ignoreCase\": true}");
  globbed_text = expect (globbed, FALSE);
  g_assert_cmpstr (globbed_text, ==, "src/b.h:1: /* Needle */");

  context = run_tool (fixture, NULL, "grep", "{\"pattern\": \"needle\", \"path\": \"src/a.c\", \"context\": 1}");
  context_text = expect (context, FALSE);
  g_assert_cmpstr (context_text, ==, "a.c-1- int x;\na.c:2: int needle = 1;\na.c-3- int y;");

  limited = run_tool (fixture, NULL, "grep", "{\"pattern\": \"^line\", \"path\": \"many.txt\", \"limit\": 5}");
  limited_text = expect (limited, FALSE);
  g_assert_true (g_str_has_prefix (limited_text, "many.txt:1: line 1\n"));
  g_assert_true (g_str_has_suffix (limited_text, "many.txt:5: line 5\n\n[5 matches limit reached. Use limit=10 for more, or refine pattern]"));

  nothing = run_tool (fixture, NULL, "grep", "{\"pattern\": \"haystack\"}");
  nothing_text = expect (nothing, FALSE);
  g_assert_cmpstr (nothing_text, ==, "No matches found");

  one_file = run_tool (fixture, NULL, "grep", "{\"pattern\": \"line 300\", \"path\": \"many.txt\"}");
  one_file_text = expect (one_file, FALSE);
  g_assert_cmpstr (one_file_text, ==, "many.txt:300: line 300");

  missing = run_tool (fixture, NULL, "grep", "{\"pattern\": \"x\", \"path\": \"nowhere\"}");
  missing_text = expect (missing, TRUE);
  g_assert_cmpstr (missing_text, ==, "Path not found: nowhere");
}

/* question ------------------------------------------------------------------- */

static void
test_question (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TestBridge) bridge = g_object_new (TEST_TYPE_BRIDGE, NULL);
  g_autoptr(TestPermissionBridge) mute = g_object_new (TEST_TYPE_PERMISSION_BRIDGE, NULL);
  const char *args = "{\"question\": \"Which colour?\", \"options\": [\"Red\", \"Blue\"], \"allowFreeText\": false}";
  g_autoptr(SeroToolResult) chosen = NULL;
  g_autoptr(SeroToolResult) written = NULL;
  g_autoptr(SeroToolResult) cancelled = NULL;
  g_autoptr(SeroToolResult) nobody = NULL;
  g_autoptr(SeroToolResult) no_question_call = NULL;
  g_autoptr(SeroToolResult) no_options = NULL;
  g_autofree char *chosen_text = NULL;
  g_autofree char *written_text = NULL;
  g_autofree char *cancelled_text = NULL;
  g_autofree char *nobody_text = NULL;
  g_autofree char *no_question_call_text = NULL;
  g_autofree char *no_options_text = NULL;

  bridge->option = 1;
  chosen = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "question", args);
  chosen_text = expect (chosen, FALSE);
  g_assert_cmpstr (chosen_text, ==, "User selected: 2. Blue");
  g_assert_cmpstr (bridge->last_question, ==, "Which colour?");
  g_assert_cmpuint (g_strv_length (bridge->last_options), ==, 2);
  g_assert_false (bridge->last_allow_free_text);
  g_assert_cmpstr (bridge->last_question_id, ==, "call-1");

  bridge->option = -1;
  bridge->free_text = g_strdup ("Teal, please");
  written = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "question", "{\"question\": \"Colour?\", \"options\": [\"Red\"]}");
  written_text = expect (written, FALSE);
  g_assert_cmpstr (written_text, ==, "User wrote: Teal, please");
  g_assert_true (bridge->last_allow_free_text);

  bridge->cancel_question = TRUE;
  cancelled = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "question", args);
  cancelled_text = expect (cancelled, FALSE);
  g_assert_cmpstr (cancelled_text, ==, "User cancelled the selection");

  nobody = run_tool (fixture, NULL, "question", args);
  nobody_text = expect (nobody, TRUE);
  g_assert_cmpstr (nobody_text, ==, "Error: No UI available to ask the user");

  no_question_call = run_tool (fixture, SERO_FEEDBACK_BRIDGE (mute), "question", args);
  no_question_call_text = expect (no_question_call, TRUE);
  g_assert_cmpstr (no_question_call_text, ==, "Error: No UI available to ask the user");

  no_options = run_tool (fixture, SERO_FEEDBACK_BRIDGE (bridge), "question",
                         "{\"question\": \"?\", \"options\": [], \"allowFreeText\": false}");
  no_options_text = expect (no_options, TRUE);
  g_assert_cmpstr (no_options_text, ==, "Error: No options provided");
  g_assert_cmpuint (bridge->questions_asked, ==, 3);
}

static void
test_question_abort (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(TestBridge) bridge = g_object_new (TEST_TYPE_BRIDGE, NULL);
  g_autoptr(SeroToolbox) toolbox = sero_toolbox_new (fixture->runtime, NULL, SERO_FEEDBACK_BRIDGE (bridge));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SeroToolResult) result = NULL;
  g_autoptr(GTask) late = NULL;
  g_autofree char *text = NULL;

  /* The bridge never answers and ignores the abort; the call ends anyway. */
  bridge->never_answer = TRUE;
  g_timeout_add (100, cancel_later, cancellable);
  result = run_tool_full (toolbox, "question", "{\"question\": \"Still there?\", \"options\": [\"Yes\"]}", cancellable);
  text = expect (result, TRUE);
  g_assert_cmpstr (text, ==, "Operation aborted");

  /* A late answer goes nowhere. */
  late = g_steal_pointer (&bridge->pending);
  g_task_return_pointer (late, sero_question_answer_new (FALSE, 0, "Yes"), (GDestroyNotify) sero_question_answer_free);
  g_clear_object (&late);
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_bad_arguments (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SeroToolResult) unknown = NULL;
  g_autoptr(SeroToolResult) no_command = NULL;
  g_autoptr(SeroToolResult) no_path = NULL;
  g_autoptr(SeroToolResult) bad_offset = NULL;
  g_autofree char *unknown_text = NULL;
  g_autofree char *no_command_text = NULL;
  g_autofree char *no_path_text = NULL;
  g_autofree char *bad_offset_text = NULL;

  unknown = run_tool (fixture, NULL, "browser", "{}");
  unknown_text = expect (unknown, TRUE);
  g_assert_cmpstr (unknown_text, ==, "Tool browser not found");

  no_command = run_tool (fixture, NULL, "bash", "{\"command\": \"  \"}");
  no_command_text = expect (no_command, TRUE);
  g_assert_nonnull (strstr (no_command_text, "\"command\""));

  no_path = run_tool (fixture, NULL, "read", "{\"path\": 3}");
  no_path_text = expect (no_path, TRUE);
  g_assert_nonnull (strstr (no_path_text, "\"path\""));

  bad_offset = run_tool (fixture, NULL, "read", "{\"path\": \"x\", \"offset\": -2}");
  bad_offset_text = expect (bad_offset, TRUE);
  g_assert_nonnull (strstr (bad_offset_text, "\"offset\""));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_setenv ("SERO_TEST_API_KEY", "sk-secret", TRUE);
  g_setenv ("LC_SERO_TEST", "kept", TRUE);

  g_test_add_func ("/sero/tools/truncate", test_truncate);
#define ADD(name, func) g_test_add ("/sero/tools/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("specs", test_specs);
  ADD ("bash/output", test_bash_output);
  ADD ("bash/environment", test_bash_environment);
  ADD ("bash/truncation", test_bash_truncation);
  ADD ("bash/timeout", test_bash_timeout);
  ADD ("bash/abort", test_bash_abort);
  ADD ("gate/no-bridge", test_gate_no_bridge);
  ADD ("gate/answered", test_gate_answered);
  ADD ("read/text", test_read_text);
  ADD ("read/bytes-limit", test_read_bytes_limit);
  ADD ("read/images", test_read_images);
  ADD ("write", test_write);
  ADD ("write/outside", test_write_outside);
  ADD ("edit", test_edit);
  ADD ("ls", test_ls);
  ADD ("grep", test_grep);
  ADD ("question", test_question);
  ADD ("question/abort", test_question_abort);
  ADD ("bad-arguments", test_bad_arguments);
#undef ADD

  return g_test_run ();
}
