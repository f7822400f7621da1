/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-workspace"

#include "config.h"

#include "sero-json-file.h"
#include "sero-text.h"
#include "sero-workspace.h"
#include "sero-workspace-private.h"

/* A workspace is a folder. Its registry entry (id, path, open) lives in
 * <agent>/workspaces.json; its own settings in <folder>/.sero-workspace.json,
 * compatible with the original (reference §6.1, §3.2):
 *   {id, name, runtime: {backend, image?}, mounts[], roots[], references[]}
 * plus the legacy `container: true|false` and the `mac-host` backend alias,
 * read and normalised on the next write. Read-only extra mounts are stored
 * in `readOnlyMounts` rather than changing the shape of `mounts` (a list of
 * strings the original reads as writable), so the original can still open
 * a config we wrote. `references` are other workspaces' ids, mounted at their
 * own absolute path, writable as in the original (reference §3.1);
 * `readOnlyReferences` holds the ones asked for read-only, for the same
 * reason as `readOnlyMounts`. */

struct _SeroWorkspace
{
  GObject             parent_instance;

  char               *id;
  char               *path;
  char               *name;
  char               *config_id;
  char               *image;
  char               *backend_note;
  GStrv               mounts;
  GStrv               read_only_mounts;
  GStrv               references;
  GStrv               read_only_references;
  JsonObject         *json;

  /* Id → folder of every workspace in the registry this one belongs to,
   * replaced whole by the registry and read by container ensures in
   * worker threads, hence the lock. */
  GMutex              directory_lock;
  GHashTable         *directory;
  SeroRuntimeBackend  backend;
  guint               open : 1;
  guint               config_broken : 1;
};

G_DEFINE_FINAL_TYPE (SeroWorkspace, sero_workspace, G_TYPE_OBJECT)
G_DEFINE_QUARK (sero-workspace-error-quark, sero_workspace_error)

