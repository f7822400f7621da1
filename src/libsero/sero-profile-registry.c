/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-profile-registry"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "sero-json-file.h"
#include "sero-text.h"
#include "sero-profile-registry.h"

/* ~/.sero-ui/profiles.json, compatible with the original (reference §9.2):
 * {version: 1, activeProfileId, profiles: [{id, name, path, createdAt,
 * folderProvenance, onboarded}]}. Every mutation is saved at once through the
 * atomic JSON-file helper. A registry that does not parse is never
 * overwritten: the original treated that as a fresh install and users lost
 * their profiles (its issue #547). */

#define REGISTRY_VERSION 1

struct _SeroProfileRegistry
{
  GObject     parent_instance;

  char       *ui_root;
  char       *file;
  JsonObject *json;       /* the document as loaded, for unknown fields */
  GPtrArray  *profiles;   /* SeroProfile */
  char       *active_id;
  guint       loaded : 1;
  guint       broken : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SeroProfileRegistry, sero_profile_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

G_DEFINE_QUARK (sero-profile-error-quark, sero_profile_error)

const char * const sero_profile_credential_files[] = {
  ".env",
  "auth.json",
  "github-auth.json",
  "google-auth.json",
  "gateway-config.json",
  "gateway-token",
  "gateway-web-tokens.json",
  "models.json",
  "provider-model-defaults.json",
  NULL
};

static GType
sero_profile_registry_get_item_type (GListModel *model)
{
  return SERO_TYPE_PROFILE;
}

static guint
sero_profile_registry_get_n_items (GListModel *model)
{
  return SERO_PROFILE_REGISTRY (model)->profiles->len;
}

static gpointer
sero_profile_registry_get_item (GListModel *model,
                                guint       position)
{
  SeroProfileRegistry *self = SERO_PROFILE_REGISTRY (model);

  if (position >= self->profiles->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->profiles, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = sero_profile_registry_get_item_type;
  iface->get_n_items = sero_profile_registry_get_n_items;
  iface->get_item = sero_profile_registry_get_item;
}

static void
sero_profile_registry_finalize (GObject *object)
{
  SeroProfileRegistry *self = (SeroProfileRegistry *) object;

  g_clear_pointer (&self->ui_root, g_free);
  g_clear_pointer (&self->file, g_free);
  g_clear_pointer (&self->json, json_object_unref);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  g_clear_pointer (&self->active_id, g_free);

  G_OBJECT_CLASS (sero_profile_registry_parent_class)->finalize (object);
}

static void
sero_profile_registry_class_init (SeroProfileRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_profile_registry_finalize;
}

static void
sero_profile_registry_init (SeroProfileRegistry *self)
{
  self->profiles = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * sero_profile_registry_new:
 * @ui_root: the folder holding profiles.json (normally ~/.sero-ui)
 *
 * Returns: (transfer full): an empty registry; call
 * sero_profile_registry_load() before use
 */
SeroProfileRegistry *
sero_profile_registry_new (const char *ui_root)
{
  SeroProfileRegistry *self;

  g_return_val_if_fail (ui_root != NULL, NULL);
  g_return_val_if_fail (g_path_is_absolute (ui_root), NULL);

  self = g_object_new (SERO_TYPE_PROFILE_REGISTRY, NULL);
  self->ui_root = g_canonicalize_filename (ui_root, NULL);
  self->file = g_build_filename (self->ui_root, "profiles.json", NULL);

  return self;
}

const char *
sero_profile_registry_get_ui_root (SeroProfileRegistry *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);

  return self->ui_root;
}

char *
sero_profile_registry_get_file (SeroProfileRegistry *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);

  return g_strdup (self->file);
}

gboolean
sero_profile_registry_exists (SeroProfileRegistry *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), FALSE);

  return g_file_test (self->file, G_FILE_TEST_EXISTS);
}

static void
replace_profiles (SeroProfileRegistry *self,
                  GPtrArray           *profiles)
{
  guint removed = self->profiles->len;

  g_ptr_array_set_size (self->profiles, 0);
  for (guint i = 0; i < profiles->len; i++)
    g_ptr_array_add (self->profiles, g_object_ref (g_ptr_array_index (profiles, i)));

  if (removed > 0 || profiles->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, profiles->len);
}

