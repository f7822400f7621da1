/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-workspace-tree"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-git-status.h"
#include "sero-workspace-row.h"
#include "sero-workspace-tree.h"

/* The sidebar: a GtkListView over a GtkTreeListModel of the workspace
 * registry. Each workspace expands to a list of children the window fills
 * (its terminals, its agent sessions, its dev servers). The expanded state
 * is the registry's `open` flag, so it survives a restart. Container status
 * is polled off the main thread with a backoff: quick while something
 * changes, slow when nothing does, so a container killed from outside shows
 * as such. */

#define POLL_MIN_MS  2000
#define POLL_MAX_MS 30000

struct _SeroWorkspaceTree
{
  GtkWidget              parent_instance;

  SeroWorkspaceRegistry *registry;
  SeroRuntimeManager    *manager;
  GtkTreeListModel      *tree_model;
  GtkSingleSelection    *selection;
  GHashTable            *children;      /* workspace id → GListStore */
  GHashTable            *git_watchers;  /* workspace id → SeroGitWatcher */

  GtkScrolledWindow     *scroller;
  GtkListView           *list_view;

  guint                  poll_source;
  guint                  poll_interval;
  GCancellable          *poll_cancellable;
  gboolean               poll_in_flight;
};

G_DEFINE_FINAL_TYPE (SeroWorkspaceTree, sero_workspace_tree, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED_WORKSPACE,
  N_PROPS
};

enum {
  WORKSPACE_ACTIVATED,
  CHILD_ACTIVATED,
  RUNTIME_SELECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/**
 * sero_workspace_tree_get_children:
 *
 * Returns: (transfer none): the list shown under @workspace; the window
 *   appends its terminals and dev servers there
 */
GListStore *
sero_workspace_tree_get_children (SeroWorkspaceTree *self,
                                  SeroWorkspace     *workspace)
{
  const char *id = sero_workspace_get_id (workspace);
  GListStore *store = g_hash_table_lookup (self->children, id);

  if (store == NULL)
    {
      store = g_list_store_new (G_TYPE_OBJECT);
      g_hash_table_insert (self->children, g_strdup (id), store);
    }

  return store;
}

static GListModel *
create_children (gpointer item,
                 gpointer user_data)
{
  SeroWorkspaceTree *self = user_data;

  if (!SERO_IS_WORKSPACE (item))
    return NULL;

  return g_object_ref (G_LIST_MODEL (sero_workspace_tree_get_children (self, item)));
}

static GObject *
get_git_watcher (SeroWorkspaceTree *self,
                 SeroWorkspace     *workspace)
{
  const char *id = sero_workspace_get_id (workspace);
  GObject *watcher = g_hash_table_lookup (self->git_watchers, id);

  if (watcher == NULL)
    {
      watcher = G_OBJECT (sero_git_watcher_new (sero_workspace_get_path (workspace)));
      g_hash_table_insert (self->git_watchers, g_strdup (id), watcher);
    }

  return watcher;
}

static void
on_row_runtime_selected (SeroWorkspaceTree *self,
                         SeroWorkspace     *workspace,
                         int                backend,
                         SeroWorkspaceRow  *row)
{
  g_signal_emit (self, signals[RUNTIME_SELECTED], 0, workspace, backend);
}

static GMenuModel *
context_menu_for (SeroWorkspace *workspace)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) edit = g_menu_new ();
  g_autoptr(GMenu) danger = g_menu_new ();
  GVariant *target = g_variant_new_string (sero_workspace_get_id (workspace));
  gboolean global = g_str_equal (sero_workspace_get_id (workspace), SERO_WORKSPACE_GLOBAL_ID);
  g_autoptr(GMenuItem) item = NULL;

  g_variant_ref_sink (target);

#define ADD(section, label, action) G_STMT_START { \
    item = g_menu_item_new (label, NULL); \
    g_menu_item_set_action_and_target_value (item, action, target); \
    g_menu_append_item (section, item); \
    g_clear_object (&item); \
  } G_STMT_END
  ADD (menu, _("New _Terminal"), "win.new-terminal-in");
  ADD (menu, _("New _Session"), "win.new-session-in");
  ADD (menu, _("Change _Runtime…"), "win.pick-runtime");
  ADD (edit, _("Re_name…"), "win.rename-workspace");
  if (!global)
    {
      ADD (danger, _("_Close"), "win.close-workspace");
      ADD (danger, _("_Delete Permanently…"), "win.delete-workspace");
    }