enum {
  PROP_0,
  PROP_ID,
  PROP_PATH,
  PROP_NAME,
  PROP_OPEN,
  PROP_BACKEND,
  PROP_MOUNT_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const backend_names[] = {
  [SERO_RUNTIME_BACKEND_HOST]            = "host",
  [SERO_RUNTIME_BACKEND_DOCKER]          = "docker",
  [SERO_RUNTIME_BACKEND_APPLE_CONTAINER] = "apple-container",
};

const char *
sero_runtime_backend_to_string (SeroRuntimeBackend backend)
{
  g_return_val_if_fail (backend <= SERO_RUNTIME_BACKEND_APPLE_CONTAINER, NULL);

  return backend_names[backend];
}

/* Accepts the three backend ids, `podman` as a spelling of the OCI backend,
 * and the deprecated `mac-host` alias of host. */
gboolean
sero_runtime_backend_from_string (const char         *string,
                                  SeroRuntimeBackend *backend)
{
  if (g_strcmp0 (string, "mac-host") == 0)
    {
      *backend = SERO_RUNTIME_BACKEND_HOST;
      return TRUE;
    }

  if (g_strcmp0 (string, "podman") == 0)
    {
      *backend = SERO_RUNTIME_BACKEND_DOCKER;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (backend_names); i++)
    {
      if (g_strcmp0 (string, backend_names[i]) == 0)
        {
          *backend = (SeroRuntimeBackend) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * sero_runtime_backend_platform_container:
 *
 * The container backend of this platform: Apple's container on Apple
 * Silicon Macs, an OCI engine (Podman or Docker) everywhere else.
 */
SeroRuntimeBackend
sero_runtime_backend_platform_container (void)
{
#if defined(__APPLE__) && defined(__aarch64__)
  return SERO_RUNTIME_BACKEND_APPLE_CONTAINER;
#else
  return SERO_RUNTIME_BACKEND_DOCKER;
#endif
}

/* Workspace ids are the first colon-separated field of dev-server ids and
 * part of container names, hence the strict alphabet. */
gboolean
sero_workspace_id_is_valid (const char *id)
{
  if (id == NULL || !(g_ascii_islower (id[0]) || g_ascii_isdigit (id[0])))
    return FALSE;

  for (const char *p = id; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'))
      return FALSE;

  return TRUE;
}

char *
sero_workspace_slugify (const char *name)
{
  return sero_slugify (name, "workspace");
}

static void
sero_workspace_finalize (GObject *object)
{
  SeroWorkspace *self = (SeroWorkspace *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->config_id, g_free);
  g_clear_pointer (&self->image, g_free);
  g_clear_pointer (&self->backend_note, g_free);
  g_clear_pointer (&self->mounts, g_strfreev);
  g_clear_pointer (&self->read_only_mounts, g_strfreev);
  g_clear_pointer (&self->references, g_strfreev);
  g_clear_pointer (&self->read_only_references, g_strfreev);
  g_clear_pointer (&self->json, json_object_unref);
  g_clear_pointer (&self->directory, g_hash_table_unref);
  g_mutex_clear (&self->directory_lock);

  G_OBJECT_CLASS (sero_workspace_parent_class)->finalize (object);
}

static void
sero_workspace_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SeroWorkspace *self = SERO_WORKSPACE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_OPEN:
      g_value_set_boolean (value, self->open);
      break;

    case PROP_BACKEND:
      g_value_set_int (value, self->backend);
      break;

    case PROP_MOUNT_COUNT:
      g_value_set_uint (value, sero_workspace_get_mount_count (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_workspace_class_init (SeroWorkspaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_workspace_finalize;
  object_class->get_property = sero_workspace_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_OPEN] =
    g_param_spec_boolean ("open", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BACKEND] =
    g_param_spec_int ("backend", NULL, NULL, 0, SERO_RUNTIME_BACKEND_APPLE_CONTAINER, 0,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MOUNT_COUNT] =
    g_param_spec_uint ("mount-count", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sero_workspace_init (SeroWorkspace *self)
{
  self->mounts = g_new0 (char *, 1);
  self->read_only_mounts = g_new0 (char *, 1);
  self->references = g_new0 (char *, 1);
  self->read_only_references = g_new0 (char *, 1);
  g_mutex_init (&self->directory_lock);
}

static char *
prettify (const char *basename)
{
  g_auto(GStrv) words = g_strsplit_set (basename, "-_ ", -1);
  GString *pretty = g_string_new (NULL);

  for (guint i = 0; words[i]; i++)
    {
      if (words[i][0] == '\0')
        continue;
      if (pretty->len > 0)
        g_string_append_c (pretty, ' ');
      g_string_append_unichar (pretty, g_unichar_toupper (g_utf8_get_char (words[i])));
      g_string_append (pretty, g_utf8_next_char (words[i]));
    }

  if (pretty->len == 0)
    g_string_append (pretty, basename);

  return g_string_free (pretty, FALSE);
}

/**
 * sero_workspace_new:
 * @id: the registry id
 * @path: the folder (made absolute)
 *
 * Returns: (transfer full): a workspace with default settings; call
 * sero_workspace_load_config() to read its .sero-workspace.json
 */
SeroWorkspace *
sero_workspace_new (const char *id,
                    const char *path)
{
  SeroWorkspace *self;
  g_autofree char *base = NULL;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (SERO_TYPE_WORKSPACE, NULL);
  self->id = g_strdup (id);
  self->path = g_canonicalize_filename (path, NULL);
  base = g_path_get_basename (self->path);
  self->name = prettify (base);
  self->open = TRUE;
  self->backend = g_str_equal (id, SERO_WORKSPACE_GLOBAL_ID) ||
                  g_strcmp0 (g_getenv ("SERO_HOST_FIRST"), "1") == 0
                  ? SERO_RUNTIME_BACKEND_HOST
                  : sero_runtime_backend_platform_container ();

  return self;
}

char *
sero_workspace_get_config_path (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return g_build_filename (self->path, SERO_WORKSPACE_CONFIG_NAME, NULL);
}

static GStrv
read_string_list (JsonObject  *object,
                  const char  *member,
                  const char  *file,
                  GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strv_builder_end (builder);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_CONFIG,
                   "%s: “%s” must be a list of strings", file, member);
      return NULL;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_CONFIG,
                       "%s: %s[%u] must be a string", file, member, i);
          return NULL;
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

static void
set_backend_note (SeroWorkspace *self,
                  const char    *note)
{
  g_free (self->backend_note);
  self->backend_note = g_strdup (note);
}

/* Backend resolution in the original's order (reference §1.1): an explicit
 * runtime.backend, else legacy container:false → host, container:true →
 * the platform's container backend, else the platform default. Apple's
 * container off macOS falls back to this platform's container backend. */
static gboolean
resolve_backend (SeroWorkspace  *self,
                 JsonObject     *config,
                 const char     *file,
                 GError        **error)
{
  JsonNode *runtime = json_object_get_member (config, "runtime");
  JsonNode *legacy = json_object_get_member (config, "container");

  g_clear_pointer (&self->image, g_free);
  set_backend_note (self, NULL);

  if (runtime != NULL && JSON_NODE_HOLDS_OBJECT (runtime))
    {
      JsonObject *object = json_node_get_object (runtime);
      const char *backend = json_object_get_string_member_with_default (object, "backend", NULL);
      const char *image = json_object_get_string_member_with_default (object, "image", NULL);

      if (image != NULL && image[0] != '\0')
        self->image = g_strdup (image);

      if (backend != NULL)
        {
          if (!sero_runtime_backend_from_string (backend, &self->backend))
            {
              g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_CONFIG,
                           "%s: runtime.backend “%s” is not one of host, docker, apple-container",
                           file, backend);
              return FALSE;
            }

          if (g_str_equal (backend, "mac-host"))
            set_backend_note (self, "mac-host is the old name of host");
          goto validate;
        }
    }
  else if (runtime != NULL && !JSON_NODE_HOLDS_NULL (runtime))
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_CONFIG,
                   "%s: “runtime” must be an object", file);
      return FALSE;
    }

  if (legacy != NULL && json_node_get_value_type (legacy) == G_TYPE_BOOLEAN)
    {
      self->backend = json_node_get_boolean (legacy)
                      ? sero_runtime_backend_platform_container ()
                      : SERO_RUNTIME_BACKEND_HOST;
      set_backend_note (self, "from the legacy “container” setting");
    }

validate:
#ifndef __APPLE__
  if (self->backend == SERO_RUNTIME_BACKEND_APPLE_CONTAINER &&
      g_getenv ("SERO_APPLE_CONTAINER_ANY_PLATFORM") == NULL)
    {
      self->backend = sero_runtime_backend_platform_container ();
      set_backend_note (self, "apple-container is not supported on this platform; using Podman or Docker");
      g_message ("%s: apple-container is not supported on this platform. Sero is falling back to %s.",
                 file, sero_runtime_backend_to_string (self->backend));
    }
#endif

  return TRUE;
}

/**
 * sero_workspace_load_config:
 *
 * Reads <path>/.sero-workspace.json. A missing file keeps the defaults; a
 * file that does not parse, or has fields of the wrong shape, is an error
 * naming the file, and the workspace then refuses to save its settings so
 * nothing is lost.
 */
gboolean
sero_workspace_load_config (SeroWorkspace  *self,
                            GError        **error)
{
  g_autofree char *file = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_auto(GStrv) mounts = NULL;
  g_auto(GStrv) read_only = NULL;
  g_auto(GStrv) references = NULL;
  g_auto(GStrv) read_only_references = NULL;
  const char *name;
  const char *config_id;

  g_return_val_if_fail (SERO_IS_WORKSPACE (self), FALSE);

  file = sero_workspace_get_config_path (self);
  config = sero_json_file_load_object (file, SERO_JSON_FILE_NONE, &local_error);
  if (config == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;

      self->config_broken = TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!(mounts = read_string_list (config, "mounts", file, error)) ||
      !(read_only = read_string_list (config, "readOnlyMounts", file, error)) ||
      !(references = read_string_list (config, "references", file, error)) ||
      !(read_only_references = read_string_list (config, "readOnlyReferences", file, error)) ||
      !resolve_backend (self, config, file, error))
    {
      self->config_broken = TRUE;
      return FALSE;
    }

  name = json_object_get_string_member_with_default (config, "name", NULL);
  if (name != NULL && name[0] != '\0')
    {
      g_free (self->name);
      self->name = g_strdup (name);
    }

  config_id = json_object_get_string_member_with_default (config, "id", NULL);
  g_free (self->config_id);
  self->config_id = g_strdup (config_id);

  g_strfreev (self->mounts);
  self->mounts = g_steal_pointer (&mounts);
  g_strfreev (self->read_only_mounts);
  self->read_only_mounts = g_steal_pointer (&read_only);
  g_strfreev (self->references);
  self->references = g_steal_pointer (&references);
  g_strfreev (self->read_only_references);
  self->read_only_references = g_steal_pointer (&read_only_references);
  g_clear_pointer (&self->json, json_object_unref);
  self->json = g_steal_pointer (&config);
  self->config_broken = FALSE;

  return TRUE;
}

static JsonArray *
strv_to_array (const char * const *strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv && strv[i]; i++)
    json_array_add_string_element (array, strv[i]);

  return array;
}

/**
 * sero_workspace_save_config:
 *
 * Writes .sero-workspace.json atomically, normalising the legacy keys
 * (`container` is dropped, `mac-host` becomes `host`) and keeping every
 * field Sero does not know.
 */
gboolean
sero_workspace_save_config (SeroWorkspace  *self,
                            GError        **error)
{
  g_autofree char *file = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(JsonObject) runtime = NULL;
  JsonNode *old_runtime;

  g_return_val_if_fail (SERO_IS_WORKSPACE (self), FALSE);

  file = sero_workspace_get_config_path (self);
  if (self->config_broken)
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_CONFIG,
                   "%s could not be read and was left untouched; fix or remove it first", file);
      return FALSE;
    }

  config = self->json ? json_object_ref (self->json) : json_object_new ();
  old_runtime = json_object_get_member (config, "runtime");
  runtime = (old_runtime && JSON_NODE_HOLDS_OBJECT (old_runtime))
            ? json_object_ref (json_node_get_object (old_runtime))
            : json_object_new ();

  json_object_set_string_member (config, "id", self->config_id ? self->config_id : self->id);
  json_object_set_string_member (config, "name", self->name);
  json_object_set_string_member (runtime, "backend", sero_runtime_backend_to_string (self->backend));
  if (self->image != NULL)
    json_object_set_string_member (runtime, "image", self->image);
  else if (json_object_has_member (runtime, "image"))
    json_object_remove_member (runtime, "image");
  json_object_set_object_member (config, "runtime", g_steal_pointer (&runtime));
  if (json_object_has_member (config, "container"))
    json_object_remove_member (config, "container");

  json_object_set_array_member (config, "mounts", strv_to_array ((const char * const *) self->mounts));
  if (self->read_only_mounts[0] != NULL)
    json_object_set_array_member (config, "readOnlyMounts",
                                  strv_to_array ((const char * const *) self->read_only_mounts));
  else if (json_object_has_member (config, "readOnlyMounts"))
    json_object_remove_member (config, "readOnlyMounts");
  json_object_set_array_member (config, "references", strv_to_array ((const char * const *) self->references));
  if (self->read_only_references[0] != NULL)
    json_object_set_array_member (config, "readOnlyReferences",
                                  strv_to_array ((const char * const *) self->read_only_references));
  else if (json_object_has_member (config, "readOnlyReferences"))
    json_object_remove_member (config, "readOnlyReferences");
  if (!json_object_has_member (config, "roots"))
    json_object_set_array_member (config, "roots", json_array_new ());

  if (!sero_json_file_save_object (file, config, SERO_JSON_FILE_NONE, error))
    return FALSE;

  g_clear_pointer (&self->json, json_object_unref);
  self->json = g_steal_pointer (&config);
  if (self->config_id == NULL)
    self->config_id = g_strdup (self->id);
  set_backend_note (self, NULL);

  return TRUE;
}

const char *
sero_workspace_get_id (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return self->id;
}

const char *
sero_workspace_get_path (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return self->path;
}

const char *
sero_workspace_get_name (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return self->name;
}

void
sero_workspace_set_name (SeroWorkspace *self,
                         const char    *name)
{
  g_return_if_fail (SERO_IS_WORKSPACE (self));
  g_return_if_fail (name != NULL);

  if (g_strcmp0 (self->name, name) == 0)
    return;

  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
sero_workspace_get_config_id (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return self->config_id;
}

gboolean
sero_workspace_get_open (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), FALSE);

