/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-workspace-registry"

#include "config.h"

#include <glib/gstdio.h>

#include "sero-json-file.h"
#include "sero-workspace-private.h"
#include "sero-workspace-registry.h"

/* <SERO_HOME>/agent/workspaces.json: {"workspaces": [{id, path, open}]},
 * exposed as a GListModel of SeroWorkspace. Presence in the list is what
 * the sidebar shows; `open` is whether its node is expanded. The default
 * `global` workspace always exists and cannot be removed. Unlike the
 * original, a registry that does not parse is an error and is never
 * overwritten (the original logged and started empty, and its next save
 * lost every workspace). */

struct _SeroWorkspaceRegistry
{
  GObject     parent_instance;

  char       *sero_home;
  char       *file;
  JsonObject *json;
  GPtrArray  *workspaces;
  guint       broken : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SeroWorkspaceRegistry, sero_workspace_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return SERO_TYPE_WORKSPACE;
}

static guint
get_n_items (GListModel *model)
{
  return SERO_WORKSPACE_REGISTRY (model)->workspaces->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SeroWorkspaceRegistry *self = SERO_WORKSPACE_REGISTRY (model);

  if (position >= self->workspaces->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->workspaces, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
sero_workspace_registry_finalize (GObject *object)
{
  SeroWorkspaceRegistry *self = (SeroWorkspaceRegistry *) object;

  g_clear_pointer (&self->sero_home, g_free);
  g_clear_pointer (&self->file, g_free);
  g_clear_pointer (&self->json, json_object_unref);
  g_clear_pointer (&self->workspaces, g_ptr_array_unref);

  G_OBJECT_CLASS (sero_workspace_registry_parent_class)->finalize (object);
}

static void
sero_workspace_registry_class_init (SeroWorkspaceRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sero_workspace_registry_finalize;
}

static void
sero_workspace_registry_init (SeroWorkspaceRegistry *self)
{
  self->workspaces = g_ptr_array_new_with_free_func (g_object_unref);
}

SeroWorkspaceRegistry *
sero_workspace_registry_new (const char *sero_home)
{
  SeroWorkspaceRegistry *self;

  g_return_val_if_fail (sero_home != NULL, NULL);

  self = g_object_new (SERO_TYPE_WORKSPACE_REGISTRY, NULL);
  self->sero_home = g_canonicalize_filename (sero_home, NULL);
  self->file = g_build_filename (self->sero_home, "agent", "workspaces.json", NULL);

  return self;
}

static SeroWorkspace *
find (SeroWorkspaceRegistry *self,
      const char            *id,
      const char            *path,
      guint                 *position)
{
  for (guint i = 0; i < self->workspaces->len; i++)
    {
      SeroWorkspace *workspace = g_ptr_array_index (self->workspaces, i);

      if ((id && g_str_equal (sero_workspace_get_id (workspace), id)) ||
          (path && g_str_equal (sero_workspace_get_path (workspace), path)))
        {
          if (position)
            *position = i;
          return workspace;
        }
    }

  return NULL;
}

/* Every workspace learns where the others live, so its references (ids in
 * .sero-workspace.json) resolve to folders when its container is made. One
 * shared, immutable table per change of the list. */
static void
publish_directory (SeroWorkspaceRegistry *self)
{
  g_autoptr(GHashTable) directory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < self->workspaces->len; i++)
    {
      SeroWorkspace *workspace = g_ptr_array_index (self->workspaces, i);

      g_hash_table_insert (directory, g_strdup (sero_workspace_get_id (workspace)),
                           g_strdup (sero_workspace_get_path (workspace)));
    }

  for (guint i = 0; i < self->workspaces->len; i++)
    _sero_workspace_set_directory (g_ptr_array_index (self->workspaces, i), directory);
}

static void
append (SeroWorkspaceRegistry *self,
        SeroWorkspace         *workspace)
{
  g_ptr_array_add (self->workspaces, g_object_ref (workspace));
  publish_directory (self);
  g_list_model_items_changed (G_LIST_MODEL (self), self->workspaces->len - 1, 0, 1);
}

static gboolean
invalid (SeroWorkspaceRegistry  *self,
         GError                **error,
         const char             *message)
{
  self->broken = TRUE;
  g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_CONFIG,
               "%s: %s; the file was left untouched", self->file, message);
  return FALSE;
}

/* The global workspace: <SERO_HOME>/workspaces/global, on the host. */
static gboolean
ensure_global (SeroWorkspaceRegistry  *self,
               gboolean               *changed,
               GError                **error)
{
  g_autofree char *path = NULL;
  g_autoptr(SeroWorkspace) workspace = NULL;
  g_autoptr(GError) local_error = NULL;

  if (find (self, SERO_WORKSPACE_GLOBAL_ID, NULL, NULL))
    return TRUE;

  path = g_build_filename (self->sero_home, "workspaces", "global", NULL);
  if (!sero_file_ensure_private_dir (path, error))
    return FALSE;

  workspace = sero_workspace_new (SERO_WORKSPACE_GLOBAL_ID, path);
  if (!sero_workspace_load_config (workspace, &local_error))
    g_warning ("%s", local_error->message);
  else
    {
      g_autofree char *config = sero_workspace_get_config_path (workspace);

      if (!g_file_test (config, G_FILE_TEST_EXISTS))
        {
          sero_workspace_set_name (workspace, "Global");
          sero_workspace_set_backend (workspace, SERO_RUNTIME_BACKEND_HOST);
          if (!sero_workspace_save_config (workspace, error))
            return FALSE;
        }
    }

  g_ptr_array_insert (self->workspaces, 0, g_object_ref (workspace));
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
  *changed = TRUE;
  return TRUE;
}

