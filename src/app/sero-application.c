/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-application"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-application.h"
#include "sero-preferences.h"
#include "sero-window.h"

struct _SeroApplication
{
  AdwApplication       parent_instance;

  SeroPaths           *paths;
  SeroProfileRegistry *profiles;
  SeroWorkspaceRegistry *workspaces;
  SeroRuntimeManager  *runtime_manager;
  SeroDevServerRegistry *dev_servers;
  GError              *startup_error;
  guint                relaunch_requested : 1;
};

G_DEFINE_FINAL_TYPE (SeroApplication, sero_application, ADW_TYPE_APPLICATION)

SeroApplication *
sero_application_new (void)
{
  return g_object_new (SERO_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/dev/sero/Sero",
                       NULL);
}

/* Profiles switch by relaunching, as in the original: the process holds
 * per-profile state everywhere (environment, logs, later runtimes and
 * sessions), and a clean exec is the only switch that cannot leak one
 * profile's state into another. */
static void
sero_application_switch_profile (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  SeroApplication *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *id = g_variant_get_string (parameter, NULL);

  if (g_strcmp0 (id, sero_profile_registry_get_active_id (self->profiles)) == 0)
    return;

  if (!sero_profile_registry_set_active (self->profiles, id, &error))
    {
      g_warning ("Could not switch profile: %s", error->message);
      return;
    }

  g_simple_action_set_state (action, parameter);
  self->relaunch_requested = TRUE;
  g_application_quit (G_APPLICATION (self));
}

static void
sero_application_repair_profiles (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  SeroApplication *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;

  if (!(moved = sero_profile_registry_repair (self->profiles, &error)))
    {
      g_warning ("Could not repair the profile registry: %s", error->message);
      return;
    }

  g_message ("Moved the broken profile registry to %s", moved);
  self->relaunch_requested = TRUE;
  g_application_quit (G_APPLICATION (self));
}