  return self->open;
}

void
sero_workspace_set_open (SeroWorkspace *self,
                         gboolean       open)
{
  g_return_if_fail (SERO_IS_WORKSPACE (self));

  open = !!open;
  if (self->open == open)
    return;

  self->open = open;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
}

SeroRuntimeBackend
sero_workspace_get_backend (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), SERO_RUNTIME_BACKEND_HOST);

  return self->backend;
}

/**
 * sero_workspace_get_backend_note:
 *
 * Returns: (nullable): why the backend is not the one written in the file
 *   (a legacy key, or a backend this platform lacks), for status and logs
 */
const char *
sero_workspace_get_backend_note (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return self->backend_note;
}

void
sero_workspace_set_backend (SeroWorkspace      *self,
                            SeroRuntimeBackend  backend)
{
  g_return_if_fail (SERO_IS_WORKSPACE (self));

  if (self->backend == backend)
    return;

  self->backend = backend;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKEND]);
}

/**
 * sero_workspace_get_image:
 *
 * Returns: (nullable): the image this workspace asks for, or %NULL for the default
 */
const char *
sero_workspace_get_image (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return self->image;
}

void
sero_workspace_set_image (SeroWorkspace *self,
                          const char    *image)
{
  g_return_if_fail (SERO_IS_WORKSPACE (self));

  g_free (self->image);
  self->image = (image && image[0]) ? g_strdup (image) : NULL;
}

