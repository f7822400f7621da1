/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero-application.h"
#include "sero-json-file.h"
#include "sero-chat-item.h"
#include "sero-chat-row.h"
#include "sero-fake-provider.h"
#include "sero-runtime-host.h"
#include "sero-session-view-private.h"
#include "sero-window.h"

/* The chat view on the (virtual) display: a real SeroSession on a host
 * workspace, a model registry pointing at the scripted provider, and
 * events fed either by the session itself or, for the rendering cases,
 * straight into the view's event entry point. Waits are bounded and
 * nothing measures time. */

typedef struct
{
  char              *dir;
  char              *workspace_path;
  SeroFakeProvider  *fake;
  SeroWorkspace     *workspace;
  SeroRuntime       *runtime;
  SeroModelRegistry *models;
  SeroSession       *session;
  GtkWindow         *window;
  SeroSessionView   *view;
} Fixture;

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_until (gboolean (*condition) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint waker = g_timeout_add (50, wake, NULL);
  gboolean met;

  while (!(met = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (waker);
  return met;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
write_settings (const char *agent_dir)
{
  g_autofree char *path = g_build_filename (agent_dir, "settings.json", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "{\"defaultProvider\": \"scripted\", \"defaultModel\": \"scripted-anthropic\"}\n",
                       -1, &error);
  g_assert_no_error (error);
}

/* @script: the scripted provider's turns, or NULL for no provider at all */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  script)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *agent_dir = NULL;
  g_autofree char *sessions_dir = NULL;
  g_autoptr(SeroSessionFile) file = NULL;

  f->dir = g_dir_make_tmp ("sero-session-view-XXXXXX", &error);
  g_assert_no_error (error);
  f->workspace_path = g_build_filename (f->dir, "ws", NULL);
  agent_dir = g_build_filename (f->dir, "agent", NULL);
  sessions_dir = g_build_filename (agent_dir, "sessions", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->workspace_path, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (sessions_dir, 0700), ==, 0);

  if (script != NULL)
    {
      f->fake = sero_fake_provider_new (script, FALSE);
      sero_fake_provider_write_models_json (f->fake, agent_dir);
      write_settings (agent_dir);
    }

  f->models = sero_model_registry_new (agent_dir);
  g_assert_true (sero_model_registry_load (f->models, &error));
  g_assert_no_error (error);

  f->workspace = sero_workspace_new ("chat-test", f->workspace_path);
  f->runtime = sero_runtime_host_new (f->workspace);
  file = sero_session_file_create (sessions_dir, f->workspace_path, &error);
  g_assert_no_error (error);
  f->session = sero_session_new (file, f->runtime, f->models);
  sero_session_set_interactive (f->session, TRUE);

  f->view = SERO_SESSION_VIEW (sero_session_view_new (f->session, f->models));
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 720, 900);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);
  g_assert_true (wait_until (mapped, f->view));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  script)
{
  gtk_window_destroy (f->window);
  spin (50);
  g_clear_object (&f->session);
  g_clear_object (&f->runtime);
  g_clear_object (&f->workspace);
  g_clear_object (&f->models);
  g_clear_pointer (&f->fake, sero_fake_provider_free);
  {
    g_autoptr(GFile) dir = g_file_new_for_path (f->dir);

    sero_file_delete_tree (dir, NULL, NULL);
  }
  g_free (f->workspace_path);
  g_free (f->dir);
}

static void
feed (Fixture    *f,
      const char *type,
      const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  _sero_session_view_handle_event (f->view, type, json_node_get_object (node));
}

static void
feed_delta (Fixture    *f,
            const char *message_id,
            const char *delta)
{
  g_autoptr(JsonObject) payload = json_object_new ();

  json_object_set_string_member (payload, "messageId", message_id);
  json_object_set_int_member (payload, "contentIndex", 0);
  json_object_set_string_member (payload, "delta", delta);
  _sero_session_view_handle_event (f->view, "text_delta", payload);
}

/* Depth-first search under @root for a widget @match accepts. */
static GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *, gconstpointer),
             gconstpointer data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
has_class (GtkWidget     *widget,
           gconstpointer  css_class)
{
  return gtk_widget_has_css_class (widget, css_class) && gtk_widget_get_mapped (widget);
}

