/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-runtime-oci"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sero-host-proxy.h"
#include "sero-json-file.h"

#include "sero-runtime-oci.h"

/* The Linux container path: one OCI container per workspace, `sero-<id>`,
 * driven through the Podman or Docker command line (the same verbs and
 * JSON on both). Behaviour follows the original's Docker backend (reference
 * §3.5, §7): ownership labels, reuse only when labels, image and mount set
 * all match, recreation otherwise (deferred while terminals are open), and a
 * clear "name collision" instead of ever touching a container that is not
 * provably ours.
 *
 * Lifecycle code runs in worker threads (SeroRuntime calls ensure_sync from
 * one) and talks to the engine with blocking sero_process_run_sync(). */

#define LABEL_MANAGED          "ai.sero.managed"
#define LABEL_RUNTIME          "ai.sero.runtime"
#define LABEL_WORKSPACE_ID     "ai.sero.workspaceId"
#define LABEL_WORKSPACE_PATH   "ai.sero.workspacePath"
#define LABEL_INSTALLATION     "ai.sero.installationRoot"
#define LABEL_IMAGE            "ai.sero.image"
#define LABEL_MOUNT_SIGNATURE  "ai.sero.mountSignature"

#define TIMEOUT_QUICK_MS   (10 * 1000)
#define TIMEOUT_START_MS   (30 * 1000)
#define TIMEOUT_CREATE_MS  (60 * 1000)
#define TIMEOUT_BUILD_MS   (600 * 1000)

const guint sero_runtime_oci_preview_ports[] = {
  3000, 3001, 4173, 4200, 5000, 5173, 5174, 8000, 8080, 8888, 0
};

/* What the login shells inside read (Apple's runtime needs the file; on OCI
 * engines the same values also go in as --env). */
static const char * const runtime_env[] = {
  "TERM=xterm-256color",
  "HOST=0.0.0.0",
  "VITE_HOST=0.0.0.0",
  "HOSTNAME=0.0.0.0",
  "SERO_RUNTIME_BACKEND=docker",
  NULL
};

struct _SeroRuntimeOci
{
  SeroRuntime  parent_instance;

  char        *installation_root;
  char        *engine;
  char        *engine_name;

  GMutex       lock;
  GHashTable  *published;   /* container port → host port */
  GStrv        proxy_env;   /* the host proxy's variables, when offered */
  char        *proxy_note;  /* why the proxy is not offered, when enabled */
};

G_DEFINE_FINAL_TYPE (SeroRuntimeOci, sero_runtime_oci, SERO_TYPE_RUNTIME)

typedef struct
{
  gboolean    exists;
  gboolean    running;
  char       *status;
  char       *image_id;
  char       *ip_address;
  char       *gateway;
  guint       prefix_length;
  char       *created;
  GHashTable *labels;
  char       *workspace_mount_source;
  GHashTable *published;
} Inspection;

static void
inspection_clear (Inspection *inspection)
{
  g_clear_pointer (&inspection->status, g_free);
  g_clear_pointer (&inspection->image_id, g_free);
  g_clear_pointer (&inspection->ip_address, g_free);
  g_clear_pointer (&inspection->gateway, g_free);
  g_clear_pointer (&inspection->created, g_free);
  g_clear_pointer (&inspection->labels, g_hash_table_unref);
  g_clear_pointer (&inspection->workspace_mount_source, g_free);
  g_clear_pointer (&inspection->published, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Inspection, inspection_clear)

/**
 * sero_runtime_oci_find_engine:
 * @engine_name: (out) (optional): "podman" or "docker"
 *
 * `SERO_CONTAINER_ENGINE=podman|docker` picks one; otherwise Podman is
 * preferred on Linux (daemonless, rootless by default), then Docker.
 *
 * Returns: (transfer full): the engine's absolute path
 */
char *
sero_runtime_oci_find_engine (char   **engine_name,
                              GError **error)
{
  const char *wanted = g_getenv ("SERO_CONTAINER_ENGINE");
  static const char * const order[] = { "podman", "docker", NULL };

  if (wanted != NULL && wanted[0] != '\0')
    {
      char *path;

      if (!g_str_equal (wanted, "podman") && !g_str_equal (wanted, "docker"))
        {
          g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_INVALID,
                       "SERO_CONTAINER_ENGINE must be podman or docker, not “%s”", wanted);
          return NULL;
        }

      if (!(path = g_find_program_in_path (wanted)))
        {
          g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NOT_INSTALLED,
                       "%s is not installed (SERO_CONTAINER_ENGINE=%s)", wanted, wanted);
          return NULL;
        }

      if (engine_name)
        *engine_name = g_strdup (wanted);
      return path;
    }

  for (guint i = 0; order[i]; i++)
    {
      char *path = g_find_program_in_path (order[i]);

      if (path != NULL)
        {
          if (engine_name)
            *engine_name = g_strdup (order[i]);
          return path;
        }
    }

  g_set_error_literal (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NOT_INSTALLED,
                       "Neither Podman nor Docker is installed");
  return NULL;
}

/**
 * sero_runtime_default_image:
 *
 * Returns: (transfer full): the workspace's image, else $SERO_NODE_IMAGE,
 *   else sero-node:latest
 */
char *
sero_runtime_default_image (SeroWorkspace *workspace)
{
  const char *image = sero_workspace_get_image (workspace);
  const char *from_env = g_getenv ("SERO_NODE_IMAGE");

  if (image != NULL)
    return g_strdup (image);
  if (from_env != NULL && from_env[0] != '\0')
    return g_strdup (from_env);

  return g_strdup ("sero-node:latest");
}

void
sero_runtime_mount_free (SeroRuntimeMount *mount)
{
  g_free (mount->source);
  g_free (mount->target);
  g_free (mount);
}