const char * const *
sero_workspace_get_mounts (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return (const char * const *) self->mounts;
}

const char * const *
sero_workspace_get_read_only_mounts (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return (const char * const *) self->read_only_mounts;
}

const char * const *
sero_workspace_get_references (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return (const char * const *) self->references;
}

const char * const *
sero_workspace_get_read_only_references (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  return (const char * const *) self->read_only_references;
}

/**
 * sero_workspace_dup_root_paths:
 *
 * Returns: (transfer full): the `path` of each attached root (`roots[]`)
 */
GStrv
sero_workspace_dup_root_paths (SeroWorkspace *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *roots;

  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  if (self->json != NULL &&
      (roots = json_object_get_member (self->json, "roots")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (roots))
    {
      JsonArray *array = json_node_get_array (roots);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *root = json_array_get_element (array, i);
          const char *path;

          if (!JSON_NODE_HOLDS_OBJECT (root))
            continue;
          path = json_object_get_string_member_with_default (json_node_get_object (root), "path", NULL);
          if (path != NULL && g_path_is_absolute (path))
            g_strv_builder_add (builder, path);
        }
    }

  return g_strv_builder_end (builder);
}

guint
sero_workspace_get_mount_count (SeroWorkspace *self)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (self), 0);

  return g_strv_length (self->mounts) + g_strv_length (self->read_only_mounts) +
         g_strv_length (self->references) + g_strv_length (self->read_only_references);
}