static gboolean
label_contains (GtkWidget     *widget,
                gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

typedef struct
{
  Fixture    *f;
  const char *what;
  gboolean  (*match) (GtkWidget *, gconstpointer);
} Wanted;

static gboolean
shown (gpointer data)
{
  Wanted *wanted = data;

  return find_widget (GTK_WIDGET (wanted->f->view), wanted->match, wanted->what) != NULL;
}

static GtkWidget *
wait_for_widget (Fixture    *f,
                 gboolean  (*match) (GtkWidget *, gconstpointer),
                 const char *what)
{
  Wanted wanted = { f, what, match };

  if (!wait_until (shown, &wanted))
    g_error ("Nothing like %s appeared in the chat view", what);
  return find_widget (GTK_WIDGET (f->view), match, what);
}

static GtkWidget *
row_child (GtkWidget  *inside,
           const char *name)
{
  GtkWidget *row = gtk_widget_get_ancestor (inside, SERO_TYPE_CHAT_ROW);

  g_assert_nonnull (row);
  return GTK_WIDGET (gtk_widget_get_template_child (row, SERO_TYPE_CHAT_ROW, name));
}

static gboolean
is_monospace (GtkWidget *label)
{
  const PangoFontDescription *font = pango_context_get_font_description (gtk_widget_get_pango_context (label));
  g_autofree char *family = g_ascii_strdown (pango_font_description_get_family (font), -1);

  return strstr (family, "mono") != NULL;
}

#define ANSWER_HEAD "# Plan\n\nFirst a paragraph with *emphasis*, `code` and a [link](https://example.org).\n\n"
#define ANSWER_LIST "- one\n- **two**\n- three\n\n"
#define ANSWER_CODE "```python\nprint('hello')\nfor i in range(3):\n    print(i)\n```\n\nDone."

static void
test_streamed_markdown (Fixture       *f,
                        gconstpointer  data)
{
  const char *rest = ANSWER_LIST ANSWER_CODE;
  GtkWidget *heading, *list, *code, *code_label, *paragraph;
  g_autoptr(SeroChatItem) item = NULL;

  feed (f, "message_start", "{\"messageId\": \"m1\", \"message\": {\"role\": \"assistant\", \"content\": []}}");

  /* Three characters at a time, as a provider streams. */
  for (const char *p = ANSWER_HEAD; *p; p += MIN (3, strlen (p)))
    {
      g_autofree char *delta = g_strndup (p, 3);

      feed_delta (f, "m1", delta);
      g_main_context_iteration (NULL, FALSE);
    }

  heading = wait_for_widget (f, label_contains, "Plan");
  g_assert_true (gtk_widget_has_css_class (heading, "title-2"));
  paragraph = wait_for_widget (f, label_contains, "and a link.");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (paragraph)), "<a href=\"https://example.org\">"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (paragraph)), "<i>emphasis</i>"));

  for (const char *p = rest; *p; p += MIN (5, strlen (p)))
    {
      g_autofree char *delta = g_strndup (p, 5);

      feed_delta (f, "m1", delta);
      g_main_context_iteration (NULL, FALSE);
    }

  /* The last words arrived: everything before them is on screen. */
  g_assert_nonnull (wait_for_widget (f, label_contains, "Done."));
  list = wait_for_widget (f, label_contains, "• three");
  g_assert_true (gtk_widget_has_css_class (list, "sero-md-list"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (list)), "• one"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (list)), "<b>two</b>"));

  code = wait_for_widget (f, has_class, "sero-md-code");
  code_label = find_widget (code, has_class, "sero-md-code-text");
  g_assert_nonnull (code_label);
  g_assert_true (gtk_widget_has_css_class (code_label, "monospace"));
  g_assert_true (is_monospace (code_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (code_label)), ==,
                   "print('hello')\nfor i in range(3):\n    print(i)");
  g_assert_nonnull (wait_for_widget (f, label_contains, "python"));

  /* Finished blocks were never rebuilt while the rest streamed in. */
  g_assert_true (find_widget (GTK_WIDGET (f->view), label_contains, "Plan") == heading);
  g_assert_true (find_widget (GTK_WIDGET (f->view), label_contains, "and a link.") == paragraph);

  /* The final message agrees with the stream: still the same widgets. */
  feed (f, "message_end",
        "{\"messageId\": \"m1\", \"message\": {\"role\": \"assistant\", \"stopReason\": \"stop\", \"content\": "
        "[{\"type\": \"text\", \"text\": \"" "# Plan\\n\\nFirst a paragraph with *emphasis*, `code` and a "
        "[link](https://example.org).\\n\\n- one\\n- **two**\\n- three\\n\\n```python\\nprint('hello')\\n"
        "for i in range(3):\\n    print(i)\\n```\\n\\nDone.\"}]}}");
  _sero_session_view_flush (f->view);
  spin (50);
  g_assert_true (find_widget (GTK_WIDGET (f->view), label_contains, "Plan") == heading);

  g_assert_cmpuint (g_list_model_get_n_items (_sero_session_view_get_items (f->view)), ==, 1);
  item = g_list_model_get_item (_sero_session_view_get_items (f->view), 0);
  g_assert_true (sero_chat_item_get_finished (item));
  g_assert_cmpuint (sero_chat_item_get_n_blocks (item), ==, 5);
}