static gboolean
invalid_registry (SeroProfileRegistry  *self,
                  GError              **error,
                  const char           *message)
{
  g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_REGISTRY,
               "%s: %s. Run “sero profile repair” to move it aside; profiles on disk stay discoverable.",
               self->file, message);
  self->broken = TRUE;
  return FALSE;
}

/**
 * sero_profile_registry_load:
 *
 * Reads profiles.json strictly. A missing file is an empty registry. A file
 * that does not parse, or has the wrong version or malformed entries, is an
 * error naming the file (and line and column, or the field) and leaves the
 * registry unusable for writing until sero_profile_registry_repair().
 */
gboolean
sero_profile_registry_load (SeroProfileRegistry  *self,
                            GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *version;
  JsonNode *active;
  JsonNode *list;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), FALSE);

  self->loaded = TRUE;
  self->broken = FALSE;

  root = sero_json_file_load_object (self->file, SERO_JSON_FILE_NONE, &local_error);
  if (root == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
          g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_clear_pointer (&self->json, json_object_unref);
          g_clear_pointer (&self->active_id, g_free);
          replace_profiles (self, profiles);
          return TRUE;
        }

      self->broken = TRUE;
      if (local_error->domain == SERO_JSON_FILE_ERROR)
        g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_REGISTRY,
                     "%s. Run “sero profile repair” to move it aside; profiles on disk stay discoverable.",
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  version = json_object_get_member (root, "version");
  if (version == NULL || json_node_get_value_type (version) != G_TYPE_INT64 ||
      json_node_get_int (version) != REGISTRY_VERSION)
    return invalid_registry (self, error, "“version” must be 1");

  active = json_object_get_member (root, "activeProfileId");
  if (active != NULL && !JSON_NODE_HOLDS_NULL (active) &&
      json_node_get_value_type (active) != G_TYPE_STRING)
    return invalid_registry (self, error, "“activeProfileId” must be a string or null");

  list = json_object_get_member (root, "profiles");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return invalid_registry (self, error, "“profiles” must be an array");

  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *entry = json_array_get_element (json_node_get_array (list), i);
      SeroProfile *profile;

      if (!JSON_NODE_HOLDS_OBJECT (entry))
        {
          g_autofree char *message = g_strdup_printf ("profiles[%u] must be an object", i);
          return invalid_registry (self, error, message);
        }

      profile = sero_profile_new_from_json (json_node_get_object (entry), i, &local_error);
      if (profile == NULL)
        return invalid_registry (self, error, local_error->message);

      if (!g_hash_table_add (seen, (gpointer) sero_profile_get_id (profile)))
        {
          g_autofree char *message = g_strdup_printf ("profiles[%u].id “%s” appears twice",
                                                      i, sero_profile_get_id (profile));
          g_object_unref (profile);
          return invalid_registry (self, error, message);
        }

      g_ptr_array_add (profiles, profile);
    }

  g_clear_pointer (&self->json, json_object_unref);
  self->json = g_steal_pointer (&root);
  g_free (self->active_id);
  self->active_id = (active != NULL && !JSON_NODE_HOLDS_NULL (active))
                    ? g_strdup (json_node_get_string (active)) : NULL;
  replace_profiles (self, profiles);

  return TRUE;
}

/**
 * sero_profile_registry_save:
 *
 * Writes the registry atomically, keeping top-level and per-profile fields
 * that this version does not know. Refuses when the file on disk is broken:
 * overwriting it would lose whatever the person could still recover.
 */
gboolean
sero_profile_registry_save (SeroProfileRegistry  *self,
                            GError              **error)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(JsonArray) list = json_array_new ();

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), FALSE);

  if (self->broken)
    {
      g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_REGISTRY,
                   "%s does not parse and was left untouched. Run “sero profile repair” first.",
                   self->file);
      return FALSE;
    }

  json_object_set_int_member (root, "version", REGISTRY_VERSION);
  if (self->active_id != NULL)
    json_object_set_string_member (root, "activeProfileId", self->active_id);
  else
    json_object_set_null_member (root, "activeProfileId");

  for (guint i = 0; i < self->profiles->len; i++)
    json_array_add_object_element (list, sero_profile_to_json (g_ptr_array_index (self->profiles, i)));
  json_object_set_array_member (root, "profiles", g_steal_pointer (&list));

  if (self->json != NULL)
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *node;

      json_object_iter_init (&iter, self->json);
      while (json_object_iter_next (&iter, &member, &node))
        {
          if (!json_object_has_member (root, member))
            json_object_set_member (root, member, json_node_copy (node));
        }
    }

  return sero_json_file_save_object (self->file, root, SERO_JSON_FILE_NONE, error);
}

