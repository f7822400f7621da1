/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-profile"

#include "config.h"

#include "sero-profile.h"
#include "sero-profile-registry.h"

/* One entry of ~/.sero-ui/profiles.json. The JSON object it was read from
 * is kept so that fields written by other versions survive a rewrite. */
struct _SeroProfile
{
  GObject               parent_instance;

  JsonObject           *json;
  char                 *id;
  char                 *name;
  char                 *path;
  char                 *created_at;
  SeroFolderProvenance  provenance;
  guint                 onboarded : 1;
};

G_DEFINE_FINAL_TYPE (SeroProfile, sero_profile, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_PATH,
  PROP_ONBOARDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const provenance_names[] = {
  [SERO_FOLDER_PROVENANCE_DEFAULT_ROOT] = "default-root",
  [SERO_FOLDER_PROVENANCE_SERO_MANAGED] = "sero-managed",
  [SERO_FOLDER_PROVENANCE_CUSTOM]       = "custom",
};

const char *
sero_folder_provenance_to_string (SeroFolderProvenance provenance)
{
  g_return_val_if_fail (provenance <= SERO_FOLDER_PROVENANCE_CUSTOM, NULL);

  return provenance_names[provenance];
}

gboolean
sero_folder_provenance_from_string (const char           *string,
                                    SeroFolderProvenance *provenance)
{
  for (guint i = 0; i < G_N_ELEMENTS (provenance_names); i++)
    {
      if (g_strcmp0 (string, provenance_names[i]) == 0)
        {
          *provenance = (SeroFolderProvenance) i;
          return TRUE;
        }
    }

  return FALSE;
}

static void
sero_profile_finalize (GObject *object)
{
  SeroProfile *self = (SeroProfile *) object;

  g_clear_pointer (&self->json, json_object_unref);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->created_at, g_free);

  G_OBJECT_CLASS (sero_profile_parent_class)->finalize (object);
}

