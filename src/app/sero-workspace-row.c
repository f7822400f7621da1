/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-workspace-row"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-runtime-oci.h"
#include "sero-session.h"
#include "sero-workspace-row.h"

/* One row of the workspace tree. A workspace row shows its name (path as
 * tooltip), the git branch and change count, the container status dot,
 * the mount count and the runtime picker; a child row (a terminal or a dev
 * server or an agent session under its workspace) shows an icon and a title. List rows are
 * recycled, so everything bound in bind() is released in unbind(). */

struct _SeroWorkspaceRow
{
  GtkWidget    parent_instance;

  GObject     *item;
  SeroRuntime *runtime;
  GObject     *git_watcher;
  GPtrArray   *bindings;
  gulong       runtime_handler;
  gulong       git_handler;
  gulong       backend_handler;
  gulong       mounts_handler;

  GtkStack    *stack;
  GtkLabel    *name_label;
  GtkLabel    *git_label;
  GtkWidget   *status_dot;
  GtkLabel    *mount_badge;
  GtkMenuButton *runtime_button;
  GtkPopover  *runtime_popover;
  GtkListBox  *runtime_list;
  GtkImage    *child_icon;
  GtkLabel    *child_label;
  GtkWidget   *context_menu;
};

G_DEFINE_FINAL_TYPE (SeroWorkspaceRow, sero_workspace_row, GTK_TYPE_WIDGET)

enum {
  RUNTIME_SELECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const struct {
  SeroRuntimeBackend  backend;
  const char         *icon;
  const char         *title;
} runtime_options[] = {
  { SERO_RUNTIME_BACKEND_HOST,            "computer-symbolic",       N_("Host") },
  { SERO_RUNTIME_BACKEND_DOCKER,          "network-server-symbolic", N_("Podman or Docker") },
#ifdef __APPLE__
  { SERO_RUNTIME_BACKEND_APPLE_CONTAINER, "package-x-generic-symbolic", N_("Apple Container") },
#endif
};

static const char *
backend_icon (SeroRuntimeBackend backend)
{
  for (guint i = 0; i < G_N_ELEMENTS (runtime_options); i++)
    if (runtime_options[i].backend == backend)
      return runtime_options[i].icon;

  return "network-server-symbolic";
}

static const char *
backend_title (SeroRuntimeBackend backend)
{
  for (guint i = 0; i < G_N_ELEMENTS (runtime_options); i++)
    if (runtime_options[i].backend == backend)
      return _(runtime_options[i].title);

  return _("Container");
}

/* Availability as a person reads it, computed once: it is a PATH lookup. */
static const char *
backend_availability (SeroRuntimeBackend backend)
{
  static char *oci;

  switch (backend)
    {
    case SERO_RUNTIME_BACKEND_HOST:
      return _("Runs on this computer; always available");

    case SERO_RUNTIME_BACKEND_DOCKER:
      if (oci == NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *name = NULL;
          g_autofree char *path = sero_runtime_oci_find_engine (&name, &error);

          oci = path ? g_strdup_printf (_("Uses %s; a container per workspace"), name)
                     : g_strdup_printf (_("Not available: %s"), error->message);
        }
      return oci;

    case SERO_RUNTIME_BACKEND_APPLE_CONTAINER:
      return g_file_test ("/usr/local/bin/container", G_FILE_TEST_IS_EXECUTABLE)
             ? _("Apple's container tool") : _("Not installed");

    default:
      return NULL;
    }
}

static void
update_runtime_button (SeroWorkspaceRow *self)
{
  SeroWorkspace *workspace = SERO_WORKSPACE (self->item);
  SeroRuntimeBackend backend = sero_workspace_get_backend (workspace);
  g_autofree char *tooltip = g_strdup_printf (_("Runtime: %s"), backend_title (backend));
  guint i = 0;

  gtk_menu_button_set_icon_name (self->runtime_button, backend_icon (backend));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->runtime_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->runtime_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->runtime_list));
       row != NULL; row = gtk_widget_get_next_sibling (row), i++)
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");

      if (check != NULL && i < G_N_ELEMENTS (runtime_options))
        gtk_widget_set_opacity (check, runtime_options[i].backend == backend ? 1.0 : 0.0);
    }
}

