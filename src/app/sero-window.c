/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-model-registry.h"
#include "sero-session-file.h"
#include "sero-session-view.h"
#include "sero-terminal.h"
#include "sero-window.h"
#include "sero-workspace-tree.h"

/* The main window: the workspace tree in a sidebar, and terminals in tabs
 * beside it. The content sits in its own GtkPaned whose end side holds the
 * agent session pane: one SeroSessionView per opened session, in a stack,
 * shown beside the terminals when a session is opened from the tree. The
 * window comes back as it was: size, sidebar width, active workspace and
 * the open terminals are kept in layout.json. */

struct _SeroWindow
{
  AdwApplicationWindow   parent_instance;

  SeroApplication       *app;
  SeroProfileRegistry   *profiles;
  SeroWorkspaceRegistry *workspaces;
  SeroRuntimeManager    *manager;
  SeroLayout            *layout;
  SeroWorkspaceTree     *tree;
  GHashTable            *watched_runtimes;  /* SeroRuntime → TRUE */
  SeroModelRegistry     *models;
  char                  *sessions_dir;
  GCancellable          *cancellable;
  gboolean               restoring;
  gboolean               closing;

  AdwToastOverlay       *toast_overlay;
  GtkStack              *main_stack;
  GtkPaned              *sidebar_paned;
  GtkBox                *sidebar;
  GtkPaned              *content_paned;
  GtkWidget             *content_header;
  GtkWidget             *session_pane;
  GtkStack              *session_stack;
  AdwWindowTitle        *session_title;
  AdwWindowTitle        *window_title;
  AdwWindowTitle        *content_title;
  GtkMenuButton         *primary_menu_button;
  GMenu                 *profiles_section;
  GtkStack              *content_stack;
  AdwTabView            *tab_view;
  AdwStatusPage         *broken_page;
  GtkWidget             *repair_button;
};

G_DEFINE_FINAL_TYPE (SeroWindow, sero_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_error_toast (SeroWindow *self,
                  const char *title,
                  const char *details);

/* The primary menu's Profiles section follows the profile registry. */
static void
sero_window_rebuild_profiles_menu (SeroWindow *self)
{
  g_autoptr(GMenu) profiles_menu = g_menu_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->profiles));

  g_menu_remove_all (self->profiles_section);
  if (n < 2)
    return;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SeroProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->profiles), i);
      g_autoptr(GMenuItem) item = g_menu_item_new (sero_profile_get_name (profile), NULL);

      g_menu_item_set_action_and_target_value (item, "app.switch-profile",
                                               g_variant_new_string (sero_profile_get_id (profile)));
      g_menu_append_item (profiles_menu, item);
    }

  g_menu_append_submenu (self->profiles_section, _("_Profiles"), G_MENU_MODEL (profiles_menu));
}

static SeroWorkspace *
active_workspace (SeroWindow *self)
{
  SeroWorkspace *workspace = sero_workspace_tree_get_selected_workspace (self->tree);
  const char *id;

  if (workspace != NULL)
    return workspace;

  id = sero_layout_get_active_workspace (self->layout);
  if (id != NULL && (workspace = sero_workspace_registry_lookup (self->workspaces, id)))
    return workspace;

  return sero_workspace_registry_lookup (self->workspaces, SERO_WORKSPACE_GLOBAL_ID);
}

static guint
count_user_workspaces (SeroWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->workspaces));

  return sero_workspace_registry_lookup (self->workspaces, SERO_WORKSPACE_GLOBAL_ID) ? n - 1 : n;
}

static void
update_content (SeroWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);
  SeroWorkspace *workspace = page ? g_object_get_data (G_OBJECT (page), "sero-workspace") : NULL;

  /* The title names what the content shows: the selected terminal's
   * workspace, else the workspace selected in the tree. */
  if (workspace == NULL)
    workspace = active_workspace (self);

  if (adw_tab_view_get_n_pages (self->tab_view) > 0)
    gtk_stack_set_visible_child_name (self->content_stack, "tabs");
  else if (count_user_workspaces (self) == 0)
    gtk_stack_set_visible_child_name (self->content_stack, "welcome");
  else
    gtk_stack_set_visible_child_name (self->content_stack, "no-terminals");

  adw_window_title_set_title (self->content_title, workspace ? sero_workspace_get_name (workspace) : "");
  adw_window_title_set_subtitle (self->content_title, workspace ? sero_workspace_get_path (workspace) : "");
}

static void
save_tabs (SeroWindow *self)
{
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;
  int n = adw_tab_view_get_n_pages (self->tab_view);
  AdwTabPage *selected = adw_tab_view_get_selected_page (self->tab_view);

  /* While closing, pages go away one by one: that is not a layout to keep. */
  if (self->restoring || self->closing)
    return;

  for (int i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);
      SeroWorkspace *workspace = g_object_get_data (G_OBJECT (page), "sero-workspace");

      if (workspace != NULL)
        g_strv_builder_add (ids, sero_workspace_get_id (workspace));
    }

  list = g_strv_builder_end (ids);
  sero_layout_set_terminal_tabs (self->layout, (const char * const *) list,
                                 selected ? adw_tab_view_get_page_position (self->tab_view, selected) : -1);
}