static SeroProfile *
find_by_id (SeroProfileRegistry *self,
            const char          *id,
            guint               *position)
{
  for (guint i = 0; i < self->profiles->len; i++)
    {
      SeroProfile *profile = g_ptr_array_index (self->profiles, i);

      if (g_strcmp0 (sero_profile_get_id (profile), id) == 0)
        {
          if (position != NULL)
            *position = i;
          return profile;
        }
    }

  return NULL;
}

/**
 * sero_profile_registry_lookup:
 * @id_or_name: a profile id, or a name when it names exactly one profile
 *
 * Returns: (transfer none) (nullable): the profile
 */
SeroProfile *
sero_profile_registry_lookup (SeroProfileRegistry *self,
                              const char          *id_or_name)
{
  SeroProfile *by_name = NULL;
  SeroProfile *found;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);
  g_return_val_if_fail (id_or_name != NULL, NULL);

  if ((found = find_by_id (self, id_or_name, NULL)))
    return found;

  for (guint i = 0; i < self->profiles->len; i++)
    {
      SeroProfile *profile = g_ptr_array_index (self->profiles, i);

      if (g_strcmp0 (sero_profile_get_name (profile), id_or_name) == 0)
        {
          if (by_name != NULL)
            return NULL;
          by_name = profile;
        }
    }

  return by_name;
}

static gboolean
lookup_or_error (SeroProfileRegistry  *self,
                 const char           *id,
                 SeroProfile         **profile,
                 GError              **error)
{
  *profile = sero_profile_registry_lookup (self, id);
  if (*profile == NULL)
    {
      g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_NOT_FOUND,
                   "No profile “%s” in %s", id, self->file);
      return FALSE;
    }

  return TRUE;
}

const char *
sero_profile_registry_get_active_id (SeroProfileRegistry *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);

  return self->active_id;
}

/**
 * sero_profile_registry_get_active:
 *
 * Returns: (transfer none) (nullable): the active profile, or %NULL when
 * the active id is missing or dangling
 */
SeroProfile *
sero_profile_registry_get_active (SeroProfileRegistry *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);

  if (self->active_id == NULL)
    return NULL;

  return find_by_id (self, self->active_id, NULL);
}

/**
 * sero_profile_registry_repair_active:
 *
 * When the active id names no profile, picks the profile at the default
 * root, else the first one, and writes that choice (reference §9.1).
 *
 * Returns: (transfer none) (nullable): the now active profile; %NULL when
 * there are no profiles (no error) or the write failed (error set)
 */
SeroProfile *
sero_profile_registry_repair_active (SeroProfileRegistry  *self,
                                     GError              **error)
{
  SeroProfile *chosen = NULL;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);

  if ((chosen = sero_profile_registry_get_active (self)))
    return chosen;

  if (self->profiles->len == 0)
    return NULL;

  for (guint i = 0; i < self->profiles->len; i++)
    {
      SeroProfile *profile = g_ptr_array_index (self->profiles, i);

      if (g_strcmp0 (sero_profile_get_path (profile), self->ui_root) == 0)
        {
          chosen = profile;
          break;
        }
    }

  if (chosen == NULL)
    chosen = g_ptr_array_index (self->profiles, 0);

  g_message ("Active profile “%s” not found in %s; using “%s”",
             self->active_id ? self->active_id : "(none)", self->file,
             sero_profile_get_name (chosen));

  g_free (self->active_id);
  self->active_id = g_strdup (sero_profile_get_id (chosen));

  if (!sero_profile_registry_save (self, error))
    return NULL;

  return chosen;
}

static gboolean
ensure_profile_folder (const char  *home,
                       GError     **error)
{
  g_autofree char *agent = g_build_filename (home, "agent", NULL);
  g_autofree char *workspaces = g_build_filename (agent, "workspaces.json", NULL);

  if (!sero_file_ensure_private_dir (agent, error))
    return FALSE;

  if (!g_file_test (workspaces, G_FILE_TEST_EXISTS))
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_array_member (object, "workspaces", json_array_new ());
      if (!sero_json_file_save_object (workspaces, object, SERO_JSON_FILE_NONE, error))
        return FALSE;
    }

  return TRUE;
}