static void
update_status (SeroWorkspaceRow *self)
{
  static const char * const classes[] = { "starting", "running", "stopped", "error", NULL };
  SeroRuntimeStatus status;
  g_autofree char *message = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *tooltip = NULL;

  for (guint i = 0; classes[i]; i++)
    gtk_widget_remove_css_class (self->status_dot, classes[i]);

  if (self->runtime == NULL || !sero_runtime_is_container (self->runtime))
    {
      gtk_widget_set_visible (self->status_dot, FALSE);
      return;
    }

  status = sero_runtime_get_status (self->runtime);
  message = sero_runtime_dup_status_message (self->runtime);
  ip = sero_runtime_dup_ip_address (self->runtime);

  switch (status)
    {
    case SERO_RUNTIME_STATUS_STARTING:
      tooltip = g_strdup (_("Container starting…"));
      break;

    case SERO_RUNTIME_STATUS_RUNNING:
      tooltip = ip ? g_strdup_printf (_("Container running (%s)"), ip) : g_strdup (_("Container running"));
      if (message != NULL)
        {
          char *longer = g_strdup_printf ("%s\n%s", tooltip, message);
          g_free (tooltip);
          tooltip = longer;
        }
      break;

    case SERO_RUNTIME_STATUS_STOPPED:
      tooltip = g_strdup (_("Container stopped"));
      break;

    case SERO_RUNTIME_STATUS_ERROR:
      tooltip = g_strdup_printf (_("Container error: %s"), message ? message : _("unknown"));
      break;

    case SERO_RUNTIME_STATUS_NONE:
    default:
      gtk_widget_set_visible (self->status_dot, FALSE);
      return;
    }

  gtk_widget_add_css_class (self->status_dot, classes[status - 1]);
  gtk_widget_set_tooltip_text (self->status_dot, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_dot),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_set_visible (self->status_dot, TRUE);
}

static void
update_mounts (SeroWorkspaceRow *self)
{
  guint count = sero_workspace_get_mount_count (SERO_WORKSPACE (self->item));
  g_autofree char *text = g_strdup_printf ("%u", count);
  g_autofree char *tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u mount", "%u mounts", count), count);

  gtk_label_set_label (self->mount_badge, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mount_badge), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->mount_badge), count > 0);
}

static void
update_git (SeroWorkspaceRow *self)
{
  g_autofree char *branch = NULL;
  guint changed = 0;

  if (self->git_watcher != NULL)
    g_object_get (self->git_watcher, "branch", &branch, "changed", &changed, NULL);

  if (branch == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->git_label), FALSE);
      return;
    }

  if (changed > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u change", "%s · %u changes",
                                                            changed), branch, changed);
      gtk_label_set_label (self->git_label, text);
    }
  else
    gtk_label_set_label (self->git_label, branch);

  gtk_widget_set_visible (GTK_WIDGET (self->git_label), TRUE);
}

static void
on_runtime_row_activated (SeroWorkspaceRow *self,
                          GtkListBoxRow    *row,
                          GtkListBox       *list)
{
  int index = gtk_list_box_row_get_index (row);

  gtk_popover_popdown (self->runtime_popover);

  if (self->item == NULL || index < 0 || index >= (int) G_N_ELEMENTS (runtime_options))
    return;

  if (runtime_options[index].backend != sero_workspace_get_backend (SERO_WORKSPACE (self->item)))
    g_signal_emit (self, signals[RUNTIME_SELECTED], 0, SERO_WORKSPACE (self->item),
                   (int) runtime_options[index].backend);
}

static void
build_runtime_list (SeroWorkspaceRow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (runtime_options); i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");
      GtkWidget *icon = gtk_image_new_from_icon_name (runtime_options[i].icon);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(runtime_options[i].title));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), backend_availability (runtime_options[i].backend));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "check", check);
      gtk_list_box_append (self->runtime_list, row);
    }
}

static void
sero_workspace_row_dispose (GObject *object)
{
  SeroWorkspaceRow *self = (SeroWorkspaceRow *) object;

  sero_workspace_row_unbind (self);
  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), SERO_TYPE_WORKSPACE_ROW);

  G_OBJECT_CLASS (sero_workspace_row_parent_class)->dispose (object);
}