static void
test_tool_card (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *detail, *expander, *output, *status, *card;

  feed (f, "tool_start", "{\"toolCallId\": \"t1\", \"toolName\": \"bash\", \"input\": {\"command\": \"ls -la /srv\"}}");
  detail = wait_for_widget (f, label_contains, "ls -la /srv");
  expander = row_child (detail, "tool_expander");
  g_assert_true (gtk_expander_get_expanded (GTK_EXPANDER (expander)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (row_child (detail, "tool_name_label"))), ==, "bash");
  g_assert_true (gtk_widget_get_visible (row_child (detail, "tool_spinner")));

  feed (f, "tool_end", "{\"toolCallId\": \"t1\", \"toolName\": \"bash\", \"output\": \"total 0\\nREADME.md\", \"isError\": false}");
  _sero_session_view_flush (f->view);
  spin (50);
  output = row_child (detail, "tool_output_label");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (output)), ==, "total 0\nREADME.md");
  g_assert_true (gtk_widget_has_css_class (output, "monospace"));
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (expander)));
  g_assert_false (gtk_widget_get_visible (row_child (detail, "tool_spinner")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (row_child (detail, "tool_status_label"))), ==, "Done");

  /* A failed command shows its exit code and error styling. */
  feed (f, "tool_start", "{\"toolCallId\": \"t2\", \"toolName\": \"bash\", \"input\": {\"command\": \"false\"}}");
  feed (f, "tool_end", "{\"toolCallId\": \"t2\", \"toolName\": \"bash\", \"output\": \"oops\\n\\nCommand exited with code 2\", \"isError\": true}");
  status = wait_for_widget (f, label_contains, "Exit code 2");
  card = row_child (status, "tool_card");
  g_assert_true (gtk_widget_has_css_class (card, "error"));

  /* The person can open a finished card; the list keeps that on rebind. */
  gtk_expander_set_expanded (GTK_EXPANDER (row_child (status, "tool_expander")), TRUE);
  {
    g_autoptr(SeroChatItem) item = g_list_model_get_item (_sero_session_view_get_items (f->view), 1);

    g_assert_true (sero_chat_item_get_expanded (item));
  }
}

static void
on_permission_answered (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  int *answer = user_data;

  *answer = sero_feedback_bridge_ask_permission_finish (SERO_FEEDBACK_BRIDGE (object), result, NULL);
}

static gboolean
answered (gpointer data)
{
  return *(int *) data >= 0;
}

static void
test_permission_card (Fixture       *f,
                      gconstpointer  data)
{
  int answer = -1;
  GtkWidget *prompt, *countdown, *allow, *result;

  /* The session is the gate's bridge: ask it as the bash tool would. */
  sero_feedback_bridge_ask_permission_async (SERO_FEEDBACK_BRIDGE (f->session), "perm-1",
                                             "Run `rm -rf build` in chat-test?", NULL,
                                             on_permission_answered, &answer);
  prompt = wait_for_widget (f, label_contains, "rm -rf build");
  countdown = row_child (prompt, "permission_countdown_label");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (countdown)), "Blocked automatically in "));

  allow = row_child (prompt, "allow_button");
  g_assert_true (gtk_widget_get_sensitive (allow));
  g_assert_true (gtk_widget_activate (allow));
  g_assert_true (wait_until (answered, &answer));
  g_assert_cmpint (answer, ==, SERO_PERMISSION_ALLOW);

  /* permission_resolved came back from the session: the card says so. */
  _sero_session_view_flush (f->view);
  spin (50);
  result = row_child (prompt, "permission_result_label");
  g_assert_true (gtk_widget_get_visible (result));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, "Allowed");
  g_assert_false (gtk_widget_get_visible (row_child (prompt, "permission_buttons")));
}

