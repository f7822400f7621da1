/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <vte/vte.h>

#include "sero-terminal.h"
#include "sero-test-support.h"

/* SeroTerminal in a real window on the (virtual) display: host shells,
 * exit and restart, find and links, a shell inside `sero-<id>` under real
 * Podman with the tiny test image (tests/fixtures/build-test-image.sh), and
 * the error page when the container cannot start. Waits iterate the main
 * loop until a condition holds; the deadlines only turn a hang into a
 * failure, they are not measurements. */

#define MISSING_IMAGE "localhost/sero-no-such-image:never"
#define SHELL_TIMEOUT 30
#define ENSURE_TIMEOUT 100


typedef struct
{
  char               *home;
  char               *folder;
  char               *id;
  SeroPaths          *paths;
  SeroRuntimeManager *manager;
  SeroWorkspace      *workspace;
  GtkWindow          *window;
  SeroTerminal       *terminal;
  VteTerminal        *vte;
} Fixture;

static gboolean
keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
dump_screen (Fixture *fixture)
{
  g_autofree char *text = NULL;

  if (fixture->terminal == NULL)
    return;

  text = sero_terminal_get_text (fixture->terminal);
  g_printerr ("Terminal state %d, screen:\n%s\n", sero_terminal_get_state (fixture->terminal), text);
}

/* Iterates the main loop until COND holds; the deadline only turns a hang
 * into a failure. */
#define WAIT_UNTIL(fixture, cond, seconds)                                     \
  G_STMT_START {                                                               \
    gint64 deadline_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;   \
    guint tick_ = g_timeout_add (20, keep_ticking, NULL);                      \
    while (!(cond) && g_get_monotonic_time () < deadline_)                     \
      g_main_context_iteration (NULL, TRUE);                                   \
    g_source_remove (tick_);                                                   \
    if (!(cond))                                                               \
      {                                                                        \
        dump_screen (fixture);                                                 \
        g_error ("Timed out after %d s waiting for: %s", (int) (seconds), #cond); \
      }                                                                        \
  } G_STMT_END

static gboolean
screen_has (Fixture    *fixture,
            const char *needle)
{
  g_autofree char *text = sero_terminal_get_text (fixture->terminal);

  return text != NULL && strstr (text, needle) != NULL;
}

/* Output lines, unlike the echoed command line, start with what was printed. */
static gboolean
screen_has_line (Fixture    *fixture,
                 const char *prefix)
{
  g_autofree char *text = sero_terminal_get_text (fixture->terminal);
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return TRUE;

  return FALSE;
}

#define WAIT_FOR_LINE(fixture, prefix) \
  WAIT_UNTIL (fixture, screen_has_line (fixture, prefix), SHELL_TIMEOUT)
#define WAIT_FOR_STATE(fixture, state_, seconds) \
  WAIT_UNTIL (fixture, sero_terminal_get_state ((fixture)->terminal) == (state_), seconds)
#define WAIT_FOR_TEXT(fixture, needle) \
  WAIT_UNTIL (fixture, screen_has (fixture, needle), SHELL_TIMEOUT)

static gpointer
template_child (Fixture    *fixture,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (fixture->terminal), SERO_TYPE_TERMINAL, name);

  g_assert_nonnull (child);
  return child;
}

static void
click (Fixture    *fixture,
       const char *button)
{
  GtkWidget *widget = template_child (fixture, button);

  g_assert_true (gtk_widget_get_visible (widget));
  g_assert_true (gtk_widget_is_sensitive (widget));
  g_signal_emit_by_name (widget, "clicked");
}

static void
remove_tree (const char *path)
{
  g_spawn_sync (NULL, (char *[]) { (char *) "rm", (char *) "-rf", (char *) path, NULL }, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *suffix = g_uuid_string_random ();

  fixture->home = g_dir_make_tmp ("sero-term-home-XXXXXX", NULL);
  fixture->folder = g_dir_make_tmp ("sero-term-ws-XXXXXX", NULL);
  fixture->id = g_strdup_printf ("term-%.8s", suffix);
  fixture->paths = sero_paths_new_for_home (fixture->home, SERO_HOME_SOURCE_OVERRIDE);
  fixture->manager = sero_runtime_manager_new (fixture->paths);
  fixture->workspace = sero_workspace_new (fixture->id, fixture->folder);
  sero_workspace_set_name (fixture->workspace, "Terminal Test");
  sero_workspace_set_backend (fixture->workspace, SERO_RUNTIME_BACKEND_HOST);

  fixture->terminal = sero_terminal_new (fixture->manager, fixture->workspace);
  fixture->vte = template_child (fixture, "vte");
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 800, 500);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->terminal));
  gtk_window_present (fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  sero_test_podman_rm_workspace (fixture->id);
  g_clear_object (&fixture->workspace);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->paths);
  remove_tree (fixture->folder);
  remove_tree (fixture->home);
  g_free (fixture->folder);
  g_free (fixture->home);
  g_free (fixture->id);
}

