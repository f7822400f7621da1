/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero-application.h"

/* Runs the real application object in-process on the (virtual) display and
 * inspects the window it opens. */

typedef struct
{
  const char *expected_page;
  gboolean    checked;
} Expectation;

static gboolean
check_window (gpointer user_data)
{
  GApplication *app = user_data;
  Expectation *expectation = g_object_get_data (G_OBJECT (app), "expectation");
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  GtkStack *stack;

  g_assert_nonnull (window);
  g_assert_true (ADW_IS_APPLICATION_WINDOW (window));
  if (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    return G_SOURCE_CONTINUE;

  stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), G_OBJECT_TYPE (window), "stack"));
  g_assert_nonnull (stack);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, expectation->expected_page);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "devel") == DEVELOPMENT_BUILD);

  expectation->checked = TRUE;
  g_application_quit (app);
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app)
{
  g_timeout_add (50, check_window, app);
}

static void
run_app (Expectation *expectation)
{
  g_autoptr(SeroApplication) app = sero_application_new ();

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_object_set_data (G_OBJECT (app), "expectation", expectation);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_true (expectation->checked);
}

static void
test_welcome (void)
{
  g_autofree char *home = g_dir_make_tmp ("sero-ui-home-XXXXXX", NULL);
  g_autofree char *override = g_build_filename (home, "profile", NULL);
  g_autofree char *log = g_build_filename (override, "logs", "sero-app.log", NULL);
  Expectation expectation = { "welcome", FALSE };

  g_setenv ("HOME", home, TRUE);
  g_setenv ("SERO_HOME_OVERRIDE", override, TRUE);
  run_app (&expectation);

  /* The app logs to its component file under the profile. */
  g_assert_true (g_file_test (log, G_FILE_TEST_IS_REGULAR));
}

static void
test_broken_registry (void)
{
  g_autofree char *home = g_dir_make_tmp ("sero-ui-home-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (home, ".sero-ui", NULL);
  g_autofree char *registry = g_build_filename (root, "profiles.json", NULL);
  g_autofree char *after = NULL;
  Expectation expectation = { "broken-registry", FALSE };

  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  g_assert_true (g_file_set_contents (registry, "{ not json", -1, NULL));
  g_setenv ("HOME", home, TRUE);
  g_unsetenv ("SERO_HOME_OVERRIDE");

  g_test_expect_message ("sero-application", G_LOG_LEVEL_WARNING, "*profiles.json*");
  run_app (&expectation);
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

  g_test_add_func ("/sero/ui/window/welcome", test_welcome);
  g_test_add_func ("/sero/ui/window/broken-registry", test_broken_registry);

  return g_test_run ();
}