static void
sero_application_about (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  SeroApplication *self = user_data;
  static const char *developers[] = { "The Sero developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", window,
                        "application-name", _("Sero"),
                        "application-icon", "dev.sero.Sero",
                        "developer-name", _("The Sero developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("A workbench for developers who let an AI agent work in their projects"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
sero_application_preferences (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (sero_preferences_new (window));
}

static void
sero_application_quit (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
cleanup_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  sero_runtime_manager_process_cleanup_sync (task_data, cancellable, &error);
  if (error != NULL)
    g_warning ("Container cleanup: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

/* Containers of workspaces removed earlier, retried at every start (the
 * original leaked them: its issue #172). Off the main thread: it talks to
 * the container engine. */
static void
sero_application_process_cleanup (SeroApplication *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_task_set_source_tag (task, sero_application_process_cleanup);
  g_task_set_task_data (task, g_object_ref (self->runtime_manager), g_object_unref);
  g_task_run_in_thread (task, cleanup_thread);
}

static void
sero_application_startup (GApplication *application)
{
  SeroApplication *self = SERO_APPLICATION (application);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSimpleAction) switch_profile = NULL;
  g_autofree char *ui_root = NULL;
  g_autofree char *logs = NULL;
  const char *active_id;
  static const GActionEntry actions[] = {
    { "about", sero_application_about },
    { "preferences", sero_application_preferences },
    { "quit", sero_application_quit },
    { "repair-profiles", sero_application_repair_profiles },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (sero_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);

  ui_root = sero_paths_get_ui_root ();
  self->profiles = sero_profile_registry_new (ui_root);

  /* A broken registry is shown in the window with a repair button; it is
   * never treated as a fresh install. */
  if (!(self->paths = sero_paths_resolve (&self->startup_error)))
    {
      g_warning ("%s", self->startup_error->message);
      self->paths = sero_paths_new_for_home (ui_root, SERO_HOME_SOURCE_FRESH);
    }
  else if (!sero_paths_apply_environment (self->paths, &error))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }

  logs = sero_paths_lookup (self->paths, "logs");
  if (self->startup_error == NULL && !sero_log_init ("app", logs, &error))
    {
      g_warning ("Logging to a file is off: %s", error->message);
      g_clear_error (&error);
    }

  if (self->startup_error == NULL && !sero_profile_registry_load (self->profiles, &error))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }

  /* Workspaces and their runtimes. A workspace registry that cannot be read
   * is reported like the profile registry: shown, never overwritten. */
  self->workspaces = sero_workspace_registry_new (sero_paths_get_home (self->paths));
  if (self->startup_error == NULL && !sero_workspace_registry_load (self->workspaces, &self->startup_error))
    g_warning ("%s", self->startup_error->message);
  self->runtime_manager = sero_runtime_manager_new (self->paths);
  if (self->startup_error == NULL)
    sero_application_process_cleanup (self);

  /* Dev servers started from the command line (or an earlier run) are
   * listed under their workspace. Host servers a crashed window left
   * behind are stopped now; the ones this window starts stop with it. */
  self->dev_servers = sero_dev_server_registry_new_for_paths (self->paths, SERO_DEV_SERVER_REGISTRY_NONE);
  sero_dev_server_registry_set_runtime_manager (self->dev_servers, self->runtime_manager, self->workspaces);
  if (self->startup_error == NULL)
    {
      sero_dev_server_registry_reap_orphans (self->dev_servers);
      if (!sero_dev_server_registry_load (self->dev_servers, &error))
        {
          g_warning ("%s", error->message);
          g_clear_error (&error);
        }
    }

  active_id = sero_profile_registry_get_active_id (self->profiles);
  switch_profile = g_simple_action_new_stateful ("switch-profile", G_VARIANT_TYPE_STRING,
                                                 g_variant_new_string (active_id ? active_id : ""));
  g_signal_connect (switch_profile, "activate", G_CALLBACK (sero_application_switch_profile), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (switch_profile));
}

static void
sero_application_activate (GApplication *application)
{
  SeroApplication *self = SERO_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (sero_window_new (self));

  gtk_window_present (window);
}

static void
sero_application_shutdown (GApplication *application)
{
  SeroApplication *self = SERO_APPLICATION (application);

  if (self->dev_servers != NULL)
    sero_dev_server_registry_shutdown (self->dev_servers);

  G_APPLICATION_CLASS (sero_application_parent_class)->shutdown (application);

  sero_log_shutdown ();
}

static void
sero_application_finalize (GObject *object)
{
  SeroApplication *self = (SeroApplication *) object;

  g_clear_object (&self->paths);
  g_clear_object (&self->profiles);
  g_clear_object (&self->workspaces);
  g_clear_object (&self->runtime_manager);
  g_clear_object (&self->dev_servers);
  g_clear_error (&self->startup_error);

  G_OBJECT_CLASS (sero_application_parent_class)->finalize (object);
}

static void
sero_application_class_init (SeroApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = sero_application_finalize;
  app_class->startup = sero_application_startup;
  app_class->activate = sero_application_activate;
  app_class->shutdown = sero_application_shutdown;
}

static void
sero_application_init (SeroApplication *self)
{
}

SeroPaths *
sero_application_get_paths (SeroApplication *self)
{
  g_return_val_if_fail (SERO_IS_APPLICATION (self), NULL);

  return self->paths;
}

SeroProfileRegistry *
sero_application_get_profiles (SeroApplication *self)
{
  g_return_val_if_fail (SERO_IS_APPLICATION (self), NULL);

  return self->profiles;
}

SeroWorkspaceRegistry *
sero_application_get_workspaces (SeroApplication *self)
{
  g_return_val_if_fail (SERO_IS_APPLICATION (self), NULL);

  return self->workspaces;
}

SeroRuntimeManager *
sero_application_get_runtime_manager (SeroApplication *self)
{
  g_return_val_if_fail (SERO_IS_APPLICATION (self), NULL);

  return self->runtime_manager;
}

SeroDevServerRegistry *
sero_application_get_dev_servers (SeroApplication *self)
{
  g_return_val_if_fail (SERO_IS_APPLICATION (self), NULL);

  return self->dev_servers;
}

const GError *
sero_application_get_startup_error (SeroApplication *self)
{
  g_return_val_if_fail (SERO_IS_APPLICATION (self), NULL);

  return self->startup_error;
}

gboolean
sero_application_get_relaunch_requested (SeroApplication *self)
{
  g_return_val_if_fail (SERO_IS_APPLICATION (self), FALSE);

  return self->relaunch_requested;
}