static GStrv
strv_without (char       **strv,
              const char  *value,
              gboolean    *removed)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; strv[i]; i++)
    {
      if (g_str_equal (strv[i], value))
        *removed = TRUE;
      else
        g_strv_builder_add (builder, strv[i]);
    }

  return g_strv_builder_end (builder);
}

/**
 * sero_workspace_add_mount:
 * @path: an absolute folder on the host
 * @read_only: mount it read-only inside the container
 *
 * Adds an extra mount at the same absolute path inside the container. A
 * path already mounted changes mode instead of appearing twice. The folder
 * need not exist yet: missing folders are skipped at container start and
 * reported in the runtime status, never created.
 */
gboolean
sero_workspace_add_mount (SeroWorkspace  *self,
                          const char     *path,
                          gboolean        read_only,
                          GError        **error)
{
  g_autofree char *canonical = NULL;
  gboolean removed = FALSE;
  GStrv without_rw, without_ro;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (SERO_IS_WORKSPACE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_path_is_absolute (path))
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID,
                   "Mount path %s must be absolute", path);
      return FALSE;
    }

  canonical = g_canonicalize_filename (path, NULL);
  if (g_str_equal (canonical, self->path) || g_str_equal (canonical, "/"))
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID,
                   "%s cannot be an extra mount of workspace “%s”", canonical, self->id);
      return FALSE;
    }

  if (strchr (canonical, ',') != NULL || strchr (canonical, ':') != NULL)
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID,
                   "Mount path %s cannot contain “,” or “:”, which container engines read as separators",
                   canonical);
      return FALSE;
    }

  without_rw = strv_without (self->mounts, canonical, &removed);
  without_ro = strv_without (self->read_only_mounts, canonical, &removed);
  g_strfreev (self->mounts);
  g_strfreev (self->read_only_mounts);
  self->mounts = without_rw;
  self->read_only_mounts = without_ro;

  g_strv_builder_addv (builder, read_only ? (const char **) self->read_only_mounts
                                          : (const char **) self->mounts);
  g_strv_builder_add (builder, canonical);
  if (read_only)
    {
      g_strfreev (self->read_only_mounts);
      self->read_only_mounts = g_strv_builder_end (builder);
    }
  else
    {
      g_strfreev (self->mounts);
      self->mounts = g_strv_builder_end (builder);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MOUNT_COUNT]);
  return TRUE;
}