/**
 * sero_workspace_registry_load:
 *
 * Reads workspaces.json (missing means empty; the legacy `autoOpen` field
 * becomes `open`), reads each workspace's .sero-workspace.json, and makes
 * sure the global workspace exists, saving when anything was added or
 * migrated. A workspace whose own config cannot be read is still listed,
 * with a warning naming the file.
 */
gboolean
sero_workspace_registry_load (SeroWorkspaceRegistry  *self,
                              GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) root = NULL;
  guint removed = self->workspaces->len;
  gboolean changed = FALSE;
  JsonNode *list;

  g_return_val_if_fail (SERO_IS_WORKSPACE_REGISTRY (self), FALSE);

  root = sero_json_file_load_object (self->file, SERO_JSON_FILE_NONE, &local_error);
  if (root == NULL)
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          self->broken = TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      root = json_object_new ();
      json_object_set_array_member (root, "workspaces", json_array_new ());
      changed = TRUE;
    }

  list = json_object_get_member (root, "workspaces");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return invalid (self, error, "“workspaces” must be a list");

  g_ptr_array_set_size (self->workspaces, 0);

  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (list), i);
      g_autoptr(SeroWorkspace) workspace = NULL;
      g_autoptr(GError) config_error = NULL;
      JsonObject *entry;
      const char *id, *path;
      gboolean open = TRUE;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_autofree char *message = g_strdup_printf ("workspaces[%u] must be an object", i);
          return invalid (self, error, message);
        }

      entry = json_node_get_object (node);
      id = json_object_get_string_member_with_default (entry, "id", NULL);
      path = json_object_get_string_member_with_default (entry, "path", NULL);
      if (!sero_workspace_id_is_valid (id))
        {
          g_autofree char *message = g_strdup_printf ("workspaces[%u].id must match ^[a-z0-9][a-z0-9-]*$", i);
          return invalid (self, error, message);
        }
      if (path == NULL || !g_path_is_absolute (path))
        {
          g_autofree char *message = g_strdup_printf ("workspaces[%u].path must be an absolute path", i);
          return invalid (self, error, message);
        }
      if (find (self, id, NULL, NULL))
        {
          g_autofree char *message = g_strdup_printf ("workspaces[%u].id “%s” appears twice", i, id);
          return invalid (self, error, message);
        }

      if (json_object_has_member (entry, "open"))
        open = json_object_get_boolean_member_with_default (entry, "open", TRUE);
      else if (json_object_has_member (entry, "autoOpen"))
        {
          open = json_object_get_boolean_member_with_default (entry, "autoOpen", TRUE);
          changed = TRUE;
        }

      workspace = sero_workspace_new (id, path);
      sero_workspace_set_open (workspace, open);
      if (!sero_workspace_load_config (workspace, &config_error))
        g_warning ("%s", config_error->message);

      g_ptr_array_add (self->workspaces, g_steal_pointer (&workspace));
    }

  g_clear_pointer (&self->json, json_object_unref);
  self->json = g_steal_pointer (&root);
  self->broken = FALSE;

  if (!ensure_global (self, &changed, error))
    return FALSE;

  publish_directory (self);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->workspaces->len);

  if (changed)
    return sero_workspace_registry_save (self, error);

  return TRUE;
}

gboolean
sero_workspace_registry_save (SeroWorkspaceRegistry  *self,
                              GError                **error)
{
  g_autoptr(JsonObject) root = NULL;
  JsonArray *list = json_array_new ();

  g_return_val_if_fail (SERO_IS_WORKSPACE_REGISTRY (self), FALSE);

  if (self->broken)
    {
      json_array_unref (list);
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_CONFIG,
                   "%s could not be read and was left untouched", self->file);
      return FALSE;
    }

  root = self->json ? json_object_ref (self->json) : json_object_new ();
  for (guint i = 0; i < self->workspaces->len; i++)
    {
      SeroWorkspace *workspace = g_ptr_array_index (self->workspaces, i);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "id", sero_workspace_get_id (workspace));
      json_object_set_string_member (entry, "path", sero_workspace_get_path (workspace));
      json_object_set_boolean_member (entry, "open", sero_workspace_get_open (workspace));
      json_array_add_object_element (list, entry);
    }
  json_object_set_array_member (root, "workspaces", list);

  return sero_json_file_save_object (self->file, root, SERO_JSON_FILE_NONE, error);
}

/**
 * sero_workspace_registry_lookup:
 *
 * Returns: (transfer none) (nullable): the workspace with that id
 */