static SeroRuntime *
host_runtime (Fixture *fixture)
{
  return sero_runtime_manager_get_host_runtime (fixture->manager, fixture->workspace);
}

static void
on_title (SeroTerminal *terminal,
          GParamSpec   *pspec,
          GPtrArray    *titles)
{
  g_ptr_array_add (titles, g_strdup (sero_terminal_get_title (terminal)));
}

static gboolean
title_seen (GPtrArray  *titles,
            const char *title)
{
  for (guint i = 0; i < titles->len; i++)
    if (g_strcmp0 (g_ptr_array_index (titles, i), title) == 0)
      return TRUE;

  return FALSE;
}

static void
assert_link_at_line (Fixture    *fixture,
                     const char *url)
{
  g_autofree char *text = sero_terminal_get_text (fixture->terminal);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *match = NULL;
  GtkBorder padding = { 0 };
  int tag = -1;
  int row = -1;

  gtk_style_context_get_padding (gtk_widget_get_style_context (GTK_WIDGET (fixture->vte)), &padding);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], url))
      row = i;
  g_assert_cmpint (row, >=, 0);

  /* The middle of the link's fifth cell. */
  match = vte_terminal_check_match_at (fixture->vte,
                                       padding.left + 4.5 * vte_terminal_get_char_width (fixture->vte),
                                       padding.top + (row + 0.5) * vte_terminal_get_char_height (fixture->vte),
                                       &tag);
  g_assert_cmpstr (match, ==, url);
  g_assert_cmpint (tag, >=, 0);
}

static void
test_host_shell (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  SeroRuntime *host = host_runtime (fixture);

  g_assert_cmpint (sero_terminal_get_state (fixture->terminal), ==, SERO_TERMINAL_STATE_IDLE);
  g_assert_cmpint (sero_terminal_get_runtime_kind (fixture->terminal), ==, SERO_TERMINAL_RUNTIME_NONE);
  g_assert_cmpstr (sero_terminal_get_title (fixture->terminal), ==, "Terminal Test");
  g_signal_connect (fixture->terminal, "notify::title", G_CALLBACK (on_title), titles);

  sero_terminal_start (fixture->terminal);
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_RUNNING, SHELL_TIMEOUT);

  g_assert_cmpint (sero_terminal_get_runtime_kind (fixture->terminal), ==, SERO_TERMINAL_RUNTIME_HOST);
  g_assert_false (sero_terminal_get_is_container (fixture->terminal));
  g_assert_null (sero_terminal_get_fallback_reason (fixture->terminal));
  g_assert_false (gtk_info_bar_get_revealed (template_child (fixture, "fallback_bar")));
  g_assert_true (sero_terminal_get_runtime (fixture->terminal) == host);
  g_assert_cmpuint (sero_runtime_get_active_terminals (host), ==, 1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_child (fixture, "stack")), ==, "terminal");
  g_assert_cmpint (vte_terminal_get_scrollback_lines (fixture->vte), ==, 10000);

  /* The output, not the echoed command line, carries the 42; the secret
   * the test process holds must not reach the shell; it starts in the
   * workspace folder. */
  sero_terminal_feed_child (fixture->terminal,
                            "echo sero-$((6*7))-ok; echo \"key=[${SERO_TEST_API_KEY:-unset}]\"; pwd\n");
  WAIT_FOR_TEXT (fixture, "sero-42-ok");
  WAIT_FOR_TEXT (fixture, "key=[unset]");
  WAIT_FOR_LINE (fixture, fixture->folder);

  /* The shell's window title becomes ours. */
  sero_terminal_feed_child (fixture->terminal, "printf '\\033]0;%s-%s\\007' sero-title ok\n");
  WAIT_UNTIL (fixture, title_seen (titles, "sero-title-ok"), SHELL_TIMEOUT);

  /* http(s) links are matches VTE can report under the pointer. */
  sero_terminal_feed_child (fixture->terminal, "clear; printf '%s\\n' https://example.org/sero-docs\n");
  WAIT_FOR_LINE (fixture, "https://example.org/sero-docs");
  assert_link_at_line (fixture, "https://example.org/sero-docs");
}

