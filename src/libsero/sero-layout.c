/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-layout"

#include "config.h"

#include "sero-json-file.h"
#include "sero-layout.h"

/* <SERO_HOME>/agent/layout.json: the window's size and state, the sidebar
 * width, the active workspace and the open terminal tabs, so a restart
 * comes back the same. The original keeps its own layout and theme in the
 * same file; everything this version adds lives under one "gtk" object and
 * every other field is written back untouched. Writes are debounced: a
 * window being resized changes the size many times a second. */

#define SAVE_DELAY_MS 500

struct _SeroLayout
{
  GObject     parent_instance;

  char       *path;
  JsonObject *json;
  guint       save_source;
  guint       broken : 1;
};

G_DEFINE_FINAL_TYPE (SeroLayout, sero_layout, G_TYPE_OBJECT)

static void
sero_layout_finalize (GObject *object)
{
  SeroLayout *self = (SeroLayout *) object;

  if (self->save_source != 0)
    sero_layout_flush (self, NULL);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->json, json_object_unref);

  G_OBJECT_CLASS (sero_layout_parent_class)->finalize (object);
}

static void
sero_layout_class_init (SeroLayoutClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sero_layout_finalize;
}

static void
sero_layout_init (SeroLayout *self)
{
  self->json = json_object_new ();
}

SeroLayout *
sero_layout_new (const char *path)
{
  SeroLayout *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (SERO_TYPE_LAYOUT, NULL);
  self->path = g_strdup (path);

  return self;
}

/**
 * sero_layout_load:
 *
 * A missing file is an empty layout. A file that does not parse is an
 * error, and the layout then never overwrites it.
 */
gboolean
sero_layout_load (SeroLayout  *self,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;

  g_return_val_if_fail (SERO_IS_LAYOUT (self), FALSE);

  object = sero_json_file_load_object (self->path, SERO_JSON_FILE_NONE, &local_error);
  if (object == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;

      self->broken = TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_clear_pointer (&self->json, json_object_unref);
  self->json = object;
  self->broken = FALSE;

  return TRUE;
}

gboolean
sero_layout_save (SeroLayout  *self,
                  GError     **error)
{
  g_return_val_if_fail (SERO_IS_LAYOUT (self), FALSE);

  if (self->broken)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s could not be read and was left untouched", self->path);
      return FALSE;
    }

  return sero_json_file_save_object (self->path, self->json, SERO_JSON_FILE_NONE, error);
}

static gboolean
save_now (gpointer user_data)
{
  SeroLayout *self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_source = 0;
  if (!sero_layout_save (self, &error))
    g_warning ("Could not save the window layout: %s", error->message);

  return G_SOURCE_REMOVE;
}

/**
 * sero_layout_schedule_save:
 *
 * Saves once, a moment after the last change.
 */
void
sero_layout_schedule_save (SeroLayout *self)
{
  g_return_if_fail (SERO_IS_LAYOUT (self));

  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_now, self);
}

/**
 * sero_layout_flush:
 *
 * Writes a pending save now (at shutdown).
 */
gboolean
sero_layout_flush (SeroLayout  *self,
                   GError     **error)
{
  g_return_val_if_fail (SERO_IS_LAYOUT (self), FALSE);

  if (self->save_source == 0)
    return TRUE;

  g_clear_handle_id (&self->save_source, g_source_remove);
  return sero_layout_save (self, error);
}

static JsonObject *
gtk_object (SeroLayout *self)
{
  JsonNode *node = json_object_get_member (self->json, "gtk");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      json_object_set_object_member (self->json, "gtk", json_object_new ());
      node = json_object_get_member (self->json, "gtk");
    }

  return json_node_get_object (node);
}

static int
get_int (JsonObject *object,
         const char *member,
         int         fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;

  return (int) CLAMP (json_node_get_int (node), G_MININT, G_MAXINT);
}

