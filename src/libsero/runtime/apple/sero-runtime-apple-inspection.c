/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-runtime-apple"

#include "config.h"

#include <string.h>

#include "sero-runtime-apple-private.h"
#include "sero-runtime-oci.h"

/* The pure half of the Apple backend: reading `container inspect` JSON,
 * telling the CLI's error texts apart, deciding ownership and building the
 * volume list. Kept free of processes so tests feed it recorded documents
 * (reference §2.2, §2.6, §2.8). */

void
_sero_apple_inspection_clear (SeroAppleInspection *inspection)
{
  g_clear_pointer (&inspection->status, g_free);
  g_clear_pointer (&inspection->image, g_free);
  g_clear_pointer (&inspection->ip_address, g_free);
  g_clear_pointer (&inspection->labels, g_hash_table_unref);
  g_clear_pointer (&inspection->workspace_mount_source, g_free);
  g_clear_pointer (&inspection->published, g_hash_table_unref);
  memset (inspection, 0, sizeof *inspection);
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)) || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)) || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gint64
get_int (JsonObject *object,
         const char *member)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)) || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return (gint64) json_node_get_double (node);
    case G_TYPE_STRING:
      return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
    default:
      return 0;
    }
}

/**
 * _sero_apple_parse_started_date:
 *
 * Apple's CLI has written `startedDate` in several ways over its releases:
 * an ISO 8601 string, milliseconds or seconds since 1970, or (Foundation's
 * default encoding of a Date) seconds since 2001-01-01. The magnitude tells
 * them apart: no container started before 2001 or after 33658.
 *
 * Returns: milliseconds since the Unix epoch, or 0 when unknown
 */
gint64
_sero_apple_parse_started_date (JsonNode *node)
{
  double value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (json_node_get_string (node), utc);

      if (when == NULL)
        return 0;

      return g_date_time_to_unix (when) * 1000 + g_date_time_get_microsecond (when) / 1000;
    }

  if (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE)
    return 0;

  value = json_node_get_double (node);
  if (value > 1e12)
    return (gint64) value;
  if (value >= 1e9)
    return (gint64) (value * 1000.0);

  return (gint64) ((value + (double) SERO_APPLE_REFERENCE_DATE_OFFSET) * 1000.0);
}

static void
add_published (GHashTable *published,
               const char *address,
               gint64      host_port,
               gint64      container_port)
{
  /* Only loopback bindings count: Sero never publishes on another
   * interface, and a port open to the LAN is not one to hand a preview. */
  if (address != NULL && address[0] != '\0' && !g_str_equal (address, "127.0.0.1"))
    return;
  if (host_port <= 0 || host_port > G_MAXUINT16 || container_port <= 0 || container_port > G_MAXUINT16)
    return;

  g_hash_table_insert (published, GUINT_TO_POINTER ((guint) container_port), GUINT_TO_POINTER ((guint) host_port));
}

/* "[127.0.0.1:]HOST:CONTAINER[/tcp]" */
static void
parse_published_string (GHashTable *published,
                        const char *text)
{
  g_autofree char *copy = g_strdup (text);
  g_auto(GStrv) parts = NULL;
  char *slash = strchr (copy, '/');
  guint n;

  if (slash != NULL)
    {
      if (!g_str_equal (slash, "/tcp"))
        return;
      *slash = '\0';
    }

  parts = g_strsplit (copy, ":", 0);
  n = g_strv_length (parts);
  if (n == 2)
    add_published (published, NULL, g_ascii_strtoll (parts[0], NULL, 10), g_ascii_strtoll (parts[1], NULL, 10));
  else if (n == 3)
    add_published (published, parts[0], g_ascii_strtoll (parts[1], NULL, 10), g_ascii_strtoll (parts[2], NULL, 10));
}

/* The key has moved between releases, so every `publishedPorts` array in
 * the document counts, wherever it sits. */
static void
find_published (GHashTable *published,
                JsonNode   *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        find_published (published, json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &key, &member))
        {
          if (!g_str_equal (key, "publishedPorts") || !JSON_NODE_HOLDS_ARRAY (member))
            {
              find_published (published, member);
              continue;
            }

          for (guint i = 0; i < json_array_get_length (json_node_get_array (member)); i++)
            {
              JsonNode *entry = json_array_get_element (json_node_get_array (member), i);

              if (json_node_get_value_type (entry) == G_TYPE_STRING)
                parse_published_string (published, json_node_get_string (entry));
              else if (JSON_NODE_HOLDS_OBJECT (entry))
                {
                  JsonObject *port = json_node_get_object (entry);
                  gint64 container_port = get_int (port, "containerPort");

                  if (container_port == 0)
                    container_port = get_int (port, "internalPort");
                  add_published (published, get_string (port, "hostAddress"),
                                 get_int (port, "hostPort"), container_port);
                }
            }
        }
    }
}

