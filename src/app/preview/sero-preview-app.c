/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-preview"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-preview-app.h"
#include "sero-preview-pane.h"
#include "sero-preview-policy.h"

/* `sero preview URL`: a window holding just the preview pane, with the
 * same policy as in the main window (issue 7). It is handy for a quick look
 * and for testing the policy from outside. main() sends it here before the
 * headless CLI, which never initialises GTK.
 *
 * The application is non-unique: a preview must not hand its URL to a
 * running Sero window, nor stop a second preview from opening. */

#define USAGE "sero preview http://127.0.0.1:PORT[/PATH]"

/* As the CLI's own exit statuses. */
#define EXIT_USAGE 2

static void
close_requested_cb (GtkWindow *window)
{
  gtk_window_close (window);
}

/* The page's title, or "Preview" while the title is only the address,
 * which the subtitle already shows. */
static gboolean
title_from_pane (GBinding     *binding,
                 const GValue *from,
                 GValue       *to,
                 gpointer      user_data)
{
  SeroPreviewPane *pane = SERO_PREVIEW_PANE (g_binding_dup_source (binding));
  const char *title = g_value_get_string (from);

  if (title == NULL || g_strcmp0 (title, sero_preview_pane_get_url (pane)) == 0)
    g_value_set_string (to, _("Preview"));
  else
    g_value_set_string (to, title);

  g_object_unref (pane);
  return TRUE;
}

static void
activate_cb (GtkApplication *app,
             const char     *url)
{
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *header;
  GtkWidget *window_title;
  GtkWidget *pane;

  window = adw_application_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);

  window_title = adw_window_title_new (_("Preview"), url);
  header = adw_header_bar_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), window_title);

  pane = sero_preview_pane_new ();
  gtk_widget_set_vexpand (pane, TRUE);
  g_object_bind_property_full (pane, "title", window_title, "title", G_BINDING_DEFAULT,
                               title_from_pane, NULL, NULL, NULL);
  g_object_bind_property (window_title, "title", window, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (pane, "url", window_title, "subtitle", G_BINDING_DEFAULT);
  g_signal_connect_object (pane, "close-requested",
                           G_CALLBACK (close_requested_cb), window, G_CONNECT_SWAPPED);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), pane);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);

  sero_preview_pane_load (SERO_PREVIEW_PANE (pane), url);
  gtk_window_present (GTK_WINDOW (window));
}

/**
 * sero_preview_app_run:
 * @argc: arguments, `preview` first
 * @argv: (array length=argc): the arguments
 *
 * Returns: the exit status: 0 when the window was closed, 2 for a missing
 *   or non-loopback address (checked before GTK starts)
 */
int
sero_preview_app_run (int    argc,
                      char **argv)
{
  g_autoptr(AdwApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  char *app_argv[] = { argv[0], NULL };

  g_return_val_if_fail (argc > 0, EXIT_USAGE);

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s %s\n\n%s\n", _("Usage:"), USAGE,
               _("Opens a window previewing a dev server on this computer, with the "
                 "embedded preview's security policy."));
      return 0;
    }

  if (argc != 2)
    {
      g_printerr ("sero: %s\n%s %s\n", _("preview takes one address"), _("Usage:"), USAGE);
      return EXIT_USAGE;
    }

  if (!sero_preview_policy_check_url (argv[1], &error))
    {
      g_printerr ("sero: %s\n", error->message);
      return EXIT_USAGE;
    }

  app = g_object_new (ADW_TYPE_APPLICATION,
                      "application-id", APPLICATION_ID ".Preview",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/dev/sero/Sero",
                      NULL);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), argv[1]);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close",
                                         (const char *[]) { "<Control>w", NULL });

  return g_application_run (G_APPLICATION (app), 1, app_argv);
}