static void
add_mount (GPtrArray  *mounts,
           GHashTable *sources,
           GPtrArray  *skipped,
           const char *source,
           const char *target,
           gboolean    read_only)
{
  g_autofree char *canonical = g_canonicalize_filename (source, NULL);
  SeroRuntimeMount *mount;

  /* The first mention of a folder wins; engines refuse (Apple) or stack
   * (OCI) a folder mounted twice. A missing one is reported once. */
  if (!g_hash_table_add (sources, g_strdup (canonical)))
    return;

  /* A missing folder is skipped, never created: creating it would invent
   * state on the host the person did not ask for. */
  if (!g_file_test (canonical, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (skipped, g_steal_pointer (&canonical));
      return;
    }

  mount = g_new0 (SeroRuntimeMount, 1);
  mount->source = g_steal_pointer (&canonical);
  mount->target = g_strdup (target);
  mount->read_only = read_only;
  g_ptr_array_add (mounts, mount);
}

/**
 * sero_runtime_collect_mounts:
 * @skipped: (out) (optional): extra mount folders that do not exist, and
 *   referenced workspaces that are not registered
 *
 * The container's bind mounts, for every engine: the workspace at
 * /workspace, then read-only and writable extra mounts, referenced
 * workspaces' folders and attached roots at the same absolute path (so paths in prompts resolve the same inside),
 * without duplicates. Read-only mounts come first so that a folder marked
 * read-only stays read-only even when it is also a root; this is also the
 * order of the reference's Apple `run` (§2.5).
 *
 * Returns: (transfer full) (element-type SeroRuntimeMount): the mounts, in order
 */
GPtrArray *
sero_runtime_collect_mounts (SeroWorkspace *workspace,
                             GStrv         *skipped)
{
  g_autoptr(GPtrArray) mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sero_runtime_mount_free);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) roots = sero_workspace_dup_root_paths (workspace);
  const char * const *writable = sero_workspace_get_mounts (workspace);
  const char * const *read_only = sero_workspace_get_read_only_mounts (workspace);

  g_auto(GStrv) unknown_ro = NULL;
  g_auto(GStrv) unknown_rw = NULL;
  g_auto(GStrv) ro_references = sero_workspace_dup_reference_paths (workspace, TRUE, &unknown_ro);
  g_auto(GStrv) rw_references = sero_workspace_dup_reference_paths (workspace, FALSE, &unknown_rw);

  add_mount (mounts, sources, missing, sero_workspace_get_path (workspace), "/workspace", FALSE);
  for (guint i = 0; read_only[i]; i++)
    add_mount (mounts, sources, missing, read_only[i], read_only[i], TRUE);
  for (guint i = 0; ro_references[i]; i++)
    add_mount (mounts, sources, missing, ro_references[i], ro_references[i], TRUE);
  for (guint i = 0; writable[i]; i++)
    add_mount (mounts, sources, missing, writable[i], writable[i], FALSE);
  for (guint i = 0; rw_references[i]; i++)
    add_mount (mounts, sources, missing, rw_references[i], rw_references[i], FALSE);
  for (guint i = 0; roots[i]; i++)
    add_mount (mounts, sources, missing, roots[i], roots[i], FALSE);

  /* A reference to a workspace that is not registered is skipped and
   * reported like a missing folder. */
  for (guint i = 0; unknown_ro[i]; i++)
    g_ptr_array_add (missing, g_strdup_printf ("workspace “%s” (not registered)", unknown_ro[i]));
  for (guint i = 0; unknown_rw[i]; i++)
    g_ptr_array_add (missing, g_strdup_printf ("workspace “%s” (not registered)", unknown_rw[i]));

  if (skipped != NULL)
    {
      g_ptr_array_add (missing, NULL);
      *skipped = (GStrv) g_ptr_array_steal (missing, NULL);
    }

  return g_steal_pointer (&mounts);
}

/**
 * sero_runtime_build_mount_specs:
 * @skipped: (out) (optional): extra mount folders that do not exist
 *
 * The mounts of sero_runtime_collect_mounts() as OCI `-v` values,
 * `SOURCE:TARGET:ro|rw`.
 *
 * Returns: (transfer full): the specs, in order
 */
GStrv
sero_runtime_build_mount_specs (SeroWorkspace *workspace,
                                GStrv         *skipped)
{
  g_autoptr(GPtrArray) mounts = sero_runtime_collect_mounts (workspace, skipped);
  g_autoptr(GPtrArray) specs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < mounts->len; i++)
    {
      SeroRuntimeMount *mount = g_ptr_array_index (mounts, i);

      g_ptr_array_add (specs, g_strdup_printf ("%s:%s:%s", mount->source, mount->target,
                                                   mount->read_only ? "ro" : "rw"));
    }

  g_ptr_array_add (specs, NULL);
  return (GStrv) g_ptr_array_steal (specs, NULL);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * sero_runtime_mount_signature:
 *
 * Returns: (transfer full): a digest of the mount set, stored as a label so
 *   a changed set is noticed without parsing each engine's mount format
 */
char *
sero_runtime_mount_signature (const char * const *specs)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_auto(GStrv) sorted = g_strdupv ((char **) specs);
  guint n = g_strv_length (sorted);

  qsort (sorted, n, sizeof (char *), compare_strings);
  for (guint i = 0; i < n; i++)
    {
      g_checksum_update (checksum, (const guchar *) sorted[i], -1);
      g_checksum_update (checksum, (const guchar *) "\n", 1);
    }

  return g_strndup (g_checksum_get_string (checksum), 16);
}

static void
sero_runtime_oci_finalize (GObject *object)
{
  SeroRuntimeOci *self = (SeroRuntimeOci *) object;

  g_clear_pointer (&self->installation_root, g_free);
  g_clear_pointer (&self->engine, g_free);
  g_clear_pointer (&self->engine_name, g_free);
  g_clear_pointer (&self->published, g_hash_table_unref);
  g_clear_pointer (&self->proxy_env, g_strfreev);
  g_clear_pointer (&self->proxy_note, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sero_runtime_oci_parent_class)->finalize (object);
}

/* Engine output that means "the daemon is not there", as opposed to a
 * failed command: Docker's daemon stopped, Podman's socket (remote) gone. */
static gboolean
is_daemon_unreachable (const char *stderr_text)
{
  static const char * const markers[] = {
    "cannot connect to the docker daemon",
    "is the docker daemon running",
    "docker.sock",
    "error during connect",
    "cannot connect to podman",
    "unable to connect to podman",
    NULL
  };
  g_autofree char *lower = g_ascii_strdown (stderr_text ? stderr_text : "", -1);

  for (guint i = 0; markers[i]; i++)
    if (strstr (lower, markers[i]) != NULL)
      return TRUE;

  return FALSE;
}