SeroWorkspace *
sero_workspace_registry_lookup (SeroWorkspaceRegistry *self,
                                const char            *id)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return find (self, id, NULL, NULL);
}

static char *
unique_id (SeroWorkspaceRegistry *self,
           const char            *wanted)
{
  g_autofree char *base = sero_workspace_slugify (wanted);
  char *id = g_strdup (base);

  for (guint n = 2; find (self, id, NULL, NULL); n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u", base, n);
    }

  return id;
}

/**
 * sero_workspace_registry_add:
 * @path: an existing folder
 * @name: (nullable): display name; defaults to the config's or the folder's
 * @backend: (nullable): the runtime to ask for; defaults to the config's or
 *   the platform default
 *
 * Adds a folder as a workspace. A folder already registered is opened and
 * returned. An existing .sero-workspace.json is kept (its id is used when
 * free); otherwise one is written.
 *
 * Returns: (transfer none): the workspace
 */
SeroWorkspace *
sero_workspace_registry_add (SeroWorkspaceRegistry     *self,
                             const char                *path,
                             const char                *name,
                             const SeroRuntimeBackend  *backend,
                             GError                   **error)
{
  g_autofree char *canonical = NULL;
  g_autofree char *id = NULL;
  g_autoptr(SeroWorkspace) probe = NULL;
  g_autoptr(SeroWorkspace) workspace = NULL;
  SeroWorkspace *existing;
  const char *config_id;

  g_return_val_if_fail (SERO_IS_WORKSPACE_REGISTRY (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  canonical = g_canonicalize_filename (path, NULL);
  if (!g_file_test (canonical, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID,
                   "%s is not a folder", canonical);
      return NULL;
    }

  if ((existing = find (self, NULL, canonical, NULL)))
    {
      sero_workspace_set_open (existing, TRUE);
      if (!sero_workspace_registry_save (self, error))
        return NULL;
      return existing;
    }

  /* Read the folder's own config first: its id is the one to keep. */
  probe = sero_workspace_new ("probe", canonical);
  if (!sero_workspace_load_config (probe, error))
    return NULL;

  config_id = sero_workspace_get_config_id (probe);
  if (config_id != NULL && sero_workspace_id_is_valid (config_id) && !find (self, config_id, NULL, NULL))
    id = g_strdup (config_id);
  else
    id = unique_id (self, name ? name : sero_workspace_get_name (probe));

  workspace = sero_workspace_new (id, canonical);
  if (!sero_workspace_load_config (workspace, error))
    return NULL;
  if (name != NULL && name[0] != '\0')
    sero_workspace_set_name (workspace, name);
  if (backend != NULL)
    sero_workspace_set_backend (workspace, *backend);
  if (!sero_workspace_save_config (workspace, error))
    return NULL;

  append (self, workspace);
  if (!sero_workspace_registry_save (self, error))
    return NULL;

  return workspace;
}

static SeroWorkspace *
lookup_or_error (SeroWorkspaceRegistry  *self,
                 const char             *id,
                 guint                  *position,
                 GError                **error)
{
  SeroWorkspace *workspace = find (self, id, NULL, position);

  if (workspace == NULL)
    g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_NOT_FOUND,
                 "No workspace “%s” in %s", id, self->file);

  return workspace;
}

/**
 * sero_workspace_registry_remove:
 *
 * Removes the workspace from the registry only; its folder and files are
 * untouched. The global workspace cannot be removed.
 */
gboolean
sero_workspace_registry_remove (SeroWorkspaceRegistry  *self,
                                const char             *id,
                                GError                **error)
{
  guint position = 0;

  g_return_val_if_fail (SERO_IS_WORKSPACE_REGISTRY (self), FALSE);

  if (g_strcmp0 (id, SERO_WORKSPACE_GLOBAL_ID) == 0)
    {
      g_set_error_literal (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_PROTECTED,
                           "The global workspace cannot be removed");
      return FALSE;
    }

  if (!lookup_or_error (self, id, &position, error))
    return FALSE;

  g_ptr_array_remove_index (self->workspaces, position);
  publish_directory (self);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);

  return sero_workspace_registry_save (self, error);
}

gboolean
sero_workspace_registry_set_backend (SeroWorkspaceRegistry  *self,
                                     const char             *id,
                                     SeroRuntimeBackend      backend,
                                     GError                **error)
{
  SeroWorkspace *workspace;

  g_return_val_if_fail (SERO_IS_WORKSPACE_REGISTRY (self), FALSE);

  if (!(workspace = lookup_or_error (self, id, NULL, error)))
    return FALSE;

  sero_workspace_set_backend (workspace, backend);
  return sero_workspace_save_config (workspace, error);
}

gboolean
sero_workspace_registry_set_open (SeroWorkspaceRegistry  *self,
                                  const char             *id,
                                  gboolean                open,
                                  GError                **error)
{
  SeroWorkspace *workspace;

  g_return_val_if_fail (SERO_IS_WORKSPACE_REGISTRY (self), FALSE);

  if (!(workspace = lookup_or_error (self, id, NULL, error)))
    return FALSE;

  sero_workspace_set_open (workspace, open);
  return sero_workspace_registry_save (self, error);
}