static void
sero_workspace_row_class_init (SeroWorkspaceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sero_workspace_row_dispose;

  /**
   * SeroWorkspaceRow::runtime-selected:
   * @workspace: the workspace of the row
   * @backend: the #SeroRuntimeBackend the person chose
   */
  signals[RUNTIME_SELECTED] =
    g_signal_new ("runtime-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, SERO_TYPE_WORKSPACE, G_TYPE_INT);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/sero/Sero/sero-workspace-row.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, stack);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, git_label);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, status_dot);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, mount_badge);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, runtime_button);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, runtime_popover);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, runtime_list);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, child_icon);
  gtk_widget_class_bind_template_child (widget_class, SeroWorkspaceRow, child_label);
}

static void
sero_workspace_row_init (SeroWorkspaceRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->bindings = g_ptr_array_new ();
  build_runtime_list (self);
  g_signal_connect_object (self->runtime_list, "row-activated",
                           G_CALLBACK (on_runtime_row_activated), self, G_CONNECT_SWAPPED);
}

GtkWidget *
sero_workspace_row_new (void)
{
  return g_object_new (SERO_TYPE_WORKSPACE_ROW, NULL);
}

static void
keep_binding (SeroWorkspaceRow *self,
              GBinding         *binding)
{
  g_ptr_array_add (self->bindings, binding);
}

/**
 * sero_workspace_row_bind:
 * @item: a #SeroWorkspace, or a child item (a terminal or a dev server)
 * @runtime: (nullable): the workspace's runtime, for the status dot
 * @git_watcher: (nullable): the workspace's git watcher
 */
void
sero_workspace_row_bind (SeroWorkspaceRow *self,
                         GObject          *item,
                         SeroRuntime      *runtime,
                         GObject          *git_watcher)
{
  g_return_if_fail (SERO_IS_WORKSPACE_ROW (self));
  g_return_if_fail (G_IS_OBJECT (item));

  sero_workspace_row_unbind (self);
  self->item = g_object_ref (item);

  if (SERO_IS_WORKSPACE (item))
    {
      SeroWorkspace *workspace = SERO_WORKSPACE (item);

      gtk_stack_set_visible_child_name (self->stack, "workspace");
      keep_binding (self, g_object_bind_property (workspace, "name", self->name_label, "label", G_BINDING_SYNC_CREATE));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), sero_workspace_get_path (workspace));

      self->backend_handler = g_signal_connect_object (workspace, "notify::backend",
                                                       G_CALLBACK (update_runtime_button), self, G_CONNECT_SWAPPED);
      self->mounts_handler = g_signal_connect_object (workspace, "notify::mount-count",
                                                      G_CALLBACK (update_mounts), self, G_CONNECT_SWAPPED);
      update_runtime_button (self);
      update_mounts (self);

      if (runtime != NULL)
        {
          self->runtime = g_object_ref (runtime);
          self->runtime_handler = g_signal_connect_object (runtime, "notify",
                                                           G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
        }
      update_status (self);

      if (git_watcher != NULL)
        {
          self->git_watcher = g_object_ref (git_watcher);
          self->git_handler = g_signal_connect_object (git_watcher, "notify",
                                                       G_CALLBACK (update_git), self, G_CONNECT_SWAPPED);
        }
      update_git (self);
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "child");
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (item), "title"))
    keep_binding (self, g_object_bind_property (item, "title", self->child_label, "label", G_BINDING_SYNC_CREATE));
  else if (g_object_class_find_property (G_OBJECT_GET_CLASS (item), "name"))
    keep_binding (self, g_object_bind_property (item, "name", self->child_label, "label", G_BINDING_SYNC_CREATE));

  gtk_image_set_from_icon_name (self->child_icon,
                                GTK_IS_WIDGET (item) ? "utilities-terminal-symbolic" :
                                SERO_IS_SESSION (item) ? "user-available-symbolic" : "network-server-symbolic");
}

void
sero_workspace_row_unbind (SeroWorkspaceRow *self)
{
  g_return_if_fail (SERO_IS_WORKSPACE_ROW (self));

  for (guint i = 0; i < self->bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->bindings, i));
  g_ptr_array_set_size (self->bindings, 0);

  if (self->item != NULL)
    {
      g_clear_signal_handler (&self->backend_handler, self->item);
      g_clear_signal_handler (&self->mounts_handler, self->item);
    }
  if (self->runtime != NULL)
    g_clear_signal_handler (&self->runtime_handler, self->runtime);
  if (self->git_watcher != NULL)
    g_clear_signal_handler (&self->git_handler, self->git_watcher);

  g_clear_object (&self->item);
  g_clear_object (&self->runtime);
  g_clear_object (&self->git_watcher);
}

/**
 * sero_workspace_row_get_item:
 *
 * Returns: (transfer none) (nullable): the bound item
 */
GObject *
sero_workspace_row_get_item (SeroWorkspaceRow *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE_ROW (self), NULL);

  return self->item;
}

void
sero_workspace_row_popup_runtime_picker (SeroWorkspaceRow *self)
{
  g_return_if_fail (SERO_IS_WORKSPACE_ROW (self));

  gtk_menu_button_popup (self->runtime_button);
}

/**
 * sero_workspace_row_popup_menu:
 * @model: the menu
 * @x: where, in the row's coordinates, or -1 to point at the whole row
 *
 * Shows a context menu for the row. The popover is the row's own child, so
 * it goes away with the row when the list recycles it.
 */
void
sero_workspace_row_popup_menu (SeroWorkspaceRow *self,
                               GMenuModel       *model,
                               double            x,
                               double            y)
{
  g_return_if_fail (SERO_IS_WORKSPACE_ROW (self));

  if (self->context_menu == NULL)
    {
      self->context_menu = gtk_popover_menu_new_from_model (NULL);
      gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
      gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
    }

  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->context_menu), model);
  if (x >= 0)
    gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  else
    gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), NULL);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}