static void
append_profile (SeroProfileRegistry *self,
                SeroProfile         *profile)
{
  g_ptr_array_add (self->profiles, g_object_ref (profile));
  g_list_model_items_changed (G_LIST_MODEL (self), self->profiles->len - 1, 0, 1);
}

/**
 * sero_profile_registry_migrate_legacy:
 *
 * An install from before profiles existed has ~/.sero-ui/agent but no
 * profiles.json: register it as the "Default" profile at the root, already
 * onboarded (reference §9.1).
 *
 * Returns: %TRUE when a migration was written
 */
gboolean
sero_profile_registry_migrate_legacy (SeroProfileRegistry  *self,
                                      GError              **error)
{
  g_autofree char *agent = NULL;
  g_autofree char *id = NULL;
  g_autoptr(SeroProfile) profile = NULL;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), FALSE);

  agent = g_build_filename (self->ui_root, "agent", NULL);
  if (sero_profile_registry_exists (self) || !g_file_test (agent, G_FILE_TEST_IS_DIR))
    return FALSE;

  id = g_uuid_string_random ();
  profile = _sero_profile_new (id, "Default", self->ui_root,
                               SERO_FOLDER_PROVENANCE_DEFAULT_ROOT, TRUE);
  append_profile (self, profile);
  g_free (self->active_id);
  self->active_id = g_strdup (id);

  if (!sero_profile_registry_save (self, error))
    return FALSE;

  g_message ("Migrated the existing profile at %s into %s", self->ui_root, self->file);
  return TRUE;
}

static gboolean
path_is_inside (const char *path,
                const char *folder)
{
  gsize len = strlen (folder);

  if (g_str_equal (folder, "/"))
    return path[0] == '/' && path[1] != '\0';

  return strncmp (path, folder, len) == 0 && path[len] == '/';
}

static char *
managed_root (SeroProfileRegistry *self)
{
  return g_build_filename (self->ui_root, "profiles", NULL);
}

/* Two profile folders must never nest, because a profile's files (and on
 * removal its deletion) would reach into the other. The one exception is the
 * layout Sero itself makes: managed profiles under <root>/profiles/ inside
 * the default profile at <root>. */
static gboolean
check_path_free (SeroProfileRegistry  *self,
                 const char           *path,
                 GError              **error)
{
  g_autofree char *managed = managed_root (self);

  for (guint i = 0; i < self->profiles->len; i++)
    {
      SeroProfile *profile = g_ptr_array_index (self->profiles, i);
      const char *other = sero_profile_get_path (profile);
      gboolean nested_ok;

      if (g_str_equal (path, other))
        {
          g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_PATH_TAKEN,
                       "Profile path %s already belongs to profile “%s”",
                       path, sero_profile_get_name (profile));
          return FALSE;
        }

      if (!path_is_inside (path, other) && !path_is_inside (other, path))
        continue;

      nested_ok = (g_str_equal (other, self->ui_root) && path_is_inside (path, managed)) ||
                  (g_str_equal (path, self->ui_root) && path_is_inside (other, managed));
      if (!nested_ok)
        {
          g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_PATH_OVERLAP,
                       "Profile path %s overlaps profile “%s” at %s; profile folders cannot be nested",
                       path, sero_profile_get_name (profile), other);
          return FALSE;
        }
    }

  if (g_str_equal (path, self->ui_root) && self->profiles->len > 0)
    {
      g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_PATH_TAKEN,
                   "%s is reserved for the first profile", path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
path_is_registered (SeroProfileRegistry *self,
                    const char          *path)
{
  for (guint i = 0; i < self->profiles->len; i++)
    if (g_str_equal (sero_profile_get_path (g_ptr_array_index (self->profiles, i)), path))
      return TRUE;

  return FALSE;
}

static char *
next_managed_path (SeroProfileRegistry *self,
                   const char          *name)
{
  g_autofree char *slug = sero_slugify (name, "profile");
  g_autofree char *managed = managed_root (self);
  char *path = g_build_filename (managed, slug, NULL);

  for (guint n = 1;
       g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK) || path_is_registered (self, path);
       n++)
    {
      g_autofree char *suffixed = g_strdup_printf ("%s-%u", slug, n);

      g_free (path);
      path = g_build_filename (managed, suffixed, NULL);
    }

  return path;
}