#undef ADD

  g_menu_append_section (menu, NULL, G_MENU_MODEL (edit));
  if (!global)
    g_menu_append_section (menu, NULL, G_MENU_MODEL (danger));
  g_variant_unref (target);

  return G_MENU_MODEL (g_steal_pointer (&menu));
}

static void
popup_context_menu (GtkWidget *row,
                    double     x,
                    double     y)
{
  GObject *item = sero_workspace_row_get_item (SERO_WORKSPACE_ROW (row));
  g_autoptr(GMenuModel) model = NULL;

  if (!SERO_IS_WORKSPACE (item))
    return;

  model = context_menu_for (SERO_WORKSPACE (item));
  sero_workspace_row_popup_menu (SERO_WORKSPACE_ROW (row), model, x, y);
}

static void
on_right_click (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                gpointer         user_data)
{
  popup_context_menu (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)), x, y);
}

static gboolean
on_menu_key (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  GtkWidget *row = GTK_IS_TREE_EXPANDER (widget) ? gtk_tree_expander_get_child (GTK_TREE_EXPANDER (widget)) : widget;

  popup_context_menu (row, -1, -1);
  return TRUE;
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           SeroWorkspaceTree        *self)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *row = sero_workspace_row_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_shortcut_controller_new ();

  gtk_widget_set_hexpand (row, TRUE);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), row);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_right_click), NULL);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));

  /* The context menu key, and Shift+F10, open the same menu. The list item
   * has the focus, so the shortcut sits on its child, the expander. */
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (keys), GTK_SHORTCUT_SCOPE_LOCAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (
                                                            gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                            gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK)),
                                                          gtk_callback_action_new (on_menu_key, NULL, NULL)));
  gtk_widget_add_controller (expander, keys);

  g_signal_connect_object (row, "runtime-selected", G_CALLBACK (on_row_runtime_selected), self, G_CONNECT_SWAPPED);
  gtk_list_item_set_child (list_item, expander);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          SeroWorkspaceTree        *self)
{
  GtkTreeListRow *tree_row = gtk_list_item_get_item (list_item);
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  GtkWidget *row = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  g_autoptr(GObject) item = gtk_tree_list_row_get_item (tree_row);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), tree_row);

  if (SERO_IS_WORKSPACE (item))
    {
      SeroWorkspace *workspace = SERO_WORKSPACE (item);
      g_autofree char *label = g_strdup_printf (_("Workspace %s"), sero_workspace_get_name (workspace));

      sero_workspace_row_bind (SERO_WORKSPACE_ROW (row), item,
                               sero_runtime_manager_get_runtime (self->manager, workspace),
                               get_git_watcher (self, workspace));
      gtk_accessible_update_property (GTK_ACCESSIBLE (expander), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
  else
    sero_workspace_row_bind (SERO_WORKSPACE_ROW (row), item, NULL, NULL);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            SeroWorkspaceTree        *self)
{
  GtkWidget *expander = gtk_list_item_get_child (list_item);

  sero_workspace_row_unbind (SERO_WORKSPACE_ROW (gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander))));
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
}

static void
on_row_expanded (GtkTreeListRow    *tree_row,
                 GParamSpec        *pspec,
                 SeroWorkspaceTree *self)
{
  g_autoptr(GObject) item = gtk_tree_list_row_get_item (tree_row);
  g_autoptr(GError) error = NULL;
  gboolean expanded = gtk_tree_list_row_get_expanded (tree_row);

  if (!SERO_IS_WORKSPACE (item) || sero_workspace_get_open (SERO_WORKSPACE (item)) == expanded)
    return;

  if (!sero_workspace_registry_set_open (self->registry, sero_workspace_get_id (SERO_WORKSPACE (item)),
                                         expanded, &error))
    g_warning ("Could not save the workspace tree: %s", error->message);
}

/* Restore `open` on rows as they appear, and follow later changes. */
static void
on_tree_items_changed (SeroWorkspaceTree *self,
                       guint              position,
                       guint              removed,
                       guint              added,
                       GListModel        *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkTreeListRow) tree_row = g_list_model_get_item (model, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (tree_row);

      if (!SERO_IS_WORKSPACE (item) || g_object_get_data (G_OBJECT (tree_row), "sero-watched"))
        continue;

      g_object_set_data (G_OBJECT (tree_row), "sero-watched", GINT_TO_POINTER (TRUE));
      g_signal_connect_object (tree_row, "notify::expanded", G_CALLBACK (on_row_expanded), self, 0);
      if (sero_workspace_get_open (SERO_WORKSPACE (item)))
        gtk_tree_list_row_set_expanded (tree_row, TRUE);
    }
}