gboolean
sero_workspace_remove_mount (SeroWorkspace  *self,
                             const char     *path,
                             GError        **error)
{
  g_autofree char *canonical = NULL;
  gboolean removed = FALSE;
  GStrv without_rw, without_ro;

  g_return_val_if_fail (SERO_IS_WORKSPACE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  canonical = g_canonicalize_filename (path, NULL);
  without_rw = strv_without (self->mounts, canonical, &removed);
  without_ro = strv_without (self->read_only_mounts, canonical, &removed);
  g_strfreev (self->mounts);
  g_strfreev (self->read_only_mounts);
  self->mounts = without_rw;
  self->read_only_mounts = without_ro;

  if (!removed)
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_NOT_FOUND,
                   "%s is not a mount of workspace “%s”", canonical, self->id);
      return FALSE;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MOUNT_COUNT]);
  return TRUE;
}

/**
 * sero_workspace_add_reference:
 * @other_id: the id of another workspace
 * @read_only: mount it read-only inside this workspace's container
 *
 * Makes another workspace's folder visible in this one's container, at its
 * own absolute path, so a path in one workspace's prompt means the same in
 * the other. A reference already there changes mode instead of appearing
 * twice. The id need not be registered (yet): unknown ids are skipped at
 * container start and reported in the status.
 */