static gboolean
is_not_found (const char *stderr_text)
{
  g_autofree char *lower = g_ascii_strdown (stderr_text ? stderr_text : "", -1);

  return strstr (lower, "no such container") != NULL ||
         strstr (lower, "no such object") != NULL ||
         strstr (lower, "not found") != NULL;
}

static gboolean
ensure_engine (SeroRuntimeOci  *self,
               GError         **error)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  g_mutex_lock (&self->lock);
  if (self->engine != NULL)
    {
      g_mutex_unlock (&self->lock);
      return TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (!(path = sero_runtime_oci_find_engine (&name, error)))
    return FALSE;

  g_mutex_lock (&self->lock);
  if (self->engine == NULL)
    {
      self->engine = g_steal_pointer (&path);
      self->engine_name = g_steal_pointer (&name);
    }
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/* Runs `<engine> ARGS…`. Only failing to start the engine, or a daemon that
 * is not there, is an error; a command that ran and failed is a result. */
static SeroProcessResult *
engine_run (SeroRuntimeOci      *self,
            const char * const  *args,
            const char          *stdin_text,
            guint                timeout_ms,
            GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(SeroProcessResult) result = NULL;

  if (!ensure_engine (self, error))
    return NULL;

  g_ptr_array_add (argv, self->engine);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  result = sero_process_run_sync ((const char * const *) argv->pdata, NULL, NULL, stdin_text,
                                  timeout_ms, NULL, error);
  if (result == NULL)
    return NULL;

  if (result->exit_status != 0 && is_daemon_unreachable (result->stderr_text))
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING,
                   "The %s service is not running: %s", self->engine_name,
                   g_strstrip (result->stderr_text));
      return NULL;
    }

  return g_steal_pointer (&result);
}

static GHashTable *
parse_published (JsonObject *settings)
{
  GHashTable *published = g_hash_table_new (NULL, NULL);
  JsonObject *ports;
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (settings == NULL || !json_object_has_member (settings, "Ports") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (settings, "Ports")))
    return published;

  ports = json_object_get_object_member (settings, "Ports");
  json_object_iter_init (&iter, ports);
  while (json_object_iter_next (&iter, &key, &node))
    {
      guint container_port = (guint) g_ascii_strtoull (key, NULL, 10);

      if (!g_str_has_suffix (key, "/tcp") || !JSON_NODE_HOLDS_ARRAY (node))
        continue;

      for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
        {
          JsonNode *binding = json_array_get_element (json_node_get_array (node), i);
          JsonObject *object;
          const char *host_ip, *host_port;

          if (!JSON_NODE_HOLDS_OBJECT (binding))
            continue;
          object = json_node_get_object (binding);
          host_ip = json_object_get_string_member_with_default (object, "HostIp", "");
          host_port = json_object_get_string_member_with_default (object, "HostPort", NULL);

          /* Only loopback bindings count: nothing of ours is ever
           * published on another interface. */
          if (host_port != NULL && (g_str_equal (host_ip, "127.0.0.1") || host_ip[0] == '\0'))
            g_hash_table_insert (published, GUINT_TO_POINTER (container_port),
                                 GUINT_TO_POINTER ((guint) g_ascii_strtoull (host_port, NULL, 10)));
        }
    }

  return published;
}

static char *
find_ip_address (JsonObject *settings)
{
  const char *ip;

  if (settings == NULL)
    return NULL;

  ip = json_object_get_string_member_with_default (settings, "IPAddress", NULL);
  if (ip != NULL && ip[0] != '\0')
    return g_strdup (ip);

  /* Docker puts it per network. */
  if (json_object_has_member (settings, "Networks") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (settings, "Networks")))
    {
      JsonObject *networks = json_object_get_object_member (settings, "Networks");
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      json_object_iter_init (&iter, networks);
      while (json_object_iter_next (&iter, &name, &node))
        {
          if (JSON_NODE_HOLDS_OBJECT (node) &&
              (ip = json_object_get_string_member_with_default (json_node_get_object (node), "IPAddress", NULL)) &&
              ip[0] != '\0')
            return g_strdup (ip);
        }
    }

  return NULL;
}

/* The host's address on the container's network and its prefix length:
 * top-level for Podman and Docker's default bridge, per network otherwise.
 * Rootless Podman's slirp4netns network has none on the host. */
static char *
find_gateway (JsonObject *settings,
              guint      *prefix_length)
{
  const char *gateway;

  *prefix_length = 0;
  if (settings == NULL)
    return NULL;

  gateway = json_object_get_string_member_with_default (settings, "Gateway", NULL);
  if (gateway != NULL && gateway[0] != '\0')
    {
      *prefix_length = (guint) json_object_get_int_member_with_default (settings, "IPPrefixLen", 0);
      return g_strdup (gateway);
    }

  if (json_object_has_member (settings, "Networks") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (settings, "Networks")))
    {
      JsonObject *networks = json_object_get_object_member (settings, "Networks");
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      json_object_iter_init (&iter, networks);
      while (json_object_iter_next (&iter, &name, &node))
        {
          JsonObject *network = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

          if (network != NULL &&
              (gateway = json_object_get_string_member_with_default (network, "Gateway", NULL)) &&
              gateway[0] != '\0')
            {
              *prefix_length = (guint) json_object_get_int_member_with_default (network, "IPPrefixLen", 0);
              return g_strdup (gateway);
            }
        }
    }

  return NULL;
}

/**
 * sero_runtime_oci_parse_gateway:
 * @inspect_json: the output of `<engine> container inspect`
 * @prefix_length: (out): the network's prefix length
 *
 * Returns: (transfer full) (nullable): the container network's gateway
 *   address, which is the host's address on that network
 */
char *
sero_runtime_oci_parse_gateway (const char *inspect_json,
                                guint      *prefix_length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;

  *prefix_length = 0;
  if (!json_parser_load_from_data (parser, inspect_json, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) > 0)
    root = json_array_get_element (json_node_get_array (root), 0);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_node_get_object (root);
  if (!json_object_has_member (object, "NetworkSettings") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "NetworkSettings")))
    return NULL;

  return find_gateway (json_object_get_object_member (object, "NetworkSettings"), prefix_length);
}