static char *
strip_prefix_length (const char *address)
{
  const char *slash;

  if (address == NULL || address[0] == '\0')
    return NULL;
  if ((slash = strchr (address, '/')))
    return g_strndup (address, slash - address);

  return g_strdup (address);
}

/**
 * _sero_apple_inspection_parse:
 * @json: what `container inspect` printed: one object, or an array of one
 *
 * An empty array means there is no such container.
 */
gboolean
_sero_apple_inspection_parse (SeroAppleInspection  *inspection,
                              const char           *json,
                              GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object, *configuration, *labels, *image, *resources;
  JsonArray *mounts, *networks;
  JsonNode *root, *status;

  _sero_apple_inspection_clear (inspection);

  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      if (json_array_get_length (json_node_get_array (root)) == 0)
        return TRUE;
      root = json_array_get_element (json_node_get_array (root), 0);
    }

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "Expected a JSON object describing the container");
      return FALSE;
    }

  object = json_node_get_object (root);
  configuration = get_object (object, "configuration");
  inspection->exists = TRUE;

  /* `status` is a plain string in current releases and {"state": …} in
   * older ones. */
  status = json_object_get_member (object, "status");
  if (status != NULL && json_node_get_value_type (status) == G_TYPE_STRING)
    inspection->status = g_strdup (json_node_get_string (status));
  else if (status != NULL && JSON_NODE_HOLDS_OBJECT (status))
    inspection->status = g_strdup (get_string (json_node_get_object (status), "state"));
  inspection->running = g_strcmp0 (inspection->status, "running") == 0;

  image = get_object (configuration, "image");
  inspection->image = g_strdup (get_string (image, "reference") ? get_string (image, "reference") : "unknown");

  resources = get_object (configuration, "resources");
  inspection->cpus = get_int (resources, "cpus");
  inspection->memory_bytes = get_int (resources, "memoryInBytes");

  inspection->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if ((labels = get_object (configuration, "labels")))
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, labels);
      while (json_object_iter_next (&iter, &key, &value))
        if (json_node_get_value_type (value) == G_TYPE_STRING)
          g_hash_table_insert (inspection->labels, g_strdup (key), g_strdup (json_node_get_string (value)));
    }

  if ((mounts = get_array (configuration, "mounts")))
    for (guint i = 0; i < json_array_get_length (mounts); i++)
      {
        JsonNode *mount = json_array_get_element (mounts, i);
        const char *source;

        if (!JSON_NODE_HOLDS_OBJECT (mount) ||
            g_strcmp0 (get_string (json_node_get_object (mount), "destination"), "/workspace") != 0)
          continue;

        /* Only an absolute source can be compared with a workspace path. */
        source = get_string (json_node_get_object (mount), "source");
        if (source != NULL && g_path_is_absolute (source))
          {
            g_free (inspection->workspace_mount_source);
            inspection->workspace_mount_source = g_strdup (source);
          }
      }

  if ((networks = get_array (object, "networks")) && json_array_get_length (networks) > 0 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (networks, 0)))
    inspection->ip_address =
      strip_prefix_length (get_string (json_node_get_object (json_array_get_element (networks, 0)), "ipv4Address"));

  inspection->started_ms = _sero_apple_parse_started_date (json_object_get_member (object, "startedDate"));

  inspection->published = g_hash_table_new (NULL, NULL);
  find_published (inspection->published, root);

  return TRUE;
}

static gboolean
contains_any (const char         *haystack,
              const char * const *needles)
{
  for (guint i = 0; needles[i]; i++)
    if (strstr (haystack, needles[i]) != NULL)
      return TRUE;

  return FALSE;
}

/**
 * _sero_apple_is_xpc_error:
 *
 * The CLI could not reach the container API server: the container system
 * is not running (reference §2.2). Starting it and retrying is the cure.
 */
gboolean
_sero_apple_is_xpc_error (const char *message)
{
  static const char * const markers[] = {
    "XPC connection error", "Connection invalid", "container system start", NULL
  };

  return message != NULL && contains_any (message, markers);
}

/**
 * _sero_apple_is_ghost_error:
 *
 * The container's record outlived its configuration file: such a container
 * can be neither inspected nor deleted until its storage folder is removed
 * and the container system restarted. Apple's messages use either a plain
 * or a typographic apostrophe in "couldn't".
 */