static void
test_exit_and_restart (Fixture       *fixture,
                       gconstpointer  data)
{
  SeroRuntime *host = host_runtime (fixture);
  SeroTerminal *gone = fixture->terminal;

  sero_terminal_start (fixture->terminal);
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_RUNNING, SHELL_TIMEOUT);
  g_assert_false (sero_terminal_get_exited (fixture->terminal));
  g_assert_false (gtk_widget_get_visible (template_child (fixture, "host_button")));

  sero_terminal_feed_child (fixture->terminal, "echo before-exit; exit 3\n");
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_EXITED, SHELL_TIMEOUT);

  g_assert_true (sero_terminal_get_exited (fixture->terminal));
  g_assert_cmpint (sero_terminal_get_exit_status (fixture->terminal), ==, 3);
  g_assert_cmpuint (sero_runtime_get_active_terminals (host), ==, 0);
  g_assert_true (gtk_info_bar_get_revealed (template_child (fixture, "exited_bar")));
  g_assert_nonnull (strstr (gtk_label_get_text (template_child (fixture, "exited_label")), "3"));
  /* The output stays readable after the exit. */
  g_assert_true (screen_has (fixture, "before-exit"));

  click (fixture, "restart_button");
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_RUNNING, SHELL_TIMEOUT);

  g_assert_false (sero_terminal_get_exited (fixture->terminal));
  g_assert_false (gtk_info_bar_get_revealed (template_child (fixture, "exited_bar")));
  g_assert_true (sero_terminal_get_runtime (fixture->terminal) == host);
  g_assert_cmpuint (sero_runtime_get_active_terminals (host), ==, 1);
  g_assert_true (screen_has (fixture, "before-exit"));
  sero_terminal_feed_child (fixture->terminal, "echo again-$((40+2))\n");
  WAIT_FOR_TEXT (fixture, "again-42");

  /* A signal is reported the way shells do, 128 + N. */
  sero_terminal_feed_child (fixture->terminal, "kill -9 $$\n");
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_EXITED, SHELL_TIMEOUT);
  g_assert_cmpint (sero_terminal_get_exit_status (fixture->terminal), ==, 128 + 9);
  g_assert_cmpuint (sero_runtime_get_active_terminals (host), ==, 0);

  /* Destroying a running terminal gives its hold back. */
  click (fixture, "restart_button");
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_RUNNING, SHELL_TIMEOUT);
  g_assert_cmpuint (sero_runtime_get_active_terminals (host), ==, 1);
  g_object_add_weak_pointer (G_OBJECT (fixture->terminal), (gpointer *) &gone);
  gtk_window_set_child (fixture->window, NULL);
  fixture->terminal = NULL;
  WAIT_UNTIL (fixture, gone == NULL, SHELL_TIMEOUT);
  g_assert_cmpuint (sero_runtime_get_active_terminals (host), ==, 0);

  /* Teardown needs a terminal to destroy with the window. */
  fixture->terminal = sero_terminal_new (fixture->manager, fixture->workspace);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->terminal));
}