static gboolean
inspect_container (SeroRuntimeOci  *self,
                   Inspection      *out,
                   GError         **error)
{
  const char *name = sero_runtime_get_container_name (SERO_RUNTIME (self));
  const char *args[] = { "container", "inspect", name, NULL };
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object, *state, *config, *settings;

  memset (out, 0, sizeof *out);

  if (!(result = engine_run (self, args, NULL, TIMEOUT_QUICK_MS, error)))
    return FALSE;

  if (result->exit_status != 0)
    {
      if (is_not_found (result->stderr_text))
        return TRUE;

      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "Could not inspect %s: %s", name, g_strstrip (result->stderr_text));
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, result->stdout_text, -1, &local_error))
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "%s inspect %s printed something that is not JSON: %s",
                   self->engine_name, name, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      if (json_array_get_length (json_node_get_array (root)) == 0)
        return TRUE;
      root = json_array_get_element (json_node_get_array (root), 0);
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return TRUE;

  object = json_node_get_object (root);
  out->exists = TRUE;
  out->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  out->image_id = g_strdup (json_object_get_string_member_with_default (object, "Image", NULL));
  out->created = g_strdup (json_object_get_string_member_with_default (object, "Created", NULL));

  state = json_object_has_member (object, "State") ? json_object_get_object_member (object, "State") : NULL;
  if (state != NULL)
    {
      out->running = json_object_get_boolean_member_with_default (state, "Running", FALSE);
      out->status = g_strdup (json_object_get_string_member_with_default (state, "Status", NULL));
    }

  config = json_object_has_member (object, "Config") ? json_object_get_object_member (object, "Config") : NULL;
  if (config != NULL && json_object_has_member (config, "Labels") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (config, "Labels")))
    {
      JsonObject *labels = json_object_get_object_member (config, "Labels");
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, labels);
      while (json_object_iter_next (&iter, &key, &value))
        if (json_node_get_value_type (value) == G_TYPE_STRING)
          g_hash_table_insert (out->labels, g_strdup (key), g_strdup (json_node_get_string (value)));
    }

  if (json_object_has_member (object, "Mounts") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "Mounts")))
    {
      JsonArray *mounts = json_object_get_array_member (object, "Mounts");

      for (guint i = 0; i < json_array_get_length (mounts); i++)
        {
          JsonNode *mount = json_array_get_element (mounts, i);

          if (JSON_NODE_HOLDS_OBJECT (mount) &&
              g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (mount), "Destination", NULL),
                         "/workspace") == 0)
            out->workspace_mount_source =
              g_strdup (json_object_get_string_member_with_default (json_node_get_object (mount), "Source", NULL));
        }
    }

  settings = json_object_has_member (object, "NetworkSettings") &&
             JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "NetworkSettings"))
             ? json_object_get_object_member (object, "NetworkSettings") : NULL;
  out->ip_address = find_ip_address (settings);
  out->gateway = find_gateway (settings, &out->prefix_length);
  out->published = parse_published (settings);

  return TRUE;
}

/* Ownership (reference §2.6, §3.5): labelled ours means managed, the docker
 * runtime, this workspace id and, when present, this installation. An
 * unlabelled container from before labels existed is ours only when its
 * /workspace mount is this workspace's folder. A name alone proves nothing. */
static gboolean
is_owned (SeroRuntimeOci   *self,
          const Inspection *inspection)
{
  SeroWorkspace *workspace = sero_runtime_get_workspace (SERO_RUNTIME (self));
  const char *managed = g_hash_table_lookup (inspection->labels, LABEL_MANAGED);
  const char *id = g_hash_table_lookup (inspection->labels, LABEL_WORKSPACE_ID);
  const char *root = g_hash_table_lookup (inspection->labels, LABEL_INSTALLATION);
  const char *runtime = g_hash_table_lookup (inspection->labels, LABEL_RUNTIME);

  if (managed == NULL && id == NULL)
    return g_strcmp0 (inspection->workspace_mount_source, sero_workspace_get_path (workspace)) == 0;

  return g_strcmp0 (managed, "true") == 0 &&
         g_strcmp0 (runtime, "docker") == 0 &&
         g_strcmp0 (id, sero_workspace_get_id (workspace)) == 0 &&
         (root == NULL || g_strcmp0 (root, self->installation_root) == 0);
}

static void setup_proxy (SeroRuntimeOci *self, const Inspection *inspection);

static void
remember_inspection (SeroRuntimeOci *self,
                     Inspection     *inspection)
{
  if (inspection->running)
    setup_proxy (self, inspection);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->published, g_hash_table_unref);
  self->published = inspection->published ? g_hash_table_ref (inspection->published)
                                          : g_hash_table_new (NULL, NULL);
  g_mutex_unlock (&self->lock);

  _sero_runtime_set_ip_address (SERO_RUNTIME (self), inspection->running ? inspection->ip_address : NULL);
}

static gboolean
collision_error (SeroRuntimeOci  *self,
                 GError         **error)
{
  const char *name = sero_runtime_get_container_name (SERO_RUNTIME (self));

  g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NAME_COLLISION,
               "Name collision: a container named %s exists but is not owned by this Sero workspace. "
               "Sero will not touch it; rename or remove it yourself (%s rm -f %s).",
               name, self->engine_name, name);
  return FALSE;
}

static gboolean
remove_container (SeroRuntimeOci  *self,
                  GError         **error)
{
  const char *name = sero_runtime_get_container_name (SERO_RUNTIME (self));
  const char *args[] = { "rm", "-f", name, NULL };
  g_autoptr(SeroProcessResult) result = engine_run (self, args, NULL, TIMEOUT_START_MS, error);

  if (result == NULL)
    return FALSE;

  if (result->exit_status != 0 && !is_not_found (result->stderr_text))
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "Could not remove %s: %s", name, g_strstrip (result->stderr_text));
      return FALSE;
    }

  return TRUE;
}