static void
on_runtime_notify (SeroWindow  *self,
                   GParamSpec  *pspec,
                   SeroRuntime *runtime)
{
  SeroWorkspace *workspace = sero_runtime_get_workspace (runtime);

  if (g_str_equal (pspec->name, "recreate-deferred") && sero_runtime_get_recreate_deferred (runtime))
    {
      g_autofree char *title = g_strdup_printf (_("Changes to “%s” apply when its last terminal closes"),
                                                sero_workspace_get_name (workspace));
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
    }
  else if (g_str_equal (pspec->name, "status") && sero_runtime_get_status (runtime) == SERO_RUNTIME_STATUS_ERROR)
    {
      g_autofree char *title = g_strdup_printf (_("The container of “%s” failed"), sero_workspace_get_name (workspace));
      g_autofree char *message = sero_runtime_dup_status_message (runtime);

      show_error_toast (self, title, message);
    }
}

static void
watch_runtime (SeroWindow    *self,
               SeroWorkspace *workspace)
{
  SeroRuntime *runtime = sero_runtime_manager_get_runtime (self->manager, workspace);

  if (g_hash_table_contains (self->watched_runtimes, runtime))
    return;

  g_hash_table_add (self->watched_runtimes, g_object_ref (runtime));
  g_signal_connect_object (runtime, "notify::recreate-deferred", G_CALLBACK (on_runtime_notify), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (runtime, "notify::status", G_CALLBACK (on_runtime_notify), self, G_CONNECT_SWAPPED);
}

static void
on_details_clicked (AdwToast   *toast,
                    SeroWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                              g_object_get_data (G_OBJECT (toast), "sero-title"),
                                              g_object_get_data (G_OBJECT (toast), "sero-details"));

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_error_toast (SeroWindow *self,
                  const char *title,
                  const char *details)
{
  AdwToast *toast = adw_toast_new (title);

  if (details != NULL)
    {
      adw_toast_set_button_label (toast, _("_Details"));
      g_object_set_data_full (G_OBJECT (toast), "sero-title", g_strdup (title), g_free);
      g_object_set_data_full (G_OBJECT (toast), "sero-details", g_strdup (details), g_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_details_clicked), self, 0);
    }
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_terminal_title (SeroTerminal *terminal,
                   GParamSpec   *pspec,
                   AdwTabPage   *page)
{
  adw_tab_page_set_title (page, sero_terminal_get_title (terminal) ? sero_terminal_get_title (terminal) : "");
}

/* The tab says where its shell runs: a container, or this computer. */
static void
on_terminal_runtime (SeroTerminal *terminal,
                     GParamSpec   *pspec,
                     AdwTabPage   *page)
{
  gboolean container = sero_terminal_get_is_container (terminal);
  g_autoptr(GIcon) icon = g_themed_icon_new (container ? "network-server-symbolic" : "computer-symbolic");

  adw_tab_page_set_icon (page, icon);
}

static void
on_terminal_fallback (SeroWindow   *self,
                      GParamSpec   *pspec,
                      SeroTerminal *terminal)
{
  const char *reason = sero_terminal_get_fallback_reason (terminal);
  g_autofree char *title = NULL;

  if (reason == NULL)
    return;

  title = g_strdup_printf (_("“%s” runs on the host"), sero_workspace_get_name (sero_terminal_get_workspace (terminal)));
  show_error_toast (self, title, reason);
}

/**
 * sero_window_open_terminal:
 *
 * Opens a terminal tab in @workspace's runtime and lists it under the
 * workspace in the tree.
 */
SeroTerminal *
sero_window_open_terminal (SeroWindow    *self,
                           SeroWorkspace *workspace)
{
  SeroTerminal *terminal;
  AdwTabPage *page;

  g_return_val_if_fail (SERO_IS_WINDOW (self), NULL);
  g_return_val_if_fail (SERO_IS_WORKSPACE (workspace), NULL);

  watch_runtime (self, workspace);

  terminal = sero_terminal_new (self->manager, workspace);
  page = adw_tab_view_append (self->tab_view, GTK_WIDGET (terminal));
  g_object_set_data_full (G_OBJECT (page), "sero-workspace", g_object_ref (workspace), g_object_unref);
  adw_tab_page_set_title (page, sero_workspace_get_name (workspace));
  adw_tab_page_set_tooltip (page, sero_workspace_get_path (workspace));
  on_terminal_runtime (terminal, NULL, page);
  g_signal_connect_object (terminal, "notify::title", G_CALLBACK (on_terminal_title), page, 0);
  g_signal_connect_object (terminal, "notify::is-container", G_CALLBACK (on_terminal_runtime), page, 0);
  g_signal_connect_object (terminal, "notify::fallback-reason", G_CALLBACK (on_terminal_fallback), self, G_CONNECT_SWAPPED);

  g_list_store_append (sero_workspace_tree_get_children (self->tree, workspace), terminal);

  adw_tab_view_set_selected_page (self->tab_view, page);
  sero_terminal_start (terminal);
  gtk_widget_grab_focus (GTK_WIDGET (terminal));

  update_content (self);
  save_tabs (self);

  return terminal;
}

static void
remove_from_tree (SeroWindow *self,
                  GtkWidget  *child,
                  SeroWorkspace *workspace)
{
  GListStore *store = sero_workspace_tree_get_children (self->tree, workspace);
  guint position;

  if (g_list_store_find (store, child, &position))
    g_list_store_remove (store, position);
}

static void
on_page_detached (SeroWindow *self,
                  AdwTabPage *page,
                  int         position,
                  AdwTabView *view)
{
  SeroWorkspace *workspace = g_object_get_data (G_OBJECT (page), "sero-workspace");

  if (self->closing)
    return;

  if (workspace != NULL)
    remove_from_tree (self, adw_tab_page_get_child (page), workspace);

  update_content (self);
  save_tabs (self);
}

static void
close_terminals_of (SeroWindow    *self,
                    SeroWorkspace *workspace)
{
  for (int i = adw_tab_view_get_n_pages (self->tab_view) - 1; i >= 0; i--)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);

      if (g_object_get_data (G_OBJECT (page), "sero-workspace") == (gpointer) workspace)
        adw_tab_view_close_page (self->tab_view, page);
    }
}