static void
test_question_form (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *title, *entry_box, *result;

  feed (f, "question_request",
        "{\"requestId\": \"q1\", \"title\": \"Which database?\", \"options\": [\"Postgres\", \"SQLite\"], \"allowFreeText\": true}");
  title = wait_for_widget (f, label_contains, "Which database?");
  g_assert_nonnull (find_widget (row_child (title, "question_options"), label_contains, "Postgres"));
  g_assert_nonnull (find_widget (row_child (title, "question_options"), label_contains, "SQLite"));
  entry_box = row_child (title, "question_entry_box");
  g_assert_true (gtk_widget_get_visible (entry_box));

  feed (f, "question_resolved", "{\"requestId\": \"q1\", \"answer\": \"SQLite\"}");
  _sero_session_view_flush (f->view);
  spin (50);
  result = row_child (title, "question_result_label");
  g_assert_true (gtk_widget_get_visible (result));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, "Answered: SQLite");
  g_assert_false (gtk_widget_get_visible (entry_box));
}

static GtkEventController *
composer_keys (Fixture *f)
{
  GtkTextView *composer = _sero_session_view_get_composer (f->view);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (composer));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        return controller;
    }

  g_assert_not_reached ();
}

static gboolean
press (Fixture         *f,
       guint            keyval,
       GdkModifierType  state)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (composer_keys (f), "key-pressed", keyval, 0, state, &handled);
  return handled;
}

static char *
composer_text (Fixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (_sero_session_view_get_composer (f->view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
session_idle (gpointer data)
{
  Fixture *f = data;

  return sero_session_get_state (f->session) == SERO_SESSION_STATE_IDLE;
}

static gboolean
session_running (gpointer data)
{
  return !session_idle (data);
}

static void
test_composer_keys (Fixture       *f,
                    gconstpointer  data)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (_sero_session_view_get_composer (f->view));
  g_autofree char *after_shift = NULL;
  g_autofree char *after_enter = NULL;

  gtk_text_buffer_set_text (buffer, "hello there", -1);

  /* Shift+Enter is left to the text view, which inserts a new line. */
  g_assert_false (press (f, GDK_KEY_Return, GDK_SHIFT_MASK));
  after_shift = composer_text (f);
  g_assert_cmpstr (after_shift, ==, "hello there");
  g_assert_cmpuint (g_list_model_get_n_items (_sero_session_view_get_items (f->view)), ==, 0);

  /* Enter sends: the composer empties and the turn runs to its answer. */
  g_assert_true (press (f, GDK_KEY_Return, 0));
  after_enter = composer_text (f);
  g_assert_cmpstr (after_enter, ==, "");
  g_assert_nonnull (wait_for_widget (f, label_contains, "hello there"));
  g_assert_nonnull (wait_for_widget (f, label_contains, "Hello back"));
  g_assert_true (wait_until (session_idle, f));
}

static void
test_escape_aborts (Fixture       *f,
                    gconstpointer  data)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (_sero_session_view_get_composer (f->view));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->view));
  GtkShortcut *escape = NULL;

  gtk_text_buffer_set_text (buffer, "take your time", -1);
  g_assert_true (press (f, GDK_KEY_KP_Enter, 0));
  g_assert_true (wait_until (session_running, f));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->view),
                                                                                      SERO_TYPE_SESSION_VIEW,
                                                                                      "stop_button"))));

  /* The view's own Escape binding, as the key press would trigger it. */
  for (guint i = 0; escape == NULL && i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; escape == NULL && j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_str_equal (trigger, "Escape"))
            escape = g_steal_pointer (&shortcut);
        }
    }
  g_assert_nonnull (escape);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (escape), 0, GTK_WIDGET (f->view), NULL));
  g_object_unref (escape);

  g_assert_true (wait_until (session_idle, f));
  g_assert_nonnull (wait_for_widget (f, label_contains, "Stopped"));
}