static char *
resolve_image_id (SeroRuntimeOci  *self,
                  const char      *image,
                  GError         **error)
{
  const char *args[] = { "image", "inspect", "--format", "{{.Id}}", image, NULL };
  g_autoptr(SeroProcessResult) result = engine_run (self, args, NULL, TIMEOUT_QUICK_MS, error);

  if (result == NULL)
    return NULL;

  if (result->exit_status != 0)
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "The image %s is not available to %s. Build it with “sero runtime build-image”, "
                   "or set the workspace's runtime.image.", image, self->engine_name);
      return NULL;
    }

  return g_strdup (g_strstrip (result->stdout_text));
}

static gboolean
same_image_id (const char *a,
               const char *b)
{
  /* Docker says "sha256:<hex>", Podman just "<hex>". */
  if (a == NULL || b == NULL)
    return FALSE;
  if (g_str_has_prefix (a, "sha256:"))
    a += strlen ("sha256:");
  if (g_str_has_prefix (b, "sha256:"))
    b += strlen ("sha256:");

  return g_str_equal (a, b);
}

static char *
profile_script (SeroRuntimeOci *self)
{
  GString *script = g_string_new ("# Written by Sero: the workspace runtime's defaults for login shells.\n");
  g_autofree char *proxy_lines = NULL;

  for (guint i = 0; runtime_env[i]; i++)
    g_string_append_printf (script, "export %s\n", runtime_env[i]);

  g_mutex_lock (&self->lock);
  proxy_lines = sero_host_proxy_profile_lines ((const char * const *) self->proxy_env);
  g_mutex_unlock (&self->lock);
  g_string_append (script, proxy_lines);

  return g_string_free (script, FALSE);
}

/* The login-shell defaults reach the container as a read-only bind mount
 * of one file Sero keeps under its installation root, instead of an exec
 * that writes it after start: each exec costs as much as the start itself,
 * and a mounted file cannot be edited from inside. */
static char *
ensure_profile_script (SeroRuntimeOci  *self,
                       GError         **error)
{
  g_autofree char *dir = g_build_filename (self->installation_root, "runtime", NULL);
  g_autofree char *path = g_build_filename (dir, "sero-env.sh", NULL);
  g_autofree char *wanted = profile_script (self);
  g_autofree char *current = NULL;

  if (g_file_get_contents (path, &current, NULL, NULL) && g_str_equal (current, wanted))
    return g_steal_pointer (&path);

  if (!sero_file_replace_contents (path, wanted, -1, error))
    return NULL;

  /* Readable by the container's user, whoever that is. */
  if (g_chmod (path, 0644) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not make %s readable", path);
      return NULL;
    }

  return g_steal_pointer (&path);
}

/* The profile file is bind-mounted into running containers, which keep the
 * inode they were given: a change (the proxy's address, learnt only once a
 * container runs) is written into the same file, not renamed over it. */
static void
update_profile_in_place (SeroRuntimeOci *self)
{
  g_autofree char *path = g_build_filename (self->installation_root, "runtime", "sero-env.sh", NULL);
  g_autofree char *wanted = profile_script (self);
  g_autofree char *current = NULL;
  FILE *file;

  if (!g_file_get_contents (path, &current, NULL, NULL))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *written = ensure_profile_script (self, &error);

      if (written == NULL)
        g_warning ("Could not write %s: %s", path, error->message);
      return;
    }

  if (g_str_equal (current, wanted))
    return;

  if ((file = fopen (path, "w")) == NULL)
    {
      g_warning ("Could not update %s: %s", path, g_strerror (errno));
      return;
    }
  fputs (wanted, file);
  fclose (file);
}

/* Sero's host HTTP proxy for this container (issue 3, reference §4.1),
 * when enabled: listened on at the container network's gateway, which is
 * the host's address on that network, never 0.0.0.0. When the gateway
 * cannot be had or bound, the proxy listens on loopback only, which the
 * container cannot reach, so it is not offered and the status says why. */
static void
setup_proxy (SeroRuntimeOci   *self,
             const Inspection *inspection)
{
  SeroHostProxy *proxy = sero_host_proxy_get_default ();
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *address = NULL;
  g_autofree char *note = NULL;
  g_auto(GStrv) env = NULL;
  gboolean changed;

  if (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_DOCKER))
    {
      address = sero_host_proxy_choose_bind_address (TRUE, inspection->gateway, &reason);
      if (reason == NULL)
        {
          guint port = sero_host_proxy_listen (proxy, address, 0, SERO_HOST_PROXY_LISTEN_REFUSE_LOOPBACK, &error);

          if (port != 0)
            {
              g_autofree char *url = strchr (address, ':') ? g_strdup_printf ("http://[%s]:%u", address, port)
                                                           : g_strdup_printf ("http://%s:%u", address, port);
              g_autofree char *subnet = sero_host_proxy_subnet (inspection->gateway, inspection->prefix_length);

              env = sero_host_proxy_build_env (url, subnet);
            }
          else
            reason = g_strdup (error->message);
        }

      if (reason != NULL)
        {
          g_clear_error (&error);
          if (!sero_host_proxy_listen (proxy, "127.0.0.1", 0, SERO_HOST_PROXY_LISTEN_NONE, &error))
            g_message ("%s", error->message);
          note = g_strdup_printf ("The host HTTP proxy is not offered to this container (%s); it listens on "
                                  "127.0.0.1 only, never on 0.0.0.0", reason);
        }
    }

  g_mutex_lock (&self->lock);
  changed = !((self->proxy_env == NULL && env == NULL) ||
              (self->proxy_env != NULL && env != NULL &&
               g_strv_equal ((const char * const *) self->proxy_env, (const char * const *) env)));
  g_strfreev (self->proxy_env);
  self->proxy_env = g_steal_pointer (&env);
  g_free (self->proxy_note);
  self->proxy_note = g_steal_pointer (&note);
  g_mutex_unlock (&self->lock);

  if (changed)
    update_profile_in_place (self);
}

/* The status line: skipped mounts, then the proxy's note. */
static char *
with_proxy_note (SeroRuntimeOci *self,
                 const char     *note)
{
  char *text;

  g_mutex_lock (&self->lock);
  if (self->proxy_note == NULL)
    text = g_strdup (note);
  else if (note == NULL)
    text = g_strdup (self->proxy_note);
  else
    text = g_strdup_printf ("%s. %s", note, self->proxy_note);
  g_mutex_unlock (&self->lock);

  return text;
}