static guint
count_terminals_of (SeroWindow    *self,
                    SeroWorkspace *workspace)
{
  GListModel *children = G_LIST_MODEL (sero_workspace_tree_get_children (self->tree, workspace));
  guint terminals = 0;

  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(GObject) child = g_list_model_get_item (children, i);

      terminals += SERO_IS_TERMINAL (child);
    }

  return terminals;
}

static SeroWorkspace *
workspace_from_param (SeroWindow *self,
                      GVariant   *param)
{
  const char *id = param ? g_variant_get_string (param, NULL) : NULL;
  SeroWorkspace *workspace = id ? sero_workspace_registry_lookup (self->workspaces, id) : active_workspace (self);

  return workspace;
}

static void
new_terminal_in_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);
  SeroWorkspace *workspace = workspace_from_param (self, param);

  if (workspace != NULL)
    sero_window_open_terminal (self, workspace);
}

static void
close_tab_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page != NULL)
    adw_tab_view_close_page (self->tab_view, page);
}

static void
on_folder_chosen (GtkNativeDialog *dialog,
                  int              response,
                  SeroWindow      *self)
{
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  SeroWorkspace *workspace;

  if (response == GTK_RESPONSE_ACCEPT &&
      (folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) &&
      (path = g_file_get_path (folder)))
    {
      if (!(workspace = sero_workspace_registry_add (self->workspaces, path, NULL, NULL, &error)))
        show_error_toast (self, _("Could not add the workspace"), error->message);
      else
        {
          sero_workspace_tree_select_workspace (self->tree, workspace);
          sero_layout_set_active_workspace (self->layout, sero_workspace_get_id (workspace));
          update_content (self);
        }
    }

  g_object_unref (dialog);
}

static void
add_workspace_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Add Workspace"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_folder_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const char       *response,
                    SeroWindow       *self)
{
  SeroWorkspace *workspace = g_object_get_data (G_OBJECT (dialog), "sero-workspace");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "sero-entry");
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "rename") || name[0] == '\0')
    return;

  sero_workspace_set_name (workspace, name);
  if (!sero_workspace_save_config (workspace, &error))
    show_error_toast (self, _("Could not rename the workspace"), error->message);
  update_content (self);
}

static void
rename_workspace_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);
  SeroWorkspace *workspace = workspace_from_param (self, param);
  GtkWidget *dialog, *entry;

  if (workspace == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Rename Workspace"), sero_workspace_get_path (workspace));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), sero_workspace_get_name (workspace));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Workspace name"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  g_object_set_data_full (G_OBJECT (dialog), "sero-workspace", g_object_ref (workspace), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "sero-entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
cleanup_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  sero_runtime_manager_process_cleanup_sync (task_data, cancellable, NULL);
  g_task_return_boolean (task, TRUE);
}

/* Close: out of the sidebar (and the registry), files untouched. Its
 * container goes through the durable removal queue. */
static void
close_workspace (SeroWindow    *self,
                 SeroWorkspace *workspace)
{
  g_autoptr(SeroWorkspace) hold = g_object_ref (workspace);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  close_terminals_of (self, workspace);
  if (!sero_workspace_registry_remove (self->workspaces, sero_workspace_get_id (workspace), &error))
    {
      show_error_toast (self, _("Could not close the workspace"), error->message);
      return;
    }

  if (sero_workspace_get_backend (workspace) != SERO_RUNTIME_BACKEND_HOST)
    {
      g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

      sero_runtime_manager_forget (self->manager, workspace);
      if (sero_runtime_manager_queue_removal (self->manager, "docker", sero_workspace_get_id (workspace),
                                              sero_workspace_get_path (workspace), &error))
        {
          g_task_set_task_data (task, g_object_ref (self->manager), g_object_unref);
          g_task_run_in_thread (task, cleanup_thread);
        }
      else
        g_warning ("%s", error->message);
    }

  title = g_strdup_printf (_("Closed “%s”; its folder is untouched"), sero_workspace_get_name (workspace));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
  update_content (self);
}

static void
close_workspace_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);
  SeroWorkspace *workspace = workspace_from_param (self, param);

  if (workspace != NULL && !g_str_equal (sero_workspace_get_id (workspace), SERO_WORKSPACE_GLOBAL_ID))
    close_workspace (self, workspace);
}