static void
test_zoom_and_find (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkSearchBar *search_bar = template_child (fixture, "search_bar");
  GtkEditable *entry = template_child (fixture, "search_entry");
  g_autofree char *selected = NULL;
  GtkWidget *popover;

  sero_terminal_start (fixture->terminal);
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_RUNNING, SHELL_TIMEOUT);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->terminal), "terminal.zoom-in", NULL));
  g_assert_cmpfloat (vte_terminal_get_font_scale (fixture->vte), >, 1.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->terminal), "terminal.zoom-reset", NULL));
  g_assert_cmpfloat (vte_terminal_get_font_scale (fixture->vte), ==, 1.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->terminal), "terminal.zoom-out", NULL));
  g_assert_cmpfloat (vte_terminal_get_font_scale (fixture->vte), <, 1.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->terminal), "terminal.zoom-reset", NULL));

  sero_terminal_feed_child (fixture->terminal, "printf '%s\\n' needle-one\n");
  WAIT_FOR_LINE (fixture, "needle-one");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->terminal), "terminal.find", NULL));
  g_assert_true (gtk_search_bar_get_search_mode (search_bar));

  /* Case does not matter unless asked for. */
  gtk_editable_set_text (entry, "NEEDLE-ONE");
  WAIT_UNTIL (fixture, vte_terminal_get_has_selection (fixture->vte), SHELL_TIMEOUT);
  selected = vte_terminal_get_text_selected (fixture->vte, VTE_FORMAT_TEXT);
  g_assert_cmpstr (selected, ==, "needle-one");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->terminal), "terminal.find-next", NULL));
  g_assert_true (vte_terminal_get_has_selection (fixture->vte));

  gtk_toggle_button_set_active (template_child (fixture, "case_button"), TRUE);
  g_assert_nonnull (vte_terminal_search_get_regex (fixture->vte));
  g_assert_false (vte_terminal_get_has_selection (fixture->vte));

  /* A pattern only when asked for one. */
  gtk_toggle_button_set_active (template_child (fixture, "case_button"), FALSE);
  gtk_toggle_button_set_active (template_child (fixture, "regex_button"), TRUE);
  gtk_editable_set_text (entry, "need[l]e-o.e");
  WAIT_UNTIL (fixture, vte_terminal_get_has_selection (fixture->vte), SHELL_TIMEOUT);
  g_clear_pointer (&selected, g_free);
  selected = vte_terminal_get_text_selected (fixture->vte, VTE_FORMAT_TEXT);
  g_assert_cmpstr (selected, ==, "needle-one");

  gtk_search_bar_set_search_mode (search_bar, FALSE);
  g_assert_null (vte_terminal_search_get_regex (fixture->vte));

  /* The context menu from the keyboard; no link under the cursor. */
  popover = gtk_widget_get_last_child (GTK_WIDGET (fixture->terminal));
  g_assert_true (GTK_IS_POPOVER_MENU (popover));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->terminal), "terminal.popup-menu", NULL));
  WAIT_UNTIL (fixture, gtk_widget_get_mapped (popover), SHELL_TIMEOUT);
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
test_container_shell (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *marker = g_strdup_printf ("only-in-%s", fixture->id);
  g_autofree char *file = g_build_filename (fixture->folder, "sero-only-here.txt", NULL);
  g_autofree char *container = g_strdup_printf ("sero-%s", fixture->id);
  SeroRuntime *runtime;

  sero_test_build_image ();

  g_assert_true (g_file_set_contents (file, marker, -1, NULL));
  sero_workspace_set_backend (fixture->workspace, SERO_RUNTIME_BACKEND_DOCKER);

  sero_terminal_start (fixture->terminal);
  g_assert_cmpint (sero_terminal_get_state (fixture->terminal), ==, SERO_TERMINAL_STATE_STARTING);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_child (fixture, "stack")), ==, "starting");
  g_assert_cmpstr (adw_status_page_get_title (template_child (fixture, "starting_page")), ==, "Starting Container…");

  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_RUNNING, ENSURE_TIMEOUT);

  runtime = sero_terminal_get_runtime (fixture->terminal);
  g_assert_true (sero_terminal_get_is_container (fixture->terminal));
  g_assert_cmpint (sero_terminal_get_runtime_kind (fixture->terminal), ==, SERO_TERMINAL_RUNTIME_CONTAINER);
  g_assert_null (sero_terminal_get_fallback_reason (fixture->terminal));
  g_assert_cmpstr (sero_runtime_get_container_name (runtime), ==, container);
  g_assert_cmpuint (sero_runtime_get_active_terminals (runtime), ==, 1);

  /* The file exists only in the workspace folder, which only the
   * container sees at /workspace; the shell also starts there. */
  g_assert_false (g_file_test ("/workspace/sero-only-here.txt", G_FILE_TEST_EXISTS));
  sero_terminal_feed_child (fixture->terminal, "cat /workspace/sero-only-here.txt; echo; pwd\n");
  WAIT_FOR_TEXT (fixture, marker);
  WAIT_FOR_LINE (fixture, "/workspace");

  sero_terminal_feed_child (fixture->terminal, "exit 0\n");
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_EXITED, SHELL_TIMEOUT);
  g_assert_cmpint (sero_terminal_get_exit_status (fixture->terminal), ==, 0);
  g_assert_cmpuint (sero_runtime_get_active_terminals (runtime), ==, 0);
}

static void
on_state (SeroTerminal *terminal,
          GParamSpec   *pspec,
          GArray       *states)
{
  SeroTerminalState state = sero_terminal_get_state (terminal);

  g_array_append_val (states, state);
}

