/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero-application.h"
#include "sero-window.h"
#include "sero-test-support.h"

/* The real application object, in-process, on the (virtual) display. Each
 * test runs a script inside the application's main loop, waiting for what
 * a person would wait for (a mapped window, a container) with bounded
 * deadlines, and never measuring time. */


typedef void (*Script) (SeroApplication *app, SeroWindow *window, gpointer data);

typedef struct
{
  Script   script;
  gpointer data;
  gboolean ran;
} Run;

static gboolean
wait_until (gboolean (*condition) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, TRUE);
    }

  return TRUE;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
run_script (gpointer user_data)
{
  SeroApplication *app = user_data;
  Run *run = g_object_get_data (G_OBJECT (app), "run");
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_nonnull (window);
  g_assert_true (wait_until (window_mapped, window));
  run->script (app, SERO_WINDOW (window), run->data);
  run->ran = TRUE;
  g_application_quit (G_APPLICATION (app));

  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app)
{
  g_idle_add (run_script, app);
}

static void
run_app (Script   script,
         gpointer data)
{
  g_autoptr(SeroApplication) app = sero_application_new ();
  Run run = { script, data, FALSE };

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_object_set_data (G_OBJECT (app), "run", &run);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_true (run.ran);
}

static char *
fresh_profile (void)
{
  g_autofree char *home = g_dir_make_tmp ("sero-ui-XXXXXX", NULL);
  char *profile = g_build_filename (home, "profile", NULL);

  g_setenv ("HOME", home, TRUE);
  g_setenv ("SERO_HOME_OVERRIDE", profile, TRUE);
  return profile;
}

static GtkStack *
template_stack (SeroWindow *window,
                const char *name)
{
  return GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), SERO_TYPE_WINDOW, name));
}

/* The workspace rows currently realised in the tree, by workspace id. */
static GtkWidget *
find_row (SeroWindow *window,
          const char *workspace_id)
{
  GtkListView *list = sero_workspace_tree_get_list_view (sero_window_get_workspace_tree (window));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *expander = gtk_widget_get_first_child (child);
      GtkWidget *row;
      GObject *item;

      if (expander == NULL || !GTK_IS_TREE_EXPANDER (expander))
        continue;
      row = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
      item = sero_workspace_row_get_item (SERO_WORKSPACE_ROW (row));
      if (SERO_IS_WORKSPACE (item) && g_str_equal (sero_workspace_get_id (SERO_WORKSPACE (item)), workspace_id))
        return row;
    }

  return NULL;
}

static guint
count_workspace_rows (SeroWindow *window)
{
  GtkListView *list = sero_workspace_tree_get_list_view (sero_window_get_workspace_tree (window));
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (list));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      n += SERO_IS_WORKSPACE (item);
    }

  return n;
}

static GtkLabel *
row_label (GtkWidget  *row,
           const char *name)
{
  return GTK_LABEL (gtk_widget_get_template_child (row, SERO_TYPE_WORKSPACE_ROW, name));
}

/* Screenshots of the whole virtual screen, as a person would see it. */
static void
screenshot (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), name, NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;

  spin (400);
  g_spawn_sync (NULL, (char *[]) { (char *) "import", (char *) "-window", (char *) "root", path, NULL }, NULL,
                G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_test_message ("screenshot: %s", path);
}

static void
script_empty_state (SeroApplication *app,
                    SeroWindow      *window,
                    gpointer         data)
{
  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_stack (window, "main_stack")), ==, "main");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_stack (window, "content_stack")), ==, "welcome");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "devel") == DEVELOPMENT_BUILD);
  /* Only the global workspace. */
  g_assert_cmpuint (count_workspace_rows (window), ==, 1);
  screenshot ("screenshot-empty-state.png");
}

static void
test_empty_state (void)
{
  g_autofree char *profile = fresh_profile ();
  g_autofree char *log = g_build_filename (profile, "logs", "sero-app.log", NULL);

  run_app (script_empty_state, NULL);
  g_assert_true (g_file_test (log, G_FILE_TEST_IS_REGULAR));
}

