/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-preview"

#include "config.h"

#include "sero-preview-pane-private.h"
#include "sero-preview-policy.h"
#include "sero-redact.h"

/* The system browser, portal-aware: GtkUriLauncher where GTK has it
 * (4.10), gtk_show_uri_full() on Debian 12's 4.8, which uses the OpenURI
 * portal inside a sandbox and GIO's default handler for the scheme outside
 * one. Either way the desktop decides which browser; Sero never execs one. */

#if GTK_CHECK_VERSION (4, 10, 0)
# if GDK_VERSION_MAX_ALLOWED >= GDK_VERSION_4_10
#  define HAVE_URI_LAUNCHER 1
# endif
#endif

static void
launch_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autofree char *uri = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

#ifdef HAVE_URI_LAUNCHER
  ok = gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (object), result, &error);
#else
  /* The source is the parent window, which may be NULL. */
  ok = gtk_show_uri_full_finish ((GtkWindow *) object, result, &error);
#endif

  if (!ok)
    {
      g_autofree char *clean = sero_redact (uri);

      g_warning ("Could not open %s in the web browser: %s", clean, error->message);
    }
}

void
_sero_preview_launch_in_browser (GtkWidget  *widget,
                                 const char *uri)
{
  GtkRoot *root;
  GtkWindow *parent;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (sero_preview_policy_is_web_url (uri));

  root = gtk_widget_get_root (widget);
  parent = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;

#ifdef HAVE_URI_LAUNCHER
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);

    gtk_uri_launcher_launch (launcher, parent, NULL, launch_cb, g_strdup (uri));
  }
#else
  gtk_show_uri_full (parent, uri, GDK_CURRENT_TIME, NULL, launch_cb, g_strdup (uri));
#endif
}