gboolean
sero_workspace_add_reference (SeroWorkspace  *self,
                              const char     *other_id,
                              gboolean        read_only,
                              GError        **error)
{
  gboolean removed = FALSE;
  GStrv without_rw, without_ro;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (SERO_IS_WORKSPACE (self), FALSE);
  g_return_val_if_fail (other_id != NULL, FALSE);

  if (!sero_workspace_id_is_valid (other_id))
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID,
                   "“%s” is not a workspace id (they match ^[a-z0-9][a-z0-9-]*$)", other_id);
      return FALSE;
    }

  if (g_str_equal (other_id, self->id))
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID,
                   "Workspace “%s” cannot reference itself", self->id);
      return FALSE;
    }

  without_rw = strv_without (self->references, other_id, &removed);
  without_ro = strv_without (self->read_only_references, other_id, &removed);
  g_strfreev (self->references);
  g_strfreev (self->read_only_references);
  self->references = without_rw;
  self->read_only_references = without_ro;

  g_strv_builder_addv (builder, read_only ? (const char **) self->read_only_references
                                          : (const char **) self->references);
  g_strv_builder_add (builder, other_id);
  if (read_only)
    {
      g_strfreev (self->read_only_references);
      self->read_only_references = g_strv_builder_end (builder);
    }
  else
    {
      g_strfreev (self->references);
      self->references = g_strv_builder_end (builder);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MOUNT_COUNT]);
  return TRUE;
}

gboolean
sero_workspace_remove_reference (SeroWorkspace  *self,
                                 const char     *other_id,
                                 GError        **error)
{
  gboolean removed = FALSE;
  GStrv without_rw, without_ro;

  g_return_val_if_fail (SERO_IS_WORKSPACE (self), FALSE);
  g_return_val_if_fail (other_id != NULL, FALSE);

  without_rw = strv_without (self->references, other_id, &removed);
  without_ro = strv_without (self->read_only_references, other_id, &removed);
  g_strfreev (self->references);
  g_strfreev (self->read_only_references);
  self->references = without_rw;
  self->read_only_references = without_ro;

  if (!removed)
    {
      g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_NOT_FOUND,
                   "Workspace “%s” does not reference “%s”", self->id, other_id);
      return FALSE;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MOUNT_COUNT]);
  return TRUE;
}

/* Called by the registry whenever its list changes: the folders that
 * reference ids resolve to. */
void
_sero_workspace_set_directory (SeroWorkspace *self,
                               GHashTable    *directory)
{
  g_assert (SERO_IS_WORKSPACE (self));

  g_mutex_lock (&self->directory_lock);
  g_clear_pointer (&self->directory, g_hash_table_unref);
  self->directory = directory ? g_hash_table_ref (directory) : NULL;
  g_mutex_unlock (&self->directory_lock);
}

/**
 * sero_workspace_dup_reference_paths:
 * @read_only: which references: the read-only ones or the writable ones
 * @unknown: (out) (optional): the ids that name no registered workspace
 *
 * Resolves references through the registry the workspace was loaded from.
 * A workspace made outside a registry knows no other workspace, so all its
 * references are unknown. Safe to call from any thread.
 *
 * Returns: (transfer full): the referenced workspaces' folders, in order
 */
GStrv
sero_workspace_dup_reference_paths (SeroWorkspace  *self,
                                    gboolean        read_only,
                                    GStrv          *unknown)
{
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) missing = g_strv_builder_new ();
  const char * const *ids;

  g_return_val_if_fail (SERO_IS_WORKSPACE (self), NULL);

  ids = read_only ? (const char * const *) self->read_only_references
                  : (const char * const *) self->references;

  g_mutex_lock (&self->directory_lock);
  for (guint i = 0; ids[i]; i++)
    {
      const char *path = self->directory ? g_hash_table_lookup (self->directory, ids[i]) : NULL;

      if (path != NULL && !g_str_equal (ids[i], self->id))
        g_strv_builder_add (paths, path);
      else
        g_strv_builder_add (missing, ids[i]);
    }
  g_mutex_unlock (&self->directory_lock);

  if (unknown != NULL)
    *unknown = g_strv_builder_end (missing);

  return g_strv_builder_end (paths);
}