static char *
clean_name (const char  *name,
            GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name ? name : ""));

  if (trimmed[0] == '\0')
    {
      g_set_error_literal (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_NAME,
                           "A profile needs a name");
      return NULL;
    }

  return g_steal_pointer (&trimmed);
}

static gboolean
ensure_writable (SeroProfileRegistry  *self,
                 GError              **error)
{
  if (!self->loaded && !sero_profile_registry_load (self, error))
    return FALSE;

  if (self->broken)
    {
      g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_REGISTRY,
                   "%s does not parse and was left untouched. Run “sero profile repair” first.",
                   self->file);
      return FALSE;
    }

  return TRUE;
}

/**
 * sero_profile_registry_create:
 * @name: display name
 * @custom_path: (nullable): a folder chosen by the person
 * @copy_credentials_from: (nullable): copy credential files from this profile
 *
 * The first profile lives at the root; later ones under
 * <root>/profiles/<slug> with -1, -2… suffixes; a custom path is taken as
 * given (made absolute). The profile folder, its agent/ folder and an empty
 * workspaces.json are created. It becomes active when none is.
 *
 * Returns: (transfer none): the new profile
 */
SeroProfile *
sero_profile_registry_create (SeroProfileRegistry  *self,
                              const char           *name,
                              const char           *custom_path,
                              SeroProfile          *copy_credentials_from,
                              GError              **error)
{
  g_autofree char *clean = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autoptr(SeroProfile) profile = NULL;
  SeroFolderProvenance provenance;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);
  g_return_val_if_fail (!copy_credentials_from || SERO_IS_PROFILE (copy_credentials_from), NULL);

  if (!ensure_writable (self, error) || !(clean = clean_name (name, error)))
    return NULL;

  if (custom_path != NULL)
    {
      path = g_canonicalize_filename (custom_path, NULL);
      provenance = SERO_FOLDER_PROVENANCE_CUSTOM;
    }
  else if (self->profiles->len == 0)
    {
      path = g_strdup (self->ui_root);
      provenance = SERO_FOLDER_PROVENANCE_DEFAULT_ROOT;
    }
  else
    {
      path = next_managed_path (self, clean);
      provenance = SERO_FOLDER_PROVENANCE_SERO_MANAGED;
    }

  if (!check_path_free (self, path, error))
    return NULL;

  if (!ensure_profile_folder (path, error))
    return NULL;

  if (copy_credentials_from != NULL &&
      !sero_profile_copy_credentials (sero_profile_get_path (copy_credentials_from), path, error))
    return NULL;

  id = g_uuid_string_random ();
  profile = _sero_profile_new (id, clean, path, provenance, FALSE);
  append_profile (self, profile);

  if (sero_profile_registry_get_active (self) == NULL)
    {
      g_free (self->active_id);
      self->active_id = g_strdup (id);
    }

  if (!sero_profile_registry_save (self, error))
    return NULL;

  return profile;
}

gboolean
sero_profile_registry_set_active (SeroProfileRegistry  *self,
                                  const char           *id,
                                  GError              **error)
{
  SeroProfile *profile;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!ensure_writable (self, error) || !lookup_or_error (self, id, &profile, error))
    return FALSE;

  g_free (self->active_id);
  self->active_id = g_strdup (sero_profile_get_id (profile));

  return sero_profile_registry_save (self, error);
}

gboolean
sero_profile_registry_rename (SeroProfileRegistry  *self,
                              const char           *id,
                              const char           *name,
                              GError              **error)
{
  g_autofree char *clean = NULL;
  SeroProfile *profile;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), FALSE);

  if (!ensure_writable (self, error) ||
      !lookup_or_error (self, id, &profile, error) ||
      !(clean = clean_name (name, error)))
    return FALSE;

  sero_profile_set_name (profile, clean);
  return sero_profile_registry_save (self, error);
}

gboolean
sero_profile_registry_set_onboarded (SeroProfileRegistry  *self,
                                     const char           *id,
                                     gboolean              onboarded,
                                     GError              **error)
{
  SeroProfile *profile;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), FALSE);

  if (!ensure_writable (self, error) || !lookup_or_error (self, id, &profile, error))
    return FALSE;

  sero_profile_set_onboarded (profile, onboarded);
  return sero_profile_registry_save (self, error);
}