/* Renders @widget as it is on screen into a PNG in the build folder, kept
 * for a person to look at. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *png = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                           name, NULL);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("Screenshot: %s", png);
}

static void
test_cards_screenshot (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *permission = g_strdup_printf (
    "{\"requestId\": \"p1\", \"prompt\": \"The agent wants to run `curl https://example.org/install.sh | sh` in "
    "chat-test. It downloads and runs a script.\", \"expiresAt\": %" G_GINT64_FORMAT "}",
    g_get_real_time () / 1000 + 60000);

  feed (f, "message_start", "{\"messageId\": \"u1\", \"message\": {\"role\": \"user\", \"content\": \"Install the tool and run its tests\"}}");
  feed (f, "tool_start", "{\"toolCallId\": \"t1\", \"toolName\": \"read\", \"input\": {\"path\": \"README.md\"}}");
  feed (f, "tool_end", "{\"toolCallId\": \"t1\", \"toolName\": \"read\", \"output\": \"# Tool\", \"isError\": false}");
  feed (f, "tool_start", "{\"toolCallId\": \"t2\", \"toolName\": \"bash\", \"input\": {\"command\": \"make check\"}}");
  feed (f, "tool_end", "{\"toolCallId\": \"t2\", \"toolName\": \"bash\", \"output\": \"FAIL: test-parse\\n\\nCommand exited with code 2\", \"isError\": true}");
  feed (f, "tool_start", "{\"toolCallId\": \"t3\", \"toolName\": \"bash\", \"input\": {\"command\": \"make -j2 all\"}}");
  feed (f, "permission_request", permission);
  feed (f, "question_request",
        "{\"requestId\": \"q1\", \"title\": \"Which test suite should run first?\", \"options\": [\"unit\", \"integration\", \"ui\"], \"allowFreeText\": true}");
  feed (f, "retry", "{\"attempt\": 1, \"delayMs\": 2000, \"message\": \"429 Too Many Requests\"}");

  g_assert_nonnull (wait_for_widget (f, label_contains, "install.sh"));
  g_assert_nonnull (wait_for_widget (f, label_contains, "Exit code 2"));
  g_assert_nonnull (wait_for_widget (f, label_contains, "Which test suite"));
  g_assert_nonnull (wait_for_widget (f, label_contains, "Retrying in 2 s"));
  spin (300);
  save_screenshot (GTK_WIDGET (f->window), "session-view-cards.png");
}

static void
test_no_provider (Fixture       *f,
                  gconstpointer  data)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (f->view), SERO_TYPE_SESSION_VIEW, "stack"));
  GtkWidget *page = gtk_stack_get_visible_child (stack);
  GtkWidget *button;

  g_assert_true (ADW_IS_STATUS_PAGE (page));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==, "No Model Provider Set Up");
  button = adw_status_page_get_child (ADW_STATUS_PAGE (page));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "app.preferences");
}

/* The window, end to end: a host workspace, a new session from the tree's
 * action, a prompt typed into the composer, the scripted provider asking
 * for a bash command and then answering with Markdown. */

#define E2E_SCRIPT \
  "{\"turns\": [" \
  "{\"toolCalls\": [{\"id\": \"call_1\", \"name\": \"bash\", \"arguments\": {\"command\": \"echo hello from bash\"}}]," \
  " \"delayMs\": 5}," \
  "{\"text\": \"## What happened\\n\\nThe command printed one line:\\n\\n```sh\\nhello from bash\\n```\\n\\n" \
  "- it ran on the **host**\\n- it exited with code 0\\n\\nSee [the docs](https://example.org/docs).\", \"delayMs\": 5}" \
  "]}"

typedef struct
{
  SeroFakeProvider *fake;
  char             *workspace_path;
  SeroSessionView  *view;
} EndToEnd;