static gboolean
is_same_or_ancestor (const char *candidate,
                     const char *path)
{
  gsize len = strlen (candidate);

  return g_str_equal (candidate, path) ||
         g_str_equal (candidate, "/") ||
         (g_str_has_prefix (path, candidate) && path[len] == '/');
}

/**
 * sero_window_can_delete_folder:
 *
 * Deleting a workspace erases its folder, so it is refused for `/`, the
 * home folder, SERO_HOME and any folder holding one of them.
 */
gboolean
sero_window_can_delete_folder (SeroWindow *self,
                               const char *path,
                               GError    **error)
{
  g_autofree char *home = g_canonicalize_filename (sero_paths_get_user_home (), NULL);
  const char *sero_home = sero_paths_get_home (sero_application_get_paths (self->app));

  if (!g_path_is_absolute (path) || is_same_or_ancestor (path, home) || is_same_or_ancestor (path, sero_home))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("Sero will not delete %s: it is or contains your home folder or Sero's own state"), path);
      return FALSE;
    }

  return TRUE;
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_autoptr(GFile) folder = g_file_new_for_path (task_data);
  g_autoptr(GError) error = NULL;

  if (sero_file_delete_tree (folder, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
on_deleted (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SeroWindow *self = SERO_WINDOW (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    show_error_toast (self, _("The folder could not be deleted completely"), error->message);
}

static void
on_delete_confirmed (AdwMessageDialog *dialog,
                     const char       *response,
                     SeroWindow       *self)
{
  SeroWorkspace *workspace = g_object_get_data (G_OBJECT (dialog), "sero-workspace");
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  if (!g_str_equal (response, "delete"))
    return;

  path = g_strdup (sero_workspace_get_path (workspace));
  close_workspace (self, workspace);

  task = g_task_new (self, NULL, on_deleted, NULL);
  g_task_set_task_data (task, g_steal_pointer (&path), g_free);
  g_task_run_in_thread (task, delete_thread);
}

static void
confirm_delete (SeroWindow    *self,
                SeroWorkspace *workspace)
{
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("The folder %s and everything in it will be erased from disk. This cannot be undone."),
                          sero_workspace_get_path (workspace));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete This Workspace?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete Permanently"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "sero-workspace", g_object_ref (workspace), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_close_or_delete (AdwMessageDialog *dialog,
                    const char       *response,
                    SeroWindow       *self)
{
  SeroWorkspace *workspace = g_object_get_data (G_OBJECT (dialog), "sero-workspace");

  if (g_str_equal (response, "close"))
    close_workspace (self, workspace);
  else if (g_str_equal (response, "delete"))
    confirm_delete (self, workspace);
}

/* Two steps, as in the original: close or delete, then a confirmation
 * that shows the absolute path about to be erased. */
static void
delete_workspace_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);
  SeroWorkspace *workspace = workspace_from_param (self, param);
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  if (workspace == NULL || g_str_equal (sero_workspace_get_id (workspace), SERO_WORKSPACE_GLOBAL_ID))
    return;

  if (!sero_window_can_delete_folder (self, sero_workspace_get_path (workspace), &error))
    {
      show_error_toast (self, _("This folder cannot be deleted"), error->message);
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Close or Delete Workspace?"),
                                   _("Close removes it from the sidebar. Delete permanently erases the folder from disk."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "close", _("C_lose"), "delete", _("_Delete…"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "sero-workspace", g_object_ref (workspace), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_or_delete), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_destroyed_old_runtime (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sero_runtime_destroy_finish (SERO_RUNTIME (object), result, &error))
    g_message ("The previous container was kept: %s", error->message);
}

/**
 * sero_window_apply_runtime:
 *
 * Switches @workspace to @backend: persists runtime.backend, closes its
 * terminals (they belong to the old runtime) and removes the old container.
 */
void
sero_window_apply_runtime (SeroWindow         *self,
                           SeroWorkspace      *workspace,
                           SeroRuntimeBackend  backend)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroRuntime) old_runtime = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (SERO_IS_WINDOW (self));

  old_runtime = g_object_ref (sero_runtime_manager_get_runtime (self->manager, workspace));
  if (!sero_workspace_registry_set_backend (self->workspaces, sero_workspace_get_id (workspace), backend, &error))
    {
      show_error_toast (self, _("Could not change the runtime"), error->message);
      return;
    }

  close_terminals_of (self, workspace);
  sero_runtime_manager_forget (self->manager, workspace);
  if (sero_runtime_is_container (old_runtime))
    sero_runtime_destroy_async (old_runtime, NULL, on_destroyed_old_runtime, NULL);

  title = g_strdup_printf (_("“%s” now runs on %s"), sero_workspace_get_name (workspace),
                           backend == SERO_RUNTIME_BACKEND_HOST ? _("the host") : _("a container"));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static void
on_switch_confirmed (AdwMessageDialog *dialog,
                     const char       *response,
                     SeroWindow       *self)
{
  if (g_str_equal (response, "switch"))
    sero_window_apply_runtime (self, g_object_get_data (G_OBJECT (dialog), "sero-workspace"),
                               GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "sero-backend")));
}