/**
 * sero_profile_registry_remove:
 * @delete_files: also delete the profile folder; only allowed for folders
 *   Sero made under <root>/profiles/
 *
 * Never removes the active or the only profile.
 */
gboolean
sero_profile_registry_remove (SeroProfileRegistry  *self,
                              const char           *id,
                              gboolean              delete_files,
                              GError              **error)
{
  g_autoptr(SeroProfile) profile = NULL;
  SeroProfile *found;
  guint position = 0;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), FALSE);

  if (!ensure_writable (self, error) || !lookup_or_error (self, id, &found, error))
    return FALSE;

  if (self->profiles->len == 1)
    {
      g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_ONLY_PROFILE,
                   "“%s” is the only profile and cannot be removed", sero_profile_get_name (found));
      return FALSE;
    }

  if (g_strcmp0 (sero_profile_get_id (found), self->active_id) == 0)
    {
      g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_ACTIVE,
                   "“%s” is the active profile; switch to another profile first",
                   sero_profile_get_name (found));
      return FALSE;
    }

  if (delete_files)
    {
      g_autofree char *managed = managed_root (self);

      if (sero_profile_get_folder_provenance (found) != SERO_FOLDER_PROVENANCE_SERO_MANAGED ||
          !path_is_inside (sero_profile_get_path (found), managed))
        {
          g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_NOT_MANAGED,
                       "Sero cannot verify that it manages the profile folder %s; "
                       "remove the profile without deleting files and delete the folder yourself",
                       sero_profile_get_path (found));
          return FALSE;
        }
    }

  profile = g_object_ref (found);
  find_by_id (self, sero_profile_get_id (profile), &position);
  g_ptr_array_remove_index (self->profiles, position);

  if (!sero_profile_registry_save (self, error))
    {
      g_ptr_array_insert (self->profiles, position, g_object_ref (profile));
      return FALSE;
    }

  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);

  if (delete_files)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (sero_profile_get_path (profile));

      if (!sero_file_delete_tree (folder, NULL, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
has_agent_folder (const char *path)
{
  g_autofree char *agent = g_build_filename (path, "agent", NULL);

  return g_file_test (agent, G_FILE_TEST_IS_DIR);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * sero_profile_registry_discover:
 *
 * Profile folders on disk that the registry does not list: the default root
 * and every <root>/profiles/<name> holding an agent/ folder. The original
 * could lose them for good after a registry reset (its issue #547).
 *
 * Returns: (transfer full): absolute paths, sorted
 */
GStrv
sero_profile_registry_discover (SeroProfileRegistry *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *managed = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);

  if (has_agent_folder (self->ui_root) && !path_is_registered (self, self->ui_root))
    g_ptr_array_add (found, g_strdup (self->ui_root));

  managed = managed_root (self);
  if ((dir = g_dir_open (managed, 0, NULL)))
    {
      while ((entry = g_dir_read_name (dir)))
        {
          g_autofree char *path = g_build_filename (managed, entry, NULL);

          if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) &&
              has_agent_folder (path) && !path_is_registered (self, path))
            g_ptr_array_add (found, g_steal_pointer (&path));
        }
    }

  g_ptr_array_sort (found, compare_paths);
  for (guint i = 0; i < found->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (found, i));

  return g_strv_builder_end (builder);
}

/**
 * sero_profile_registry_adopt:
 * @path: an existing profile folder (one with agent/)
 * @name: (nullable): display name; defaults to the folder's name
 *
 * Registers a profile found on disk, as onboarded since it holds state.
 *
 * Returns: (transfer none): the profile
 */
SeroProfile *
sero_profile_registry_adopt (SeroProfileRegistry  *self,
                             const char           *path,
                             const char           *name,
                             GError              **error)
{
  g_autofree char *canonical = NULL;
  g_autofree char *managed = NULL;
  g_autofree char *base = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *id = NULL;
  g_autoptr(SeroProfile) profile = NULL;
  SeroFolderProvenance provenance;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (!ensure_writable (self, error))
    return NULL;

  canonical = g_canonicalize_filename (path, NULL);
  if (!has_agent_folder (canonical))
    {
      g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_NOT_FOUND,
                   "%s is not a Sero profile folder (it has no agent/ folder)", canonical);
      return NULL;
    }

  managed = managed_root (self);
  if (g_str_equal (canonical, self->ui_root))
    provenance = SERO_FOLDER_PROVENANCE_DEFAULT_ROOT;
  else if (path_is_inside (canonical, managed))
    provenance = SERO_FOLDER_PROVENANCE_SERO_MANAGED;
  else
    provenance = SERO_FOLDER_PROVENANCE_CUSTOM;

  /* The root is only "reserved" for new profiles; adopting the one that is
   * there is exactly the recovery the person asked for. */
  if (provenance != SERO_FOLDER_PROVENANCE_DEFAULT_ROOT || path_is_registered (self, canonical))
    {
      if (!check_path_free (self, canonical, error))
        return NULL;
    }

  base = g_path_get_basename (canonical);
  if (!(clean = clean_name (name ? name : (provenance == SERO_FOLDER_PROVENANCE_DEFAULT_ROOT ? "Default" : base),
                            error)))
    return NULL;

  id = g_uuid_string_random ();
  profile = _sero_profile_new (id, clean, canonical, provenance, TRUE);
  append_profile (self, profile);

  if (sero_profile_registry_get_active (self) == NULL)
    {
      g_free (self->active_id);
      self->active_id = g_strdup (id);
    }

  if (!sero_profile_registry_save (self, error))
    return NULL;

  return profile;
}