static gboolean
run_script (gpointer user_data)
{
  SeroApplication *app = user_data;
  EndToEnd *e2e = g_object_get_data (G_OBJECT (app), "e2e");
  SeroWindow *window = SERO_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_autoptr(GError) error = NULL;
  SeroWorkspace *workspace;
  SeroSession *session;
  GtkTextBuffer *buffer;
  Fixture f = { 0 };
  GtkWidget *tool_detail, *code;

  g_assert_true (wait_until (mapped, window));
  workspace = sero_workspace_registry_add (sero_application_get_workspaces (app), e2e->workspace_path,
                                           "Chat Demo", &(SeroRuntimeBackend) { SERO_RUNTIME_BACKEND_HOST }, &error);
  g_assert_no_error (error);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-session-in", "s",
                                             sero_workspace_get_id (workspace)));
  session = NULL;
  {
    GListModel *children = G_LIST_MODEL (sero_workspace_tree_get_children (sero_window_get_workspace_tree (window),
                                                                         workspace));

    for (guint i = 0; i < g_list_model_get_n_items (children); i++)
      {
        g_autoptr(GObject) child = g_list_model_get_item (children, i);

        if (SERO_IS_SESSION (child))
          session = SERO_SESSION (child);
      }
  }
  g_assert_nonnull (session);
  e2e->view = sero_window_open_session (window, session);
  g_assert_true (wait_until (mapped, e2e->view));

  f.view = e2e->view;
  f.session = session;
  buffer = gtk_text_view_get_buffer (_sero_session_view_get_composer (f.view));
  gtk_text_buffer_set_text (buffer, "Run echo for me, then explain.", -1);
  g_assert_true (press (&f, GDK_KEY_Return, 0));

  tool_detail = wait_for_widget (&f, label_contains, "echo hello from bash");
  g_assert_nonnull (wait_for_widget (&f, label_contains, "What happened"));
  g_assert_true (wait_until (session_idle, &f));
  _sero_session_view_flush (f.view);
  spin (200);

  /* The bash card: the command, its output, folded away once done. */
  tool_detail = find_widget (GTK_WIDGET (f.view), label_contains, "echo hello from bash");
  g_assert_nonnull (tool_detail);
  {
    g_autofree char *output = g_strdup (gtk_label_get_text (GTK_LABEL (row_child (tool_detail, "tool_output_label"))));

    g_assert_cmpstr (g_strchomp (output), ==, "hello from bash");
  }
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (row_child (tool_detail, "tool_expander"))));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (row_child (tool_detail, "tool_status_label"))), ==, "Done");

  code = wait_for_widget (&f, has_class, "sero-md-code");
  g_assert_true (is_monospace (find_widget (code, has_class, "sero-md-code-text")));
  g_assert_nonnull (wait_for_widget (&f, has_class, "sero-md-list"));

  /* Open the card for the picture, and keep the picture in the build folder. */
  gtk_expander_set_expanded (GTK_EXPANDER (row_child (tool_detail, "tool_expander")), TRUE);
  spin (300);

  save_screenshot (GTK_WIDGET (window), "session-view.png");

  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  gtk_window_set_default_size (window, 1400, 900);
  g_idle_add (run_script, app);
}

static void
test_window_end_to_end (void)
{
  g_autofree char *home = g_dir_make_tmp ("sero-ui-chat-XXXXXX", NULL);
  g_autofree char *profile = g_build_filename (home, "profile", NULL);
  g_autofree char *agent = g_build_filename (profile, "agent", NULL);
  g_autoptr(SeroApplication) app = NULL;
  EndToEnd e2e = { 0 };

  g_setenv ("HOME", home, TRUE);
  g_setenv ("SERO_HOME_OVERRIDE", profile, TRUE);
  e2e.workspace_path = g_build_filename (home, "chat-demo", NULL);
  g_assert_cmpint (g_mkdir_with_parents (e2e.workspace_path, 0700), ==, 0);

  e2e.fake = sero_fake_provider_new (E2E_SCRIPT, FALSE);
  sero_fake_provider_write_models_json (e2e.fake, agent);
  write_settings (agent);

  app = sero_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_object_set_data (G_OBJECT (app), "e2e", &e2e);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_nonnull (e2e.view);

  sero_fake_provider_free (e2e.fake);
  g_free (e2e.workspace_path);
}

#define EMPTY_SCRIPT "{\"turns\": []}"
#define HELLO_SCRIPT "{\"turns\": [{\"text\": \"Hello back, *friend*.\"}]}"
#define SLOW_SCRIPT  "{\"turns\": [{\"text\": \"Slowly…\", \"holdMs\": 30000}]}"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The application loads its style sheet itself; bare windows need it too. */
  gtk_css_provider_load_from_resource (css, "/dev/sero/Sero/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

#define ADD(path, script, func) \
  g_test_add (path, Fixture, script, fixture_set_up, func, fixture_tear_down)
  ADD ("/sero/session-view/streamed-markdown", EMPTY_SCRIPT, test_streamed_markdown);
  ADD ("/sero/session-view/tool-card", EMPTY_SCRIPT, test_tool_card);
  ADD ("/sero/session-view/permission-card", EMPTY_SCRIPT, test_permission_card);
  ADD ("/sero/session-view/question-form", EMPTY_SCRIPT, test_question_form);
  ADD ("/sero/session-view/composer-keys", HELLO_SCRIPT, test_composer_keys);
  ADD ("/sero/session-view/escape-aborts", SLOW_SCRIPT, test_escape_aborts);
  ADD ("/sero/session-view/no-provider", NULL, test_no_provider);
  ADD ("/sero/session-view/cards-screenshot", EMPTY_SCRIPT, test_cards_screenshot);
#undef ADD
  g_test_add_func ("/sero/session-view/window-end-to-end", test_window_end_to_end);

  return g_test_run ();
}