gboolean
_sero_apple_is_ghost_error (const char *message)
{
  if (message == NULL)
    return FALSE;

  if (strstr (message, "be opened because there is no such file") != NULL)
    return TRUE;

  return strstr (message, "config.json") != NULL &&
         (strstr (message, "No such file or directory") != NULL || strstr (message, "internalError") != NULL);
}

gboolean
_sero_apple_is_not_found_error (const char *message)
{
  static const char * const markers[] = { "not found", "no such container", "does not exist", NULL };
  g_autofree char *lower = g_ascii_strdown (message ? message : "", -1);

  return contains_any (lower, markers);
}

static gboolean
same_path (const char *a,
           const char *b)
{
  g_autofree char *canonical_a = NULL;
  g_autofree char *canonical_b = NULL;

  if (a == NULL || b == NULL || !g_path_is_absolute (a) || !g_path_is_absolute (b))
    return FALSE;

  canonical_a = g_canonicalize_filename (a, NULL);
  canonical_b = g_canonicalize_filename (b, NULL);

  return g_str_equal (canonical_a, canonical_b);
}

/**
 * _sero_apple_belongs_to_workspace:
 *
 * Whether a container named for this workspace is provably ours (reference
 * §2.6). A different installation root or runtime label means another
 * Sero's; a workspace id label must be this workspace's. A container from
 * before labels existed has none of them, and then only its /workspace
 * mount can prove it: the original briefly treated such containers as
 * collisions after an upgrade, which stranded every old workspace.
 */
gboolean
_sero_apple_belongs_to_workspace (const SeroAppleInspection *inspection,
                                  const char                *workspace_id,
                                  const char                *workspace_path,
                                  const char                *installation_root)
{
  const char *root, *runtime, *managed, *id;

  g_assert (workspace_id != NULL);

  if (!inspection->exists || inspection->labels == NULL)
    return FALSE;

  root = g_hash_table_lookup (inspection->labels, SERO_APPLE_LABEL_INSTALLATION);
  runtime = g_hash_table_lookup (inspection->labels, SERO_APPLE_LABEL_RUNTIME);
  managed = g_hash_table_lookup (inspection->labels, SERO_APPLE_LABEL_MANAGED);
  id = g_hash_table_lookup (inspection->labels, SERO_APPLE_LABEL_WORKSPACE_ID);

  if (root != NULL && !same_path (root, installation_root))
    return FALSE;
  if (runtime != NULL && !g_str_equal (runtime, SERO_APPLE_RUNTIME_ID))
    return FALSE;
  if (managed != NULL && !g_str_equal (managed, "true"))
    return FALSE;
  if (id != NULL)
    return g_str_equal (id, workspace_id);

  return same_path (inspection->workspace_mount_source, workspace_path);
}

/**
 * _sero_apple_has_current_identity:
 *
 * Whether the container carries every label this version writes, with our
 * values. One that belongs to us without them was made by an older Sero.
 */
gboolean
_sero_apple_has_current_identity (const SeroAppleInspection *inspection,
                                  const char                *workspace_id,
                                  const char                *workspace_path,
                                  const char                *installation_root)
{
  if (!inspection->exists || inspection->labels == NULL)
    return FALSE;

  return same_path (g_hash_table_lookup (inspection->labels, SERO_APPLE_LABEL_INSTALLATION), installation_root) &&
         g_strcmp0 (g_hash_table_lookup (inspection->labels, SERO_APPLE_LABEL_WORKSPACE_ID), workspace_id) == 0 &&
         same_path (g_hash_table_lookup (inspection->labels, SERO_APPLE_LABEL_WORKSPACE_PATH), workspace_path);
}

/**
 * _sero_apple_build_volumes:
 * @skipped: (out) (optional): mount folders left out because they do not exist
 *
 * The `--volume` values of `container run`, in the reference's order (§2.5):
 * the workspace at /workspace, then read-only mounts at their own absolute
 * path with `:ro`, then writable mounts and attached roots likewise.
 *
 * Returns: (transfer full): the values
 */
GStrv
_sero_apple_build_volumes (SeroWorkspace *workspace,
                           GStrv         *skipped)
{
  g_autoptr(GPtrArray) mounts = sero_runtime_collect_mounts (workspace, skipped);
  g_autoptr(GPtrArray) volumes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < mounts->len; i++)
    {
      SeroRuntimeMount *mount = g_ptr_array_index (mounts, i);

      g_ptr_array_add (volumes, g_strdup_printf ("%s:%s%s", mount->source, mount->target,
                                                     mount->read_only ? ":ro" : ""));
    }

  g_ptr_array_add (volumes, NULL);
  return (GStrv) g_ptr_array_steal (volumes, NULL);
}
