/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-preferences.h"

/* Preferences are GSettings keys bound straight to rows. Without the
 * schema (an uninstalled build run by hand) the rows stay visible but
 * insensitive and say why, instead of aborting as g_settings_new() would. */

static GSettings *
lookup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL || !(schema = g_settings_schema_source_lookup (source, "dev.sero.Sero", TRUE)))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

GtkWindow *
sero_preferences_new (GtkWindow *parent)
{
  g_autoptr(GSettings) settings = lookup_settings ();
  AdwPreferencesWindow *window = ADW_PREFERENCES_WINDOW (adw_preferences_window_new ());
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *terminals = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *previews = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *scrollback_row = adw_action_row_new ();
  GtkWidget *scrollback = gtk_spin_button_new_with_range (-1, 1000000, 1000);
  GtkWidget *preview_row = adw_action_row_new ();
  GtkWidget *preview = gtk_switch_new ();

  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);

  adw_preferences_group_set_title (terminals, _("Terminals"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (scrollback_row), _("Scrollback Lines"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (scrollback_row), _("Lines kept in each terminal; −1 keeps everything"));
  gtk_widget_set_valign (scrollback, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (scrollback_row), scrollback);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (scrollback_row), scrollback);
  adw_preferences_group_add (terminals, scrollback_row);

  adw_preferences_group_set_title (previews, _("Previews"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (preview_row), _("Open Previews Automatically"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (preview_row), _("Show a dev server's page when it starts listening"));
  gtk_widget_set_valign (preview, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (preview_row), preview);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (preview_row), preview);
  adw_preferences_group_add (previews, preview_row);

  if (settings != NULL)
    {
      g_settings_bind (settings, "terminal-scrollback-lines", scrollback, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "auto-open-preview", preview, "active", G_SETTINGS_BIND_DEFAULT);
    }
  else
    {
      adw_preferences_group_set_description (terminals, _("Settings are unavailable: the dev.sero.Sero schema is not installed."));
      gtk_widget_set_sensitive (scrollback_row, FALSE);
      gtk_widget_set_sensitive (preview_row, FALSE);
    }

  adw_preferences_page_add (page, terminals);
  adw_preferences_page_add (page, previews);
  adw_preferences_window_add (window, page);

  return GTK_WINDOW (window);
}