/**
 * sero_profile_registry_repair:
 *
 * The explicit repair: moves a registry that does not parse aside to
 * profiles.json.broken-<timestamp> and starts empty. Profiles on disk can
 * then be adopted again from sero_profile_registry_discover().
 *
 * Returns: (transfer full): where the broken file now is
 */
char *
sero_profile_registry_repair (SeroProfileRegistry  *self,
                              GError              **error)
{
  g_autoptr(GError) load_error = NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  char *moved;

  g_return_val_if_fail (SERO_IS_PROFILE_REGISTRY (self), NULL);

  if (sero_profile_registry_load (self, &load_error) || !self->broken)
    {
      if (load_error != NULL)
        g_propagate_error (error, g_steal_pointer (&load_error));
      else
        g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_NOT_BROKEN,
                     "%s is valid; nothing to repair", self->file);
      return NULL;
    }

  if (!(moved = sero_json_file_quarantine (self->file, error)))
    return NULL;

  self->broken = FALSE;
  g_clear_pointer (&self->json, json_object_unref);
  g_clear_pointer (&self->active_id, g_free);
  replace_profiles (self, none);

  return moved;
}

static gboolean
file_has_content (const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *trimmed = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  trimmed = g_strstrip (g_strdup (contents));
  return trimmed[0] != '\0' && !g_str_equal (trimmed, "{}") && !g_str_equal (trimmed, "[]");
}

/**
 * sero_profile_copy_credentials:
 *
 * Copies the credential files (sero_profile_credential_files) that exist
 * and have content from one profile's agent/ folder to another's, keeping
 * each file's mode. Existing files in the target are not overwritten.
 */
gboolean
sero_profile_copy_credentials (const char  *from_home,
                               const char  *to_home,
                               GError     **error)
{
  g_autofree char *from_agent = g_build_filename (from_home, "agent", NULL);
  g_autofree char *to_agent = g_build_filename (to_home, "agent", NULL);

  if (!sero_file_ensure_private_dir (to_agent, error))
    return FALSE;

  for (guint i = 0; sero_profile_credential_files[i]; i++)
    {
      g_autofree char *source = g_build_filename (from_agent, sero_profile_credential_files[i], NULL);
      g_autofree char *target = g_build_filename (to_agent, sero_profile_credential_files[i], NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;
      struct stat st;

      if (g_lstat (source, &st) != 0 || !S_ISREG (st.st_mode) || !file_has_content (source))
        continue;
      if (g_file_test (target, G_FILE_TEST_EXISTS))
        continue;

      if (!g_file_get_contents (source, &contents, &length, error) ||
          !sero_file_replace_contents (target, contents, length, error))
        return FALSE;

      if (g_chmod (target, st.st_mode & 0777) != 0)
        {
          int errsv = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Could not set the permissions of %s: %s", target, g_strerror (errsv));
          return FALSE;
        }
    }

  return TRUE;
}