static void
on_runtime_selected (SeroWindow    *self,
                     SeroWorkspace *workspace,
                     int            backend,
                     SeroWorkspaceTree *tree)
{
  guint terminals = count_terminals_of (self, workspace);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (terminals == 0)
    {
      sero_window_apply_runtime (self, workspace, backend);
      return;
    }

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u terminal of “%s” is open and will be closed.",
                                       "%u terminals of “%s” are open and will be closed.", terminals),
                          terminals, sero_workspace_get_name (workspace));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Switch Runtime?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "switch", _("_Switch and Close Terminals"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "switch", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "sero-workspace", g_object_ref (workspace), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "sero-backend", GINT_TO_POINTER (backend));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_switch_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
pick_runtime_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);
  SeroWorkspace *workspace = workspace_from_param (self, param);
  GtkListView *list = sero_workspace_tree_get_list_view (self->tree);

  if (workspace == NULL)
    return;

  /* Find the row of the workspace and open its picker. */
  sero_workspace_tree_select_workspace (self->tree, workspace);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *expander = gtk_widget_get_first_child (child);
      GtkWidget *row = expander && GTK_IS_TREE_EXPANDER (expander) ? gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander)) : NULL;

      if (row != NULL && SERO_IS_WORKSPACE_ROW (row) &&
          sero_workspace_row_get_item (SERO_WORKSPACE_ROW (row)) == G_OBJECT (workspace))
        {
          sero_workspace_row_popup_runtime_picker (SERO_WORKSPACE_ROW (row));
          return;
        }
    }
}

static void
on_workspace_activated (SeroWindow        *self,
                        SeroWorkspace     *workspace,
                        SeroWorkspaceTree *tree)
{
  sero_layout_set_active_workspace (self->layout, sero_workspace_get_id (workspace));
  update_content (self);
}

static void
on_selected_workspace (SeroWindow        *self,
                       GParamSpec        *pspec,
                       SeroWorkspaceTree *tree)
{
  SeroWorkspace *workspace = sero_workspace_tree_get_selected_workspace (tree);

  if (workspace != NULL && !self->restoring)
    sero_layout_set_active_workspace (self->layout, sero_workspace_get_id (workspace));
  update_content (self);
}

static void
update_session_title (SeroWindow *self)
{
  GtkWidget *view = gtk_stack_get_visible_child (self->session_stack);
  SeroSession *session = view ? sero_session_view_get_session (SERO_SESSION_VIEW (view)) : NULL;
  SeroWorkspace *workspace = session ? g_object_get_data (G_OBJECT (session), "sero-workspace") : NULL;
  const char *title = session ? sero_session_get_title (session) : NULL;

  adw_window_title_set_title (self->session_title, title ? title : _("New Session"));
  adw_window_title_set_subtitle (self->session_title, workspace ? sero_workspace_get_name (workspace) : "");
}

/**
 * sero_window_open_session:
 *
 * Shows @session's view in the pane beside the terminals, creating the
 * view the first time.
 *
 * Returns: (transfer none): the view
 */
SeroSessionView *
sero_window_open_session (SeroWindow  *self,
                          SeroSession *session)
{
  const char *id;
  GtkWidget *view;

  g_return_val_if_fail (SERO_IS_WINDOW (self), NULL);
  g_return_val_if_fail (SERO_IS_SESSION (session), NULL);

  id = sero_session_get_id (session);
  view = gtk_stack_get_child_by_name (self->session_stack, id);
  if (view == NULL)
    {
      view = sero_session_view_new (session, self->models);
      gtk_stack_add_named (self->session_stack, view, id);
      g_signal_connect_object (session, "notify::title", G_CALLBACK (update_session_title), self, G_CONNECT_SWAPPED);
    }

  gtk_stack_set_visible_child (self->session_stack, view);
  if (!gtk_widget_get_visible (self->session_pane))
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self->content_paned));

      gtk_widget_set_visible (self->session_pane, TRUE);
      /* Terminals and chat share the content evenly at first. */
      if (width > 0)
        gtk_paned_set_position (self->content_paned, width / 2);
    }

  update_session_title (self);
  gtk_widget_grab_focus (view);

  return SERO_SESSION_VIEW (view);
}

static SeroSession *
add_session (SeroWindow      *self,
             SeroWorkspace   *workspace,
             SeroSessionFile *file)
{
  SeroRuntime *runtime = sero_runtime_manager_get_runtime (self->manager, workspace);
  g_autoptr(SeroSession) session = sero_session_new (file, runtime, self->models);

  /* The window is there to answer the gate's and the agent's questions. */
  sero_session_set_interactive (session, TRUE);
  g_object_set_data_full (G_OBJECT (session), "sero-workspace", g_object_ref (workspace), g_object_unref);
  g_list_store_append (sero_workspace_tree_get_children (self->tree, workspace), session);

  return session;
}