static void
on_activate (SeroWorkspaceTree *self,
             guint              position,
             GtkListView       *list_view)
{
  g_autoptr(GtkTreeListRow) tree_row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  g_autoptr(GObject) item = NULL;

  if (tree_row == NULL)
    return;

  item = gtk_tree_list_row_get_item (tree_row);
  if (SERO_IS_WORKSPACE (item))
    {
      gtk_tree_list_row_set_expanded (tree_row, !gtk_tree_list_row_get_expanded (tree_row));
      g_signal_emit (self, signals[WORKSPACE_ACTIVATED], 0, item);
    }
  else
    g_signal_emit (self, signals[CHILD_ACTIVATED], 0, item);
}

static void
on_selection_changed (SeroWorkspaceTree *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_WORKSPACE]);
}

/**
 * sero_workspace_tree_get_selected_workspace:
 *
 * Returns: (transfer none) (nullable): the selected workspace, or the
 *   workspace of the selected child
 */
SeroWorkspace *
sero_workspace_tree_get_selected_workspace (SeroWorkspaceTree *self)
{
  GtkTreeListRow *selected;
  g_autoptr(GtkTreeListRow) tree_row = NULL;

  g_return_val_if_fail (SERO_IS_WORKSPACE_TREE (self), NULL);

  selected = gtk_single_selection_get_selected_item (self->selection);
  tree_row = selected ? g_object_ref (selected) : NULL;
  while (tree_row != NULL)
    {
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (tree_row);
      GtkTreeListRow *parent;

      /* The registry owns its workspaces, so returning it unowned is safe. */
      if (SERO_IS_WORKSPACE (item))
        return SERO_WORKSPACE (item);

      parent = gtk_tree_list_row_get_parent (tree_row);
      g_object_unref (tree_row);
      tree_row = parent;
    }

  return NULL;
}

void
sero_workspace_tree_select_workspace (SeroWorkspaceTree *self,
                                      SeroWorkspace     *workspace)
{
  guint n;

  g_return_if_fail (SERO_IS_WORKSPACE_TREE (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tree_model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) tree_row = g_list_model_get_item (G_LIST_MODEL (self->tree_model), i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (tree_row);

      if (item == G_OBJECT (workspace))
        {
          gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }
}

GtkListView *
sero_workspace_tree_get_list_view (SeroWorkspaceTree *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE_TREE (self), NULL);

  return self->list_view;
}

static void
poll_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GPtrArray *runtimes = task_data;
  gboolean changed = FALSE;

  for (guint i = 0; i < runtimes->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      SeroRuntime *runtime = g_ptr_array_index (runtimes, i);
      SeroRuntimeStatus before = sero_runtime_get_status (runtime);

      sero_runtime_refresh_sync (runtime, cancellable, NULL);
      changed |= sero_runtime_get_status (runtime) != before;
    }

  g_task_return_boolean (task, changed);
}

static void schedule_poll (SeroWorkspaceTree *self);

static void
on_poll_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SeroWorkspaceTree *self = SERO_WORKSPACE_TREE (object);
  gboolean changed = g_task_propagate_boolean (G_TASK (result), NULL);

  self->poll_in_flight = FALSE;
  if (g_cancellable_is_cancelled (self->poll_cancellable))
    return;

  self->poll_interval = changed ? POLL_MIN_MS : MIN (self->poll_interval * 2, POLL_MAX_MS);
  schedule_poll (self);
}

/**
 * sero_workspace_tree_refresh_status:
 *
 * Re-reads the state of every started container now (off the main thread).
 */
void
sero_workspace_tree_refresh_status (SeroWorkspaceTree *self)
{
  g_autoptr(GPtrArray) runtimes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTask) task = NULL;
  guint n;

  g_return_if_fail (SERO_IS_WORKSPACE_TREE (self));

  if (self->poll_in_flight)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->registry));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SeroWorkspace) workspace = g_list_model_get_item (G_LIST_MODEL (self->registry), i);
      SeroRuntime *runtime = sero_runtime_manager_get_runtime (self->manager, workspace);

      /* Only containers someone started: polling the others would wake the
       * engine for nothing. */
      if (sero_runtime_is_container (runtime) && sero_runtime_get_status (runtime) != SERO_RUNTIME_STATUS_NONE)
        g_ptr_array_add (runtimes, g_object_ref (runtime));
    }

  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (runtimes->len == 0)
    {
      self->poll_interval = POLL_MAX_MS;
      schedule_poll (self);
      return;
    }

  self->poll_in_flight = TRUE;
  task = g_task_new (self, self->poll_cancellable, on_poll_done, NULL);
  g_task_set_source_tag (task, sero_workspace_tree_refresh_status);
  g_task_set_task_data (task, g_steal_pointer (&runtimes), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, poll_thread);
}