static GStrv
build_run_argv (SeroRuntimeOci     *self,
                const char         *image,
                const char * const *specs,
                const char         *signature,
                const char         *profile)
{
  SeroWorkspace *workspace = sero_runtime_get_workspace (SERO_RUNTIME (self));
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_strv_builder_add_many (b, "run", "-d", "--name", sero_runtime_get_container_name (SERO_RUNTIME (self)), NULL);

#define LABEL(key, value) G_STMT_START { \
    g_autofree char *label_ = g_strdup_printf ("%s=%s", key, value); \
    g_strv_builder_add_many (b, "--label", label_, NULL); \
  } G_STMT_END
  LABEL (LABEL_MANAGED, "true");
  LABEL (LABEL_RUNTIME, "docker");
  LABEL (LABEL_WORKSPACE_ID, sero_workspace_get_id (workspace));
  LABEL (LABEL_WORKSPACE_PATH, sero_workspace_get_path (workspace));
  LABEL (LABEL_INSTALLATION, self->installation_root);
  LABEL (LABEL_IMAGE, image);
  LABEL (LABEL_MOUNT_SIGNATURE, signature);
#undef LABEL

  g_strv_builder_add_many (b, "--workdir", "/workspace", NULL);
  for (guint i = 0; runtime_env[i]; i++)
    g_strv_builder_add_many (b, "--env", runtime_env[i], NULL);

  /* git settings every command in the container sees, without writing a
   * config file into the image: the workspace is trusted (it is owned by
   * another uid when mounted), and a first push sets its upstream. */
  g_strv_builder_add_many (b,
                           "--env", "GIT_CONFIG_COUNT=2",
                           "--env", "GIT_CONFIG_KEY_0=safe.directory",
                           "--env", "GIT_CONFIG_VALUE_0=/workspace",
                           "--env", "GIT_CONFIG_KEY_1=push.autoSetupRemote",
                           "--env", "GIT_CONFIG_VALUE_1=true",
                           NULL);

  /* Docker's daemon runs as root: run as the person so files it writes in
   * the workspace stay theirs. Rootless Podman already maps container root
   * to the person, and rootful Podman here is root anyway. */
  if (g_str_equal (self->engine_name, "docker"))
    {
      g_autofree char *user = g_strdup_printf ("%u:%u", (guint) getuid (), (guint) getgid ());

      g_strv_builder_add_many (b, "--user", user, "--env", "HOME=/tmp/sero-home", NULL);
    }

  for (guint i = 0; sero_runtime_oci_preview_ports[i]; i++)
    {
      g_autofree char *publish = g_strdup_printf ("127.0.0.1::%u", sero_runtime_oci_preview_ports[i]);

      g_strv_builder_add_many (b, "-p", publish, NULL);
    }

  for (guint i = 0; specs[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (specs[i], ":", 3);
      g_autofree char *mount = g_strdup_printf ("type=bind,source=%s,target=%s%s",
                                                parts[0], parts[1],
                                                g_str_equal (parts[2], "ro") ? ",readonly" : "");

      g_strv_builder_add_many (b, "--mount", mount, NULL);
    }

  {
    g_autofree char *mount = g_strdup_printf ("type=bind,source=%s,target=/etc/profile.d/sero-env.sh,readonly",
                                              profile);
    g_strv_builder_add_many (b, "--mount", mount, NULL);
  }

  g_strv_builder_add_many (b, image, "sleep", "infinity", NULL);

  return g_strv_builder_end (b);
}

static gboolean
create_container (SeroRuntimeOci      *self,
                  const char          *image,
                  const char * const  *specs,
                  const char          *signature,
                  GError             **error)
{
  const char *name = sero_runtime_get_container_name (SERO_RUNTIME (self));
  g_autofree char *profile = NULL;
  g_auto(GStrv) argv = NULL;

  if (!(profile = ensure_profile_script (self, error)))
    return FALSE;
  argv = build_run_argv (self, image, specs, signature, profile);

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(SeroProcessResult) result = engine_run (self, (const char * const *) argv, NULL,
                                                        TIMEOUT_CREATE_MS, error);
      g_auto(Inspection) inspection = { 0 };

      if (result == NULL)
        return FALSE;
      if (result->exit_status == 0)
        return TRUE;

      /* Someone made one with our name meanwhile: remove it only when it
       * is provably ours, and try once more. */
      if (attempt == 0 && strstr (result->stderr_text, "already") != NULL)
        {
          if (!inspect_container (self, &inspection, error))
            return FALSE;
          if (inspection.exists && !is_owned (self, &inspection))
            return collision_error (self, error);
          if (!remove_container (self, error))
            return FALSE;
          continue;
        }

      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "Failed to create container %s%s: %s", name, attempt ? " after cleanup" : "",
                   g_strstrip (result->stderr_text));
      return FALSE;
    }

  g_assert_not_reached ();
}

static gboolean
start_container (SeroRuntimeOci *self)
{
  const char *args[] = { "start", sero_runtime_get_container_name (SERO_RUNTIME (self)), NULL };
  g_autoptr(SeroProcessResult) result = engine_run (self, args, NULL, TIMEOUT_START_MS, NULL);

  if (result != NULL && result->exit_status != 0)
    g_message ("Could not start %s: %s", args[1], g_strstrip (result->stderr_text));

  return result != NULL && result->exit_status == 0;
}

static gboolean
finish_running (SeroRuntimeOci  *self,
                const char      *note,
                GError         **error)
{
  g_auto(Inspection) inspection = { 0 };

  if (!inspect_container (self, &inspection, error))
    return FALSE;

  if (!inspection.exists || !inspection.running)
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "%s stopped right after it started (%s)",
                   sero_runtime_get_container_name (SERO_RUNTIME (self)),
                   inspection.status ? inspection.status : "gone");
      return FALSE;
    }

  remember_inspection (self, &inspection);
  {
    g_autofree char *full = with_proxy_note (self, note);

    _sero_runtime_set_status (SERO_RUNTIME (self), SERO_RUNTIME_STATUS_RUNNING, full);
  }
  return TRUE;
}