/**
 * sero_window_new_session:
 *
 * Starts a new agent session in @workspace, lists it in the tree and
 * opens it.
 *
 * Returns: (transfer none): the session, or %NULL with @error set
 */
SeroSession *
sero_window_new_session (SeroWindow     *self,
                         SeroWorkspace  *workspace,
                         GError        **error)
{
  g_autoptr(SeroSessionFile) file = NULL;
  SeroSession *session;

  g_return_val_if_fail (SERO_IS_WINDOW (self), NULL);
  g_return_val_if_fail (SERO_IS_WORKSPACE (workspace), NULL);

  file = sero_session_file_create (self->sessions_dir, sero_workspace_get_path (workspace), error);
  if (file == NULL)
    return NULL;

  session = add_session (self, workspace, file);
  sero_workspace_tree_select_workspace (self->tree, workspace);
  sero_window_open_session (self, session);
  return session;
}

static void
new_session_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);
  SeroWorkspace *workspace = workspace_from_param (self, param);
  g_autoptr(GError) error = NULL;

  if (workspace != NULL && sero_window_new_session (self, workspace, &error) == NULL)
    show_error_toast (self, _("Could not start a session"), error->message);
}

static void
close_session_pane_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  SeroWindow *self = SERO_WINDOW (widget);

  gtk_widget_set_visible (self->session_pane, FALSE);
}

static void
list_sessions_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_task_return_pointer (task, sero_session_list (task_data, NULL, NULL), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_sessions_listed (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GPtrArray) files = g_task_propagate_pointer (G_TASK (result), NULL);
  SeroWindow *self;
  guint n;

  if (files == NULL || g_task_had_error (G_TASK (result)))
    return;

  self = SERO_WINDOW (object);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->workspaces));

  /* Sessions belong to the workspace whose folder they ran in. */
  for (guint i = 0; i < files->len; i++)
    {
      SeroSessionFile *file = g_ptr_array_index (files, i);

      for (guint j = 0; j < n; j++)
        {
          g_autoptr(SeroWorkspace) workspace = g_list_model_get_item (G_LIST_MODEL (self->workspaces), j);

          if (g_strcmp0 (sero_session_file_get_cwd (file), sero_workspace_get_path (workspace)) == 0)
            {
              add_session (self, workspace, file);
              break;
            }
        }
    }
}

/* Reading every session file is disk work: off the main thread. */
static void
load_sessions (SeroWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_sessions_listed, NULL);

  g_task_set_source_tag (task, load_sessions);
  g_task_set_task_data (task, g_strdup (self->sessions_dir), g_free);
  g_task_set_check_cancellable (task, TRUE);
  g_task_run_in_thread (task, list_sessions_thread);
}

/* Keys may have been added in Preferences meanwhile. */
static void
on_active_changed (SeroWindow *self)
{
  GtkWidget *view = gtk_stack_get_visible_child (self->session_stack);

  if (!gtk_window_is_active (GTK_WINDOW (self)) || view == NULL || !gtk_widget_get_visible (self->session_pane))
    return;

  sero_model_registry_load (self->models, NULL);
  sero_session_view_reload_models (SERO_SESSION_VIEW (view));
}

static void
on_child_activated (SeroWindow        *self,
                    GObject           *item,
                    SeroWorkspaceTree *tree)
{
  AdwTabPage *page;

  if (SERO_IS_SESSION (item))
    sero_window_open_session (self, SERO_SESSION (item));
  else if (GTK_IS_WIDGET (item) && (page = adw_tab_view_get_page (self->tab_view, GTK_WIDGET (item))))
    {
      adw_tab_view_set_selected_page (self->tab_view, page);
      gtk_widget_grab_focus (GTK_WIDGET (item));
    }
}

static void
on_window_size (SeroWindow *self)
{
  int width, height;

  if (self->restoring)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  sero_layout_set_window_size (self->layout, width, height, gtk_window_is_maximized (GTK_WINDOW (self)));
}

static void
on_sidebar_position (SeroWindow *self)
{
  if (!self->restoring)
    sero_layout_set_sidebar_width (self->layout, gtk_paned_get_position (self->sidebar_paned));
}

static void
on_workspaces_changed (SeroWindow *self)
{
  update_content (self);
}

static void
on_dev_server_registered (SeroWindow            *self,
                          SeroDevServer         *server,
                          SeroDevServerRegistry *registry)
{
  SeroWorkspace *workspace = sero_workspace_registry_lookup (self->workspaces, sero_dev_server_get_workspace_id (server));

  if (workspace != NULL)
    g_list_store_append (sero_workspace_tree_get_children (self->tree, workspace), server);
}