static void
test_error_page (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (SeroTerminalState));
  AdwStatusPage *error_page;

  sero_test_build_image ();

  sero_workspace_set_backend (fixture->workspace, SERO_RUNTIME_BACKEND_DOCKER);
  sero_workspace_set_image (fixture->workspace, MISSING_IMAGE);
  error_page = template_child (fixture, "error_page");

  sero_terminal_start (fixture->terminal);
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_FAILED, ENSURE_TIMEOUT);

  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_child (fixture, "stack")), ==, "error");
  g_assert_cmpstr (adw_status_page_get_title (error_page), ==, "The Container Did Not Start");
  g_assert_nonnull (strstr (adw_status_page_get_description (error_page), MISSING_IMAGE));
  g_assert_cmpint (sero_terminal_get_runtime_kind (fixture->terminal), ==, SERO_TERMINAL_RUNTIME_NONE);
  g_assert_cmpuint (sero_runtime_get_active_terminals (host_runtime (fixture)), ==, 0);

  /* Retry tries again, and fails again. */
  g_signal_connect (fixture->terminal, "notify::state", G_CALLBACK (on_state), states);
  click (fixture, "retry_button");
  g_assert_cmpint (sero_terminal_get_state (fixture->terminal), ==, SERO_TERMINAL_STATE_STARTING);
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_FAILED, ENSURE_TIMEOUT);
  g_assert_cmpuint (states->len, ==, 2);

  /* Open on Host gives a working host shell that says why it is one. */
  click (fixture, "host_button");
  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_RUNNING, SHELL_TIMEOUT);

  g_assert_cmpint (sero_terminal_get_runtime_kind (fixture->terminal), ==, SERO_TERMINAL_RUNTIME_HOST);
  g_assert_true (sero_terminal_get_runtime (fixture->terminal) == host_runtime (fixture));
  g_assert_nonnull (strstr (sero_terminal_get_fallback_reason (fixture->terminal), MISSING_IMAGE));
  g_assert_true (gtk_info_bar_get_revealed (template_child (fixture, "fallback_bar")));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (template_child (fixture, "fallback_label")),
                                   "Running on the host: "));
  g_assert_cmpuint (sero_runtime_get_active_terminals (host_runtime (fixture)), ==, 1);

  sero_terminal_feed_child (fixture->terminal, "echo host-$((6*7)); pwd\n");
  WAIT_FOR_TEXT (fixture, "host-42");
  WAIT_FOR_LINE (fixture, fixture->folder);
}

/* Without the engine the manager falls back to the host by itself; the
 * terminal runs there and says so. The engine disappears from PATH only
 * while the runtime is ensured. */
static void
test_engine_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *empty_bin = g_dir_make_tmp ("sero-term-nobin-XXXXXX", NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));

  sero_workspace_set_backend (fixture->workspace, SERO_RUNTIME_BACKEND_DOCKER);

  g_setenv ("PATH", empty_bin, TRUE);
  sero_terminal_start (fixture->terminal);
  WAIT_UNTIL (fixture, sero_terminal_get_runtime (fixture->terminal) != NULL ||
                       sero_terminal_get_state (fixture->terminal) == SERO_TERMINAL_STATE_FAILED, SHELL_TIMEOUT);
  g_setenv ("PATH", old_path, TRUE);
  g_rmdir (empty_bin);

  WAIT_FOR_STATE (fixture, SERO_TERMINAL_STATE_RUNNING, SHELL_TIMEOUT);
  g_assert_cmpint (sero_terminal_get_runtime_kind (fixture->terminal), ==, SERO_TERMINAL_RUNTIME_HOST);
  g_assert_true (g_str_has_prefix (sero_terminal_get_fallback_reason (fixture->terminal), "not installed"));
  g_assert_true (gtk_info_bar_get_revealed (template_child (fixture, "fallback_bar")));

  sero_terminal_feed_child (fixture->terminal, "echo fallback-$((6*7))\n");
  WAIT_FOR_TEXT (fixture, "fallback-42");
}

int
main (int    argc,
      char **argv)
{

  /* Before any thread exists: the environment the app and shells inherit. */
  g_setenv ("SERO_TEST_API_KEY", "hunter2-not-for-shells", TRUE);
  g_setenv ("SERO_CONTAINER_ENGINE", "podman", TRUE);
  g_setenv ("SERO_NODE_IMAGE", SERO_TEST_IMAGE, TRUE);
  /* A predictable host shell, without anyone's rc files setting titles. */
  g_setenv ("SHELL", "/bin/sh", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(name, func) g_test_add ("/sero/ui/terminal/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("host-shell", test_host_shell);
  ADD ("exit-and-restart", test_exit_and_restart);
  ADD ("zoom-and-find", test_zoom_and_find);
  ADD ("container-shell", test_container_shell);
  ADD ("error-page", test_error_page);
  ADD ("engine-missing", test_engine_missing);
#undef ADD

  return g_test_run ();
}