static void
script_tree_mirrors_registry (SeroApplication *app,
                              SeroWindow      *window,
                              gpointer         data)
{
  SeroWorkspaceRegistry *registry = sero_application_get_workspaces (app);
  g_autofree char *a = g_dir_make_tmp ("sero-ui-ws-XXXXXX", NULL);
  g_autofree char *b = g_dir_make_tmp ("sero-ui-ws-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  SeroRuntimeBackend host = SERO_RUNTIME_BACKEND_HOST;
  SeroWorkspace *first, *second;
  GtkWidget *row;

  first = sero_workspace_registry_add (registry, a, "Alpha", &host, &error);
  second = sero_workspace_registry_add (registry, b, "Beta", &host, &error);
  g_assert_no_error (error);
  spin (100);
  g_assert_cmpuint (count_workspace_rows (window), ==, 3);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_stack (window, "content_stack")), ==, "no-terminals");

  row = find_row (window, "alpha");
  g_assert_nonnull (row);
  g_assert_cmpstr (gtk_label_get_label (row_label (row, "name_label")), ==, "Alpha");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (row_label (row, "name_label"))), ==, a);

  /* A rename shows at once. */
  sero_workspace_set_name (first, "Alpha Renamed");
  g_assert_true (sero_workspace_save_config (first, &error));
  g_assert_cmpstr (gtk_label_get_label (row_label (find_row (window, "alpha"), "name_label")), ==, "Alpha Renamed");

  g_assert_true (sero_workspace_registry_remove (registry, sero_workspace_get_id (second), &error));
  spin (100);
  g_assert_cmpuint (count_workspace_rows (window), ==, 2);
  g_assert_null (find_row (window, "beta"));
}

static void
test_tree_mirrors_registry (void)
{
  g_autofree char *profile = fresh_profile ();

  run_app (script_tree_mirrors_registry, NULL);
}

static void
script_picker_writes_config (SeroApplication *app,
                             SeroWindow      *window,
                             gpointer         data)
{
  SeroWorkspaceRegistry *registry = sero_application_get_workspaces (app);
  g_autofree char *folder = g_dir_make_tmp ("sero-ui-ws-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (folder, ".sero-workspace.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  SeroWorkspace *workspace;
  GtkWidget *row;
  GtkMenuButton *button;

  workspace = sero_workspace_registry_add (registry, folder, "Picker", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sero_workspace_get_backend (workspace), ==, SERO_RUNTIME_BACKEND_DOCKER);
  spin (100);

  row = find_row (window, "picker");
  button = GTK_MENU_BUTTON (gtk_widget_get_template_child (row, SERO_TYPE_WORKSPACE_ROW, "runtime_button"));
  g_assert_cmpstr (gtk_menu_button_get_icon_name (button), ==, "network-server-symbolic");

  /* Open the picker as a person would, and look at it. */
  sero_workspace_row_popup_runtime_picker (SERO_WORKSPACE_ROW (row));
  screenshot ("screenshot-runtime-picker.png");

  /* Choosing Host (the first option) persists runtime.backend. */
  {
    GtkListBox *list = GTK_LIST_BOX (gtk_widget_get_template_child (row, SERO_TYPE_WORKSPACE_ROW, "runtime_list"));

    g_signal_emit_by_name (list, "row-activated", gtk_list_box_get_row_at_index (list, 0));
  }
  spin (200);

  g_assert_true (g_file_get_contents (config, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"backend\" : \"host\""));
  g_assert_cmpint (sero_workspace_get_backend (workspace), ==, SERO_RUNTIME_BACKEND_HOST);
  g_assert_cmpstr (gtk_menu_button_get_icon_name (button), ==, "computer-symbolic");
}

static void
test_picker_writes_config (void)
{
  g_autofree char *profile = fresh_profile ();

  run_app (script_picker_writes_config, NULL);
}

typedef struct
{
  char *folder;
  int   width;
  int   height;
} LayoutData;

static gboolean
layout_written (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
script_layout_first (SeroApplication *app,
                     SeroWindow      *window,
                     gpointer         data)
{
  LayoutData *layout = data;
  SeroRuntimeBackend host = SERO_RUNTIME_BACKEND_HOST;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = sero_paths_lookup (sero_application_get_paths (app), "layout");
  SeroWorkspace *workspace;

  workspace = sero_workspace_registry_add (sero_application_get_workspaces (app), layout->folder, "Layout", &host, &error);
  g_assert_no_error (error);
  spin (100);

  /* The row shows the git branch and the change count once read. */
  {
    GtkWidget *row = find_row (window, "layout");
    GtkWidget *git_label = GTK_WIDGET (row_label (row, "git_label"));

    g_assert_nonnull (row);
    g_assert_true (wait_until (window_mapped, git_label));
    g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (git_label)), "main"));
  }

  sero_window_open_terminal (window, workspace);
  sero_window_open_terminal (window, workspace);
  g_assert_cmpint (adw_tab_view_get_n_pages (sero_window_get_tab_view (window)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (
                      sero_workspace_tree_get_children (sero_window_get_workspace_tree (window), workspace))), ==, 2);
  spin (300);
  screenshot ("screenshot-two-terminals.png");

  gtk_window_set_default_size (GTK_WINDOW (window), layout->width, layout->height);
  g_assert_true (wait_until (layout_written, file));
  gtk_window_close (GTK_WINDOW (window));
}