static void
on_dev_server_unregistered (SeroWindow            *self,
                            const char            *id,
                            SeroDevServerRegistry *registry)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->workspaces));

  /* The server object is gone from the registry; find it by id in the tree. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SeroWorkspace) workspace = g_list_model_get_item (G_LIST_MODEL (self->workspaces), i);
      GListStore *children = sero_workspace_tree_get_children (self->tree, workspace);

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (children)); j++)
        {
          g_autoptr(GObject) child = g_list_model_get_item (G_LIST_MODEL (children), j);

          if (SERO_IS_DEV_SERVER (child) && g_str_equal (sero_dev_server_get_id (SERO_DEV_SERVER (child)), id))
            {
              g_list_store_remove (children, j);
              return;
            }
        }
    }
}

/* The workspace tree lists each workspace's dev servers after its terminals. */
static void
show_dev_servers (SeroWindow *self)
{
  SeroDevServerRegistry *registry = sero_application_get_dev_servers (self->app);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (registry));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SeroDevServer) server = g_list_model_get_item (G_LIST_MODEL (registry), i);

      on_dev_server_registered (self, server, registry);
    }

  g_signal_connect_object (registry, "registered", G_CALLBACK (on_dev_server_registered), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (registry, "unregistered", G_CALLBACK (on_dev_server_unregistered), self, G_CONNECT_SWAPPED);
}

/* Size, sidebar, active workspace, then the terminals: each saved tab
 * respawns in its workspace's runtime if that workspace still exists. */
static void
restore_layout (SeroWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tabs = NULL;
  int width, height, sidebar, active_tab;
  gboolean maximized;
  const char *active;
  SeroWorkspace *workspace;

  if (!sero_layout_load (self->layout, &error))
    show_error_toast (self, _("The saved window layout could not be read"), error->message);

  self->restoring = TRUE;

  sero_layout_get_window_size (self->layout, &width, &height, &maximized);
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (maximized)
    gtk_window_maximize (GTK_WINDOW (self));

  sidebar = sero_layout_get_sidebar_width (self->layout);
  if (sidebar > 0)
    gtk_paned_set_position (self->sidebar_paned, sidebar);

  active = sero_layout_get_active_workspace (self->layout);
  if (active != NULL && (workspace = sero_workspace_registry_lookup (self->workspaces, active)))
    sero_workspace_tree_select_workspace (self->tree, workspace);

  tabs = sero_layout_dup_terminal_tabs (self->layout);
  active_tab = sero_layout_get_active_tab (self->layout);
  for (guint i = 0; tabs[i]; i++)
    if ((workspace = sero_workspace_registry_lookup (self->workspaces, tabs[i])))
      sero_window_open_terminal (self, workspace);

  if (active_tab >= 0 && active_tab < adw_tab_view_get_n_pages (self->tab_view))
    adw_tab_view_set_selected_page (self->tab_view, adw_tab_view_get_nth_page (self->tab_view, active_tab));

  self->restoring = FALSE;
  save_tabs (self);
  update_content (self);
}

/* GtkWindow sets its application after construction, so the window is
 * filled from sero_window_new() rather than from constructed(). */