void
sero_layout_get_window_size (SeroLayout *self,
                             int        *width,
                             int        *height,
                             gboolean   *maximized)
{
  JsonObject *gtk;

  g_return_if_fail (SERO_IS_LAYOUT (self));

  gtk = gtk_object (self);
  *width = get_int (gtk, "windowWidth", -1);
  *height = get_int (gtk, "windowHeight", -1);
  *maximized = json_object_get_boolean_member_with_default (gtk, "maximized", FALSE);
}

void
sero_layout_set_window_size (SeroLayout *self,
                             int         width,
                             int         height,
                             gboolean    maximized)
{
  JsonObject *gtk;

  g_return_if_fail (SERO_IS_LAYOUT (self));

  gtk = gtk_object (self);
  json_object_set_int_member (gtk, "windowWidth", width);
  json_object_set_int_member (gtk, "windowHeight", height);
  json_object_set_boolean_member (gtk, "maximized", maximized);
  sero_layout_schedule_save (self);
}

int
sero_layout_get_sidebar_width (SeroLayout *self)
{
  g_return_val_if_fail (SERO_IS_LAYOUT (self), -1);

  return get_int (gtk_object (self), "sidebarWidth", -1);
}

void
sero_layout_set_sidebar_width (SeroLayout *self,
                               int         width)
{
  g_return_if_fail (SERO_IS_LAYOUT (self));

  if (get_int (gtk_object (self), "sidebarWidth", -1) == width)
    return;

  json_object_set_int_member (gtk_object (self), "sidebarWidth", width);
  sero_layout_schedule_save (self);
}

/**
 * sero_layout_get_active_workspace:
 *
 * Returns: (nullable): the id of the workspace that was active
 */
const char *
sero_layout_get_active_workspace (SeroLayout *self)
{
  g_return_val_if_fail (SERO_IS_LAYOUT (self), NULL);

  return json_object_get_string_member_with_default (self->json, "activeWorkspaceId", NULL);
}

void
sero_layout_set_active_workspace (SeroLayout *self,
                                  const char *workspace_id)
{
  g_return_if_fail (SERO_IS_LAYOUT (self));

  if (g_strcmp0 (sero_layout_get_active_workspace (self), workspace_id) == 0)
    return;

  if (workspace_id != NULL)
    json_object_set_string_member (self->json, "activeWorkspaceId", workspace_id);
  else
    json_object_remove_member (self->json, "activeWorkspaceId");
  sero_layout_schedule_save (self);
}

/**
 * sero_layout_dup_terminal_tabs:
 *
 * Returns: (transfer full): the workspace id of each open terminal tab, in
 *   tab order
 */
GStrv
sero_layout_dup_terminal_tabs (SeroLayout *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node;

  g_return_val_if_fail (SERO_IS_LAYOUT (self), NULL);

  node = json_object_get_member (gtk_object (self), "terminals");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *tab = json_array_get_element (array, i);
          const char *id;

          if (!JSON_NODE_HOLDS_OBJECT (tab))
            continue;
          id = json_object_get_string_member_with_default (json_node_get_object (tab), "workspaceId", NULL);
          if (id != NULL)
            g_strv_builder_add (builder, id);
        }
    }

  return g_strv_builder_end (builder);
}

int
sero_layout_get_active_tab (SeroLayout *self)
{
  g_return_val_if_fail (SERO_IS_LAYOUT (self), -1);

  return get_int (gtk_object (self), "activeTerminal", -1);
}

void
sero_layout_set_terminal_tabs (SeroLayout         *self,
                               const char * const *workspace_ids,
                               int                 active_tab)
{
  JsonArray *array = json_array_new ();

  g_return_if_fail (SERO_IS_LAYOUT (self));

  for (guint i = 0; workspace_ids && workspace_ids[i]; i++)
    {
      JsonObject *tab = json_object_new ();

      json_object_set_string_member (tab, "workspaceId", workspace_ids[i]);
      json_array_add_object_element (array, tab);
    }

  json_object_set_array_member (gtk_object (self), "terminals", array);
  json_object_set_int_member (gtk_object (self), "activeTerminal", active_tab);
  sero_layout_schedule_save (self);
}