static char *
skipped_note (const char * const *skipped)
{
  g_autofree char *list = NULL;

  if (skipped == NULL || skipped[0] == NULL)
    return NULL;

  list = g_strjoinv (", ", (char **) skipped);
  return g_strdup_printf ("Mounts that do not exist were skipped: %s", list);
}

/* Reuse before recreate (reference §10.3): running and matching → reuse;
 * stopped → start, and if that fails remove and create; a changed image or
 * mount set → recreate, deferred while terminals are open. */
static gboolean
sero_runtime_oci_ensure_sync (SeroRuntime   *runtime,
                              GCancellable  *cancellable,
                              GError       **error)
{
  SeroRuntimeOci *self = SERO_RUNTIME_OCI (runtime);
  SeroWorkspace *workspace = sero_runtime_get_workspace (runtime);
  g_autoptr(GError) local_error = NULL;
  g_auto(Inspection) inspection = { 0 };
  g_autofree char *image = sero_runtime_default_image (workspace);
  g_autofree char *image_id = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *note = NULL;
  g_auto(GStrv) skipped = NULL;
  g_auto(GStrv) specs = NULL;

  if (!g_file_test (sero_workspace_get_path (workspace), G_FILE_TEST_IS_DIR))
    {
      g_set_error (&local_error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "The workspace folder %s does not exist", sero_workspace_get_path (workspace));
      goto failed;
    }

  specs = sero_runtime_build_mount_specs (workspace, &skipped);
  signature = sero_runtime_mount_signature ((const char * const *) specs);
  note = skipped_note ((const char * const *) skipped);

  if (!inspect_container (self, &inspection, &local_error))
    goto failed;

  if (inspection.exists)
    {
      const char *old_image = g_hash_table_lookup (inspection.labels, LABEL_IMAGE);
      const char *old_signature = g_hash_table_lookup (inspection.labels, LABEL_MOUNT_SIGNATURE);
      gboolean matches;

      if (!is_owned (self, &inspection))
        {
          collision_error (self, &local_error);
          goto failed;
        }

      if (!(image_id = resolve_image_id (self, image, &local_error)))
        goto failed;

      matches = g_strcmp0 (old_image, image) == 0 &&
                g_strcmp0 (old_signature, signature) == 0 &&
                same_image_id (inspection.image_id, image_id);

      if (!matches && inspection.running && sero_runtime_get_active_terminals (runtime) > 0)
        {
          g_autofree char *deferred = g_strdup_printf (
            "Mount or image changes will apply when the last terminal of this workspace closes%s%s",
            note ? ". " : "", note ? note : "");

          _sero_runtime_set_recreate_deferred (runtime, TRUE);
          return finish_running (self, deferred, error);
        }

      if (matches && inspection.running)
        {
          g_autofree char *full = NULL;

          _sero_runtime_set_recreate_deferred (runtime, FALSE);
          remember_inspection (self, &inspection);
          full = with_proxy_note (self, note);
          _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_RUNNING, full);
          return TRUE;
        }

      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_STARTING, NULL);

      if (matches && start_container (self))
        return finish_running (self, note, error);

      g_message ("%s %s; recreating it", sero_runtime_get_container_name (runtime),
                 matches ? "could not be started" : "has an old image or mount set");
      if (!remove_container (self, &local_error))
        goto failed;
    }
  else
    {
      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_STARTING, NULL);
      if (!(image_id = resolve_image_id (self, image, &local_error)))
        goto failed;
    }

  _sero_runtime_set_recreate_deferred (runtime, FALSE);
  if (!create_container (self, image, (const char * const *) specs, signature, &local_error))
    goto failed;

  return finish_running (self, note, error);

failed:
  _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_ERROR, local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
sero_runtime_oci_refresh_sync (SeroRuntime   *runtime,
                               GCancellable  *cancellable,
                               GError       **error)
{
  SeroRuntimeOci *self = SERO_RUNTIME_OCI (runtime);
  g_auto(Inspection) inspection = { 0 };
  g_autoptr(GError) local_error = NULL;

  if (!inspect_container (self, &inspection, &local_error))
    {
      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_ERROR, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!inspection.exists)
    {
      _sero_runtime_set_ip_address (runtime, NULL);
      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_NONE, NULL);
      return TRUE;
    }

  if (!is_owned (self, &inspection))
    {
      collision_error (self, &local_error);
      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_ERROR, local_error->message);
      return TRUE;
    }

  remember_inspection (self, &inspection);
  if (inspection.running)
    {
      g_auto(GStrv) skipped = NULL;
      g_auto(GStrv) specs = sero_runtime_build_mount_specs (sero_runtime_get_workspace (runtime), &skipped);
      g_autofree char *note = skipped_note ((const char * const *) skipped);
      g_autofree char *full = with_proxy_note (self, note);

      /* A deferral message from this process's ensure stays until applied. */
      if (!sero_runtime_get_recreate_deferred (runtime))
        _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_RUNNING, full);
    }
  else
    _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_STOPPED, NULL);

  return TRUE;
}

static gboolean
sero_runtime_oci_destroy_sync (SeroRuntime   *runtime,
                               GCancellable  *cancellable,
                               GError       **error)
{
  SeroRuntimeOci *self = SERO_RUNTIME_OCI (runtime);
  g_auto(Inspection) inspection = { 0 };

  if (!inspect_container (self, &inspection, error))
    return FALSE;

  if (inspection.exists)
    {
      if (!is_owned (self, &inspection))
        return collision_error (self, error);
      if (!remove_container (self, error))
        return FALSE;
    }

  _sero_runtime_set_ip_address (runtime, NULL);
  _sero_runtime_set_recreate_deferred (runtime, FALSE);
  _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_NONE, NULL);
  return TRUE;
}