static void
sero_window_load (SeroWindow      *self,
                  SeroApplication *app)
{
  const GError *startup_error;
  SeroProfile *active;
  g_autofree char *layout_path = NULL;

  self->app = app;
  self->profiles = g_object_ref (sero_application_get_profiles (app));
  g_signal_connect_object (self->profiles, "items-changed",
                           G_CALLBACK (sero_window_rebuild_profiles_menu), self, G_CONNECT_SWAPPED);
  sero_window_rebuild_profiles_menu (self);

  startup_error = sero_application_get_startup_error (app);
  if (startup_error != NULL)
    {
      g_autofree char *description =
        g_strdup_printf (_("%s\n\nSero will not overwrite it."), startup_error->message);

      adw_status_page_set_description (self->broken_page, description);
      /* Only the profile list has an automatic repair; another file names
       * itself in the message for the person to fix or remove. */
      gtk_widget_set_visible (self->repair_button, startup_error->domain == SERO_PROFILE_ERROR);
      gtk_stack_set_visible_child_name (self->main_stack, "broken");
      return;
    }

  active = sero_profile_registry_get_active (self->profiles);
  if (active != NULL)
    adw_window_title_set_subtitle (self->window_title, sero_profile_get_name (active));

  self->workspaces = g_object_ref (sero_application_get_workspaces (app));
  self->manager = g_object_ref (sero_application_get_runtime_manager (app));
  layout_path = sero_paths_lookup (sero_application_get_paths (app), "layout");
  self->layout = sero_layout_new (layout_path);

  /* One model registry for the window's sessions; a broken auth.json or
   * models.json is said once here, and each session view then offers
   * Preferences because no model is usable. */
  self->models = sero_model_registry_new (sero_paths_get_agent_dir (sero_application_get_paths (app)));
  {
    g_autoptr(GError) error = NULL;

    if (!sero_model_registry_load (self->models, &error))
      show_error_toast (self, _("The model settings could not be read"), error->message);
  }
  self->sessions_dir = sero_paths_lookup (sero_application_get_paths (app), "sessions");

  self->tree = SERO_WORKSPACE_TREE (sero_workspace_tree_new (self->workspaces, self->manager));
  gtk_widget_set_vexpand (GTK_WIDGET (self->tree), TRUE);
  gtk_box_append (self->sidebar, GTK_WIDGET (self->tree));
  g_signal_connect_object (self->tree, "workspace-activated", G_CALLBACK (on_workspace_activated), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tree, "child-activated", G_CALLBACK (on_child_activated), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tree, "runtime-selected", G_CALLBACK (on_runtime_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tree, "notify::selected-workspace", G_CALLBACK (on_selected_workspace), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workspaces, "items-changed", G_CALLBACK (on_workspaces_changed), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->tab_view, "page-detached", G_CALLBACK (on_page_detached), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "page-reordered", G_CALLBACK (save_tabs), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "notify::selected-page", G_CALLBACK (save_tabs), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "notify::selected-page", G_CALLBACK (update_content), self, G_CONNECT_SWAPPED);

  show_dev_servers (self);
  restore_layout (self);
  load_sessions (self);

  g_object_bind_property (self->session_pane, "visible", self->content_header, "show-end-title-buttons",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_signal_connect_object (self, "notify::is-active", G_CALLBACK (on_active_changed), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self, "notify::default-width", G_CALLBACK (on_window_size), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "notify::default-height", G_CALLBACK (on_window_size), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "notify::maximized", G_CALLBACK (on_window_size), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sidebar_paned, "notify::position", G_CALLBACK (on_sidebar_position), self, G_CONNECT_SWAPPED);
}

static gboolean
sero_window_close_request (GtkWindow *window)
{
  SeroWindow *self = SERO_WINDOW (window);
  g_autoptr(GError) error = NULL;

  if (self->layout != NULL && !sero_layout_flush (self->layout, &error))
    g_warning ("Could not save the window layout: %s", error->message);
  self->closing = TRUE;

  return GTK_WINDOW_CLASS (sero_window_parent_class)->close_request (window);
}

static void
sero_window_dispose (GObject *object)
{
  SeroWindow *self = (SeroWindow *) object;

  self->closing = TRUE;
  if (self->layout != NULL)
    sero_layout_flush (self->layout, NULL);
  if (self->tab_view != NULL)
    g_signal_handlers_disconnect_by_data (self->tab_view, self);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SERO_TYPE_WINDOW);
  g_clear_object (&self->models);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->sessions_dir, g_free);
  g_clear_object (&self->profiles);
  g_clear_object (&self->workspaces);
  g_clear_object (&self->manager);
  g_clear_object (&self->layout);
  g_clear_pointer (&self->watched_runtimes, g_hash_table_unref);

  G_OBJECT_CLASS (sero_window_parent_class)->dispose (object);
}

static void
sero_window_class_init (SeroWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sero_window_dispose;
  window_class->close_request = sero_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/sero/Sero/sero-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, sidebar_paned);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, content_paned);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, content_header);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, session_pane);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, session_stack);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, session_title);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, profiles_section);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, broken_page);
  gtk_widget_class_bind_template_child (widget_class, SeroWindow, repair_button);

  gtk_widget_class_install_action (widget_class, "win.new-terminal", NULL, new_terminal_in_action);
  gtk_widget_class_install_action (widget_class, "win.new-terminal-in", "s", new_terminal_in_action);
  gtk_widget_class_install_action (widget_class, "win.close-tab", NULL, close_tab_action);
  gtk_widget_class_install_action (widget_class, "win.new-session", NULL, new_session_action);
  gtk_widget_class_install_action (widget_class, "win.new-session-in", "s", new_session_action);
  gtk_widget_class_install_action (widget_class, "win.close-session-pane", NULL, close_session_pane_action);
  gtk_widget_class_install_action (widget_class, "win.add-workspace", NULL, add_workspace_action);
  gtk_widget_class_install_action (widget_class, "win.rename-workspace", "s", rename_workspace_action);
  gtk_widget_class_install_action (widget_class, "win.rename-selected-workspace", NULL, rename_workspace_action);
  gtk_widget_class_install_action (widget_class, "win.close-workspace", "s", close_workspace_action);
  gtk_widget_class_install_action (widget_class, "win.delete-workspace", "s", delete_workspace_action);
  gtk_widget_class_install_action (widget_class, "win.pick-runtime", "s", pick_runtime_action);
  gtk_widget_class_install_action (widget_class, "win.pick-selected-runtime", NULL, pick_runtime_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.new-terminal", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.close-tab", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.add-workspace", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.new-session", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "win.rename-selected-workspace", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.pick-selected-runtime", NULL);
}

static void
sero_window_init (SeroWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->watched_runtimes = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->cancellable = g_cancellable_new ();

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

/**
 * sero_window_get_workspace_tree:
 *
 * Returns: (transfer none) (nullable): the sidebar's tree
 */
SeroWorkspaceTree *
sero_window_get_workspace_tree (SeroWindow *self)
{
  g_return_val_if_fail (SERO_IS_WINDOW (self), NULL);

  return self->tree;
}

AdwTabView *
sero_window_get_tab_view (SeroWindow *self)
{
  g_return_val_if_fail (SERO_IS_WINDOW (self), NULL);

  return self->tab_view;
}