static void
script_layout_second (SeroApplication *app,
                      SeroWindow      *window,
                      gpointer         data)
{
  LayoutData *layout = data;
  SeroWorkspace *workspace = sero_workspace_registry_lookup (sero_application_get_workspaces (app), "layout");
  int width, height;

  /* The tabs came back, in their workspace, and so did the size. */
  g_assert_nonnull (workspace);
  g_assert_cmpint (adw_tab_view_get_n_pages (sero_window_get_tab_view (window)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (
                      sero_workspace_tree_get_children (sero_window_get_workspace_tree (window), workspace))), ==, 2);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, layout->width);
  g_assert_cmpint (height, ==, layout->height);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_stack (window, "content_stack")), ==, "tabs");
}

static void
test_layout_survives_restart (void)
{
  g_autofree char *profile = fresh_profile ();
  LayoutData layout = { g_dir_make_tmp ("sero-ui-ws-XXXXXX", NULL), 1013, 677 };
  g_autofree char *init = g_strdup_printf ("git -c init.defaultBranch=main init -q '%s'", layout.folder);
  g_autofree char *readme = g_build_filename (layout.folder, "README.md", NULL);

  g_assert_true (g_spawn_command_line_sync (init, NULL, NULL, NULL, NULL));
  g_assert_true (g_file_set_contents (readme, "# Layout\n", -1, NULL));

  run_app (script_layout_first, &layout);
  run_app (script_layout_second, &layout);
  g_free (layout.folder);
}

static gboolean
dot_visible_with (gpointer data)
{
  GtkWidget *dot = ((GtkWidget **) data)[0];
  const char *css = ((const char **) data)[1];

  return css ? (gtk_widget_get_visible (dot) && gtk_widget_has_css_class (dot, css))
             : !gtk_widget_get_visible (dot);
}

static void
script_status_dot (SeroApplication *app,
                   SeroWindow      *window,
                   gpointer         data)
{
  SeroRuntimeManager *manager = sero_application_get_runtime_manager (app);
  g_autofree char *folder = g_dir_make_tmp ("sero-ui-ws-XXXXXX", NULL);
  g_autofree char *container = NULL;
  g_autoptr(GError) error = NULL;
  SeroWorkspaceTree *tree = sero_window_get_workspace_tree (window);
  SeroWorkspace *workspace;
  SeroRuntime *runtime;
  GtkWidget *dot;
  gpointer running[2], gone[2];

  workspace = sero_workspace_registry_add (sero_application_get_workspaces (app), folder, "Dotted", NULL, &error);
  g_assert_no_error (error);
  container = g_strdup_printf ("sero-%s", sero_workspace_get_id (workspace));
  spin (100);

  runtime = sero_runtime_manager_ensure_sync (manager, workspace, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sero_runtime_is_container (runtime));

  dot = GTK_WIDGET (gtk_widget_get_template_child (find_row (window, "dotted"), SERO_TYPE_WORKSPACE_ROW, "status_dot"));
  running[0] = dot; running[1] = (gpointer) "running";
  g_assert_true (wait_until (dot_visible_with, running));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (dot), "Container running ("));

  /* Killed from outside Sero: the dot follows within a poll. */
  g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "rm", (char *) "-f", container, NULL }, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  sero_workspace_tree_refresh_status (tree);
  gone[0] = dot; gone[1] = NULL;
  g_assert_true (wait_until (dot_visible_with, gone));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_NONE);
}