static void
add_exec_prefix (SeroRuntimeOci  *self,
                 GStrvBuilder    *b,
                 gboolean         interactive,
                 gboolean         tty,
                 const char      *cwd)
{
  g_strv_builder_add (b, self->engine);
  g_strv_builder_add (b, "exec");
  if (interactive)
    g_strv_builder_add (b, tty ? "-it" : "-i");
  g_strv_builder_add_many (b, "-w", cwd && cwd[0] ? cwd : "/workspace", NULL);
  for (guint i = 0; runtime_env[i]; i++)
    g_strv_builder_add_many (b, "--env", runtime_env[i], NULL);

  g_mutex_lock (&self->lock);
  for (guint i = 0; self->proxy_env && self->proxy_env[i]; i++)
    g_strv_builder_add_many (b, "--env", self->proxy_env[i], NULL);
  g_mutex_unlock (&self->lock);
}

static GStrv
sero_runtime_oci_build_exec_argv (SeroRuntime            *runtime,
                                  const SeroExecRequest  *request,
                                  char                  **host_cwd,
                                  GError                **error)
{
  SeroRuntimeOci *self = SERO_RUNTIME_OCI (runtime);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (!ensure_engine (self, error))
    return NULL;

  add_exec_prefix (self, b, request->stdin_text != NULL, FALSE, request->cwd);
  for (guint i = 0; request->env && request->env[i]; i++)
    g_strv_builder_add_many (b, "--env", request->env[i], NULL);
  g_strv_builder_add (b, sero_runtime_get_container_name (runtime));

  if (request->argv != NULL)
    g_strv_builder_addv (b, (const char **) request->argv);
  else
    g_strv_builder_add_many (b, "sh", "-lc", request->command, NULL);

  *host_cwd = NULL;
  return g_strv_builder_end (b);
}

static GStrv
sero_runtime_oci_build_terminal_argv (SeroRuntime  *runtime,
                                      const char   *cwd,
                                      GStrv        *envp)
{
  SeroRuntimeOci *self = SERO_RUNTIME_OCI (runtime);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (!ensure_engine (self, NULL))
    return NULL;

  add_exec_prefix (self, b, TRUE, TRUE, cwd);
  g_strv_builder_add (b, sero_runtime_get_container_name (runtime));
  /* bash when the image has it, else the POSIX shell, as login shells so
   * /etc/profile.d/sero-env.sh is read. */
  g_strv_builder_add_many (b, "/bin/sh", "-c",
                           "if [ -x /bin/bash ]; then exec /bin/bash --login; else exec /bin/sh -l; fi",
                           NULL);
  *envp = NULL;

  return g_strv_builder_end (b);
}

static guint
sero_runtime_oci_get_published_port (SeroRuntime *runtime,
                                     guint        port)
{
  SeroRuntimeOci *self = SERO_RUNTIME_OCI (runtime);
  guint host_port = 0;

  g_mutex_lock (&self->lock);
  if (self->published != NULL)
    host_port = GPOINTER_TO_UINT (g_hash_table_lookup (self->published, GUINT_TO_POINTER (port)));
  g_mutex_unlock (&self->lock);

  return host_port;
}

static void
sero_runtime_oci_class_init (SeroRuntimeOciClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SeroRuntimeClass *runtime_class = SERO_RUNTIME_CLASS (klass);

  object_class->finalize = sero_runtime_oci_finalize;

  runtime_class->ensure_sync = sero_runtime_oci_ensure_sync;
  runtime_class->refresh_sync = sero_runtime_oci_refresh_sync;
  runtime_class->destroy_sync = sero_runtime_oci_destroy_sync;
  runtime_class->build_exec_argv = sero_runtime_oci_build_exec_argv;
  runtime_class->build_terminal_argv = sero_runtime_oci_build_terminal_argv;
  runtime_class->get_published_port = sero_runtime_oci_get_published_port;
}

static void
sero_runtime_oci_init (SeroRuntimeOci *self)
{
  g_mutex_init (&self->lock);
}

/**
 * sero_runtime_oci_new:
 * @installation_root: the resolved ~/.sero-ui, written as a label so two
 *   installations on one machine never take each other's containers
 *
 * Returns: (transfer full): the runtime of `sero-<workspaceId>`
 */
SeroRuntime *
sero_runtime_oci_new (SeroWorkspace *workspace,
                      const char    *installation_root)
{
  SeroRuntimeOci *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (SERO_IS_WORKSPACE (workspace), NULL);
  g_return_val_if_fail (installation_root != NULL, NULL);

  self = g_object_new (SERO_TYPE_RUNTIME_OCI, "workspace", workspace, NULL);
  self->installation_root = g_canonicalize_filename (installation_root, NULL);
  name = g_strdup_printf ("sero-%s", sero_workspace_get_id (workspace));
  _sero_runtime_set_container_name (SERO_RUNTIME (self), name);

  return SERO_RUNTIME (self);
}

/**
 * sero_runtime_oci_get_engine_name:
 *
 * Returns: (nullable): "podman" or "docker" once the engine was looked up
 */
const char *
sero_runtime_oci_get_engine_name (SeroRuntimeOci *self)
{
  g_return_val_if_fail (SERO_IS_RUNTIME_OCI (self), NULL);

  ensure_engine (self, NULL);
  return self->engine_name;
}

/**
 * sero_runtime_build_image:
 * @containerfile_dir: the folder holding Containerfile.sero-node
 *
 * Builds the workspace image with the OCI engine. Blocking (up to 10 min):
 * call from a worker thread or the CLI.
 */
gboolean
sero_runtime_build_image (const char  *containerfile_dir,
                          const char  *image,
                          GError     **error)
{
  g_autofree char *engine = NULL;
  g_autofree char *file = g_build_filename (containerfile_dir, "Containerfile.sero-node", NULL);
  g_autoptr(SeroProcessResult) result = NULL;

  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Containerfile not found: %s", file);
      return FALSE;
    }

  if (!(engine = sero_runtime_oci_find_engine (NULL, error)))
    return FALSE;

  result = sero_process_run_sync ((const char *[]) { engine, "build", "-t", image, "-f", file, containerfile_dir, NULL },
                                  NULL, NULL, NULL, TIMEOUT_BUILD_MS, NULL, error);
  if (result == NULL)
    return FALSE;

  if (result->exit_status != 0)
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "Building %s failed (exit %d): %s", image, result->exit_status,
                   g_strstrip (result->stderr_text));
      return FALSE;
    }

  return TRUE;
}
