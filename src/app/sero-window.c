/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-window.h"

struct _SeroWindow
{
  AdwApplicationWindow  parent_instance;

  SeroProfileRegistry  *profiles;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *primary_menu_button;
  GtkStack             *stack;
  AdwStatusPage        *welcome_page;
  AdwStatusPage        *broken_page;
};

G_DEFINE_FINAL_TYPE (SeroWindow, sero_window, ADW_TYPE_APPLICATION_WINDOW)


/* The primary menu is rebuilt from the profile registry whenever it
 * changes, so the Profiles submenu is always the registry's truth. */
static void
sero_window_rebuild_menu (SeroWindow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) profiles_section = g_menu_new ();
  g_autoptr(GMenu) profiles_menu = g_menu_new ();
  g_autoptr(GMenu) app_section = g_menu_new ();
  guint n = self->profiles ? g_list_model_get_n_items (G_LIST_MODEL (self->profiles)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SeroProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->profiles), i);
      g_autoptr(GMenuItem) item = g_menu_item_new (sero_profile_get_name (profile), NULL);

      g_menu_item_set_action_and_target_value (item, "app.switch-profile",
                                               g_variant_new_string (sero_profile_get_id (profile)));
      g_menu_append_item (profiles_menu, item);
    }

  if (n > 1)
    {
      g_menu_append_submenu (profiles_section, _("_Profiles"), G_MENU_MODEL (profiles_menu));
      g_menu_append_section (menu, NULL, G_MENU_MODEL (profiles_section));
    }

  g_menu_append (app_section, _("_Keyboard Shortcuts"), "win.show-help-overlay");
  g_menu_append (app_section, _("_About Sero"), "app.about");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (app_section));

  gtk_menu_button_set_menu_model (self->primary_menu_button, G_MENU_MODEL (menu));
}

static void
on_profiles_changed (SeroWindow *self,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GListModel *model)
{
  sero_window_rebuild_menu (self);
}

/* GtkWindow sets its application after construction, so the window is
 * filled from sero_window_new() rather than from constructed(). */
static void
sero_window_load (SeroWindow      *self,
                  SeroApplication *app)
{
  const GError *startup_error;
  SeroProfile *active;

  self->profiles = g_object_ref (sero_application_get_profiles (app));
  g_signal_connect_object (self->profiles, "items-changed",
                           G_CALLBACK (on_profiles_changed), self, G_CONNECT_SWAPPED);
  sero_window_rebuild_menu (self);

  startup_error = sero_application_get_startup_error (app);
  if (startup_error != NULL)
    {
      g_autofree char *description =
        g_strdup_printf (_("%s\n\nSero will not overwrite it. Moving it aside keeps a copy next to it, "
                           "and profile folders on disk can be added back afterwards."),
                         startup_error->message);

      adw_status_page_set_description (self->broken_page, description);
      gtk_stack_set_visible_child_name (self->stack, "broken-registry");
      return;
    }

  active = sero_profile_registry_get_active (self->profiles);
  if (active != NULL)
    adw_window_title_set_subtitle (self->window_title, sero_profile_get_name (active));

  {
    g_autofree char *description =
      g_strdup_printf (_("This profile keeps its state in %s.\nWorkspaces, terminals and agent sessions will appear here."),
                       sero_paths_get_home (sero_application_get_paths (app)));

    adw_status_page_set_description (self->welcome_page, description);
  }
}

static void
sero_window_dispose (GObject *object)
{
  SeroWindow *self = (SeroWindow *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), SERO_TYPE_WINDOW);
  g_clear_object (&self->profiles);

  G_OBJECT_CLASS (sero_window_parent_class)->dispose (object);
}

static void
sero_window_class_init (SeroWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sero_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/sero/Sero/sero-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, broken_page);
}

static void
sero_window_init (SeroWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

SeroWindow *
sero_window_new (SeroApplication *application)
{
  SeroWindow *self;

  g_return_val_if_fail (SERO_IS_APPLICATION (application), NULL);

  self = g_object_new (SERO_TYPE_WINDOW,
                       "application", application,
                       NULL);
  sero_window_load (self, application);

  return self;
}