static void
test_status_dot_follows_container (void)
{
  g_autofree char *profile = fresh_profile ();

  sero_test_build_image ();
  g_setenv ("SERO_NODE_IMAGE", SERO_TEST_IMAGE, TRUE);
  g_setenv ("SERO_CONTAINER_ENGINE", "podman", TRUE);

  run_app (script_status_dot, NULL);
}

static void
script_dev_servers_listed (SeroApplication *app,
                           SeroWindow      *window,
                           gpointer         data)
{
  SeroWorkspace *workspace = sero_workspace_registry_lookup (sero_application_get_workspaces (app), "served");
  GListModel *children;
  g_autoptr(GObject) child = NULL;
  g_autofree char *title = NULL;

  g_assert_nonnull (workspace);
  children = G_LIST_MODEL (sero_workspace_tree_get_children (sero_window_get_workspace_tree (window), workspace));
  g_assert_cmpuint (g_list_model_get_n_items (children), ==, 1);
  child = g_list_model_get_item (children, 0);
  g_assert_true (SERO_IS_DEV_SERVER (child));
  g_object_get (child, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "web · 5173 (running)");
}

static void
test_dev_servers_listed (void)
{
  g_autofree char *profile = fresh_profile ();
  g_autofree char *folder = g_dir_make_tmp ("sero-ui-ws-XXXXXX", NULL);
  g_autofree char *records = g_build_filename (profile, "agent", "dev-servers.json", NULL);
  g_autoptr(SeroWorkspaceRegistry) registry = sero_workspace_registry_new (profile);
  SeroRuntimeBackend host = SERO_RUNTIME_BACKEND_HOST;
  g_autoptr(GError) error = NULL;

  g_assert_true (sero_workspace_registry_load (registry, &error));
  g_assert_nonnull (sero_workspace_registry_add (registry, folder, "Served", &host, &error));
  g_assert_true (g_file_set_contents (records,
                                      "{\"servers\": [{\"id\": \"served:workspace:root:5173\", \"workspaceId\": \"served\","
                                      " \"name\": \"web\", \"port\": 5173, \"url\": \"http://127.0.0.1:5173\","
                                      " \"command\": \"npm run dev\", \"status\": \"running\", \"pid\": 1}]}", -1, NULL));

  run_app (script_dev_servers_listed, NULL);
}

static void
script_broken_registry (SeroApplication *app,
                        SeroWindow      *window,
                        gpointer         data)
{
  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_stack (window, "main_stack")), ==, "broken");
}

static void
test_broken_registry (void)
{
  g_autofree char *home = g_dir_make_tmp ("sero-ui-home-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (home, ".sero-ui", NULL);
  g_autofree char *registry = g_build_filename (root, "profiles.json", NULL);
  g_autofree char *after = NULL;

  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  g_assert_true (g_file_set_contents (registry, "{ not json", -1, NULL));
  g_setenv ("HOME", home, TRUE);
  g_unsetenv ("SERO_HOME_OVERRIDE");

  g_test_expect_message ("sero-application", G_LOG_LEVEL_WARNING, "*profiles.json*");
  run_app (script_broken_registry, NULL);
  g_test_assert_expected_messages ();

  g_assert_true (g_file_get_contents (registry, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "{ not json");
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/sero/ui/window/empty-state", test_empty_state);
  g_test_add_func ("/sero/ui/window/tree-mirrors-registry", test_tree_mirrors_registry);
  g_test_add_func ("/sero/ui/window/picker-writes-config", test_picker_writes_config);
  g_test_add_func ("/sero/ui/window/layout-survives-restart", test_layout_survives_restart);
  g_test_add_func ("/sero/ui/window/status-dot-follows-container", test_status_dot_follows_container);
  g_test_add_func ("/sero/ui/window/dev-servers-listed", test_dev_servers_listed);
  g_test_add_func ("/sero/ui/window/broken-registry", test_broken_registry);

  return g_test_run ();
}