static void
sero_profile_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SeroProfile *self = SERO_PROFILE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_ONBOARDED:
      g_value_set_boolean (value, self->onboarded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_profile_class_init (SeroProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_profile_finalize;
  object_class->get_property = sero_profile_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ONBOARDED] =
    g_param_spec_boolean ("onboarded", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sero_profile_init (SeroProfile *self)
{
}

static gboolean
invalid_field (GError     **error,
               guint        index,
               const char  *field,
               const char  *why)
{
  g_set_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_REGISTRY,
               "profiles[%u].%s %s", index, field, why);
  return FALSE;
}

static gboolean
read_string (JsonObject  *object,
             const char  *field,
             guint        index,
             gboolean     required,
             char       **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return invalid_field (error, index, field, "is missing");
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid_field (error, index, field, "must be a string");

  if (required && json_node_get_string (node)[0] == '\0')
    return invalid_field (error, index, field, "must not be empty");

  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/**
 * sero_profile_new_from_json:
 * @object: one entry of the registry's `profiles` array
 * @index: its position, for error messages
 *
 * Parses strictly, like the original: a malformed entry makes the whole
 * registry invalid rather than silently disappearing.
 *
 * Returns: (transfer full): the profile, or %NULL with an error naming the field
 */
SeroProfile *
sero_profile_new_from_json (JsonObject  *object,
                            guint        index,
                            GError     **error)
{
  g_autoptr(SeroProfile) self = g_object_new (SERO_TYPE_PROFILE, NULL);
  g_autofree char *provenance = NULL;
  JsonNode *onboarded;

  g_return_val_if_fail (object != NULL, NULL);

  if (!read_string (object, "id", index, TRUE, &self->id, error) ||
      !read_string (object, "name", index, TRUE, &self->name, error) ||
      !read_string (object, "path", index, TRUE, &self->path, error) ||
      !read_string (object, "createdAt", index, FALSE, &self->created_at, error) ||
      !read_string (object, "folderProvenance", index, FALSE, &provenance, error))
    return NULL;

  if (!g_path_is_absolute (self->path))
    {
      invalid_field (error, index, "path", "must be an absolute path");
      return NULL;
    }

  if (provenance == NULL)
    self->provenance = SERO_FOLDER_PROVENANCE_CUSTOM;
  else if (!sero_folder_provenance_from_string (provenance, &self->provenance))
    {
      invalid_field (error, index, "folderProvenance",
                     "must be one of default-root, sero-managed, custom");
      return NULL;
    }

  onboarded = json_object_get_member (object, "onboarded");
  if (onboarded != NULL && !JSON_NODE_HOLDS_NULL (onboarded))
    {
      if (json_node_get_value_type (onboarded) != G_TYPE_BOOLEAN)
        {
          invalid_field (error, index, "onboarded", "must be true or false");
          return NULL;
        }
      self->onboarded = json_node_get_boolean (onboarded);
    }

  self->json = json_object_ref (object);

  return g_steal_pointer (&self);
}

SeroProfile *
_sero_profile_new (const char           *id,
                   const char           *name,
                   const char           *path,
                   SeroFolderProvenance  provenance,
                   gboolean              onboarded)
{
  SeroProfile *self = g_object_new (SERO_TYPE_PROFILE, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->path = g_strdup (path);
  self->created_at = g_date_time_format_iso8601 (now);
  self->provenance = provenance;
  self->onboarded = !!onboarded;

  return self;
}

/**
 * sero_profile_to_json:
 *
 * Returns: (transfer full): the entry as written to profiles.json, with the
 * fields this version does not know carried over unchanged
 */
JsonObject *
sero_profile_to_json (SeroProfile *self)
{
  JsonObject *object = json_object_new ();

  g_return_val_if_fail (SERO_IS_PROFILE (self), NULL);

  json_object_set_string_member (object, "id", self->id);
  json_object_set_string_member (object, "name", self->name);
  json_object_set_string_member (object, "path", self->path);
  if (self->created_at != NULL)
    json_object_set_string_member (object, "createdAt", self->created_at);
  json_object_set_string_member (object, "folderProvenance",
                                 sero_folder_provenance_to_string (self->provenance));
  json_object_set_boolean_member (object, "onboarded", self->onboarded);

  if (self->json != NULL)
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *node;

      json_object_iter_init (&iter, self->json);
      while (json_object_iter_next (&iter, &member, &node))
        {
          if (!json_object_has_member (object, member))
            json_object_set_member (object, member, json_node_copy (node));
        }
    }

  return object;
}

const char *
sero_profile_get_id (SeroProfile *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE (self), NULL);

  return self->id;
}

const char *
sero_profile_get_name (SeroProfile *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE (self), NULL);

  return self->name;
}

void
sero_profile_set_name (SeroProfile *self,
                       const char  *name)
{
  g_return_if_fail (SERO_IS_PROFILE (self));
  g_return_if_fail (name != NULL);

  if (g_strcmp0 (self->name, name) == 0)
    return;

  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
sero_profile_get_path (SeroProfile *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE (self), NULL);

  return self->path;
}

const char *
sero_profile_get_created_at (SeroProfile *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE (self), NULL);

  return self->created_at;
}

SeroFolderProvenance
sero_profile_get_folder_provenance (SeroProfile *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE (self), SERO_FOLDER_PROVENANCE_CUSTOM);

  return self->provenance;
}

gboolean
sero_profile_get_onboarded (SeroProfile *self)
{
  g_return_val_if_fail (SERO_IS_PROFILE (self), FALSE);

  return self->onboarded;
}

void
sero_profile_set_onboarded (SeroProfile *self,
                            gboolean     onboarded)
{
  g_return_if_fail (SERO_IS_PROFILE (self));

  onboarded = !!onboarded;
  if (self->onboarded == onboarded)
    return;

  self->onboarded = onboarded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONBOARDED]);
}