static gboolean
on_poll_timeout (gpointer user_data)
{
  SeroWorkspaceTree *self = user_data;

  self->poll_source = 0;
  sero_workspace_tree_refresh_status (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_poll (SeroWorkspaceTree *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->poll_source = g_timeout_add (self->poll_interval, on_poll_timeout, self);
}

static void
sero_workspace_tree_map (GtkWidget *widget)
{
  SeroWorkspaceTree *self = SERO_WORKSPACE_TREE (widget);

  GTK_WIDGET_CLASS (sero_workspace_tree_parent_class)->map (widget);

  self->poll_interval = POLL_MIN_MS;
  schedule_poll (self);
}

static void
sero_workspace_tree_unmap (GtkWidget *widget)
{
  SeroWorkspaceTree *self = SERO_WORKSPACE_TREE (widget);

  g_clear_handle_id (&self->poll_source, g_source_remove);

  GTK_WIDGET_CLASS (sero_workspace_tree_parent_class)->unmap (widget);
}

static void
sero_workspace_tree_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SeroWorkspaceTree *self = SERO_WORKSPACE_TREE (object);

  switch (prop_id)
    {
    case PROP_SELECTED_WORKSPACE:
      g_value_set_object (value, sero_workspace_tree_get_selected_workspace (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_workspace_tree_dispose (GObject *object)
{
  SeroWorkspaceTree *self = (SeroWorkspaceTree *) object;

  g_cancellable_cancel (self->poll_cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_pointer ((GtkWidget **) &self->scroller, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree_model);
  g_clear_pointer (&self->children, g_hash_table_unref);
  g_clear_pointer (&self->git_watchers, g_hash_table_unref);
  g_clear_object (&self->registry);
  g_clear_object (&self->manager);
  g_clear_object (&self->poll_cancellable);

  G_OBJECT_CLASS (sero_workspace_tree_parent_class)->dispose (object);
}

static void
sero_workspace_tree_class_init (SeroWorkspaceTreeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sero_workspace_tree_dispose;
  object_class->get_property = sero_workspace_tree_get_property;
  widget_class->map = sero_workspace_tree_map;
  widget_class->unmap = sero_workspace_tree_unmap;

  properties[PROP_SELECTED_WORKSPACE] =
    g_param_spec_object ("selected-workspace", NULL, NULL, SERO_TYPE_WORKSPACE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[WORKSPACE_ACTIVATED] =
    g_signal_new ("workspace-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SERO_TYPE_WORKSPACE);
  signals[CHILD_ACTIVATED] =
    g_signal_new ("child-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_OBJECT);
  signals[RUNTIME_SELECTED] =
    g_signal_new ("runtime-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, SERO_TYPE_WORKSPACE, G_TYPE_INT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sero_workspace_tree_init (SeroWorkspaceTree *self)
{
  self->children = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->git_watchers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->poll_cancellable = g_cancellable_new ();
  self->poll_interval = POLL_MIN_MS;
}

GtkWidget *
sero_workspace_tree_new (SeroWorkspaceRegistry *registry,
                         SeroRuntimeManager    *manager)
{
  SeroWorkspaceTree *self;
  GtkListItemFactory *factory;

  g_return_val_if_fail (SERO_IS_WORKSPACE_REGISTRY (registry), NULL);
  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (manager), NULL);

  self = g_object_new (SERO_TYPE_WORKSPACE_TREE, NULL);
  self->registry = g_object_ref (registry);
  self->manager = g_object_ref (manager);

  self->tree_model = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (registry)), FALSE, FALSE,
                                              create_children, self, NULL);
  g_signal_connect_object (self->tree_model, "items-changed", G_CALLBACK (on_tree_items_changed),
                           self, G_CONNECT_SWAPPED);
  on_tree_items_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tree_model)),
                         G_LIST_MODEL (self->tree_model));

  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->selection, "notify::selected", G_CALLBACK (on_selection_changed),
                           self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_row), self, 0);

  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)), factory));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Workspaces"), -1);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (on_activate), self, G_CONNECT_SWAPPED);

  self->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (self->scroller, GTK_WIDGET (self->list_view));
  gtk_widget_set_parent (GTK_WIDGET (self->scroller), GTK_WIDGET (self));

  return GTK_WIDGET (self);
}
