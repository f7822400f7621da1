/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-runtime-manager"

#include "config.h"

#include "sero-json-file.h"
#include "sero-runtime-apple.h"
#include "sero-runtime-host.h"
#include "sero-runtime-manager.h"
#include "sero-runtime-oci.h"
#include "sero-workspace-registry.h"

/* One place that knows which runtime a workspace uses. Runtimes are cached
 * per "<workspaceId>:<backend>" so every terminal and tool of a workspace
 * shares one (and so one deduplicated ensure). When the container backend
 * cannot work — engine not installed, its service down, the container
 * failing to start — the workspace carries on in host mode and the reason
 * is kept for the status line; nothing is fatal.
 *
 * It also owns the durable cleanup queue (<ui_root>/container-cleanup.json):
 * removing a workspace or a profile queues its container for deletion, and
 * the queue is retried at start-up, because the original leaked containers
 * whenever the engine was down at the moment of removal (its issue #172). */

#define CLEANUP_VERSION 1

struct _SeroRuntimeManager
{
  GObject     parent_instance;

  SeroPaths  *paths;
  char       *installation_root;

  GMutex      lock;
  GHashTable *runtimes;    /* "<id>:<backend>" → SeroRuntime */
  GHashTable *fallbacks;   /* workspace id → reason */
  GHashTable *fallback_errors;  /* workspace id → GError */
};

G_DEFINE_FINAL_TYPE (SeroRuntimeManager, sero_runtime_manager, G_TYPE_OBJECT)

static void
sero_runtime_manager_finalize (GObject *object)
{
  SeroRuntimeManager *self = (SeroRuntimeManager *) object;

  g_clear_object (&self->paths);
  g_clear_pointer (&self->installation_root, g_free);
  g_clear_pointer (&self->runtimes, g_hash_table_unref);
  g_clear_pointer (&self->fallbacks, g_hash_table_unref);
  g_clear_pointer (&self->fallback_errors, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sero_runtime_manager_parent_class)->finalize (object);
}

static void
sero_runtime_manager_class_init (SeroRuntimeManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sero_runtime_manager_finalize;
}

static void
sero_runtime_manager_init (SeroRuntimeManager *self)
{
  g_mutex_init (&self->lock);
  self->runtimes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->fallbacks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->fallback_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_error_free);
}

SeroRuntimeManager *
sero_runtime_manager_new (SeroPaths *paths)
{
  SeroRuntimeManager *self;

  g_return_val_if_fail (SERO_IS_PATHS (paths), NULL);

  self = g_object_new (SERO_TYPE_RUNTIME_MANAGER, NULL);
  self->paths = g_object_ref (paths);
  self->installation_root = g_canonicalize_filename (sero_paths_get_ui_root_dir (paths), NULL);

  return self;
}

const char *
sero_runtime_manager_get_installation_root (SeroRuntimeManager *self)
{
  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), NULL);

  return self->installation_root;
}

static SeroRuntime *
create_runtime (SeroRuntimeManager *self,
                SeroWorkspace      *workspace,
                SeroRuntimeBackend  backend)
{
  switch (backend)
    {
    case SERO_RUNTIME_BACKEND_DOCKER:
      return sero_runtime_oci_new (workspace, self->installation_root);

    case SERO_RUNTIME_BACKEND_APPLE_CONTAINER:
      /* Off macOS the workspace already resolved apple-container to docker
       * (see sero-workspace.c) unless SERO_APPLE_CONTAINER_ANY_PLATFORM asks
       * for the Apple CLI anyway, as the fake-CLI tests do. */
      return sero_runtime_apple_new (workspace, self->installation_root);

    case SERO_RUNTIME_BACKEND_HOST:
    default:
      return sero_runtime_host_new (workspace);
    }
}

static SeroRuntime *
lookup_runtime (SeroRuntimeManager *self,
                SeroWorkspace      *workspace,
                SeroRuntimeBackend  backend)
{
  g_autofree char *key = g_strdup_printf ("%s:%s", sero_workspace_get_id (workspace),
                                          sero_runtime_backend_to_string (backend));
  SeroRuntime *runtime;

  g_mutex_lock (&self->lock);
  runtime = g_hash_table_lookup (self->runtimes, key);
  if (runtime == NULL)
    {
      runtime = create_runtime (self, workspace, backend);
      g_hash_table_insert (self->runtimes, g_steal_pointer (&key), runtime);
    }
  g_mutex_unlock (&self->lock);

  return runtime;
}

/**
 * sero_runtime_manager_get_runtime:
 *
 * Returns: (transfer none): the runtime the workspace asks for (not yet
 *   ensured), shared by every caller
 */
SeroRuntime *
sero_runtime_manager_get_runtime (SeroRuntimeManager *self,
                                  SeroWorkspace      *workspace)
{
  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), NULL);
  g_return_val_if_fail (SERO_IS_WORKSPACE (workspace), NULL);

  return lookup_runtime (self, workspace, sero_workspace_get_backend (workspace));
}

/**
 * sero_runtime_manager_get_host_runtime:
 *
 * Returns: (transfer none): the workspace's host runtime
 */
SeroRuntime *
sero_runtime_manager_get_host_runtime (SeroRuntimeManager *self,
                                       SeroWorkspace      *workspace)
{
  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), NULL);

  return lookup_runtime (self, workspace, SERO_RUNTIME_BACKEND_HOST);
}

static void
set_fallback (SeroRuntimeManager *self,
              SeroWorkspace      *workspace,
              const char         *reason,
              const GError       *error)
{
  const char *id = sero_workspace_get_id (workspace);

  g_mutex_lock (&self->lock);
  if (reason != NULL)
    {
      g_hash_table_insert (self->fallbacks, g_strdup (id), g_strdup (reason));
      g_hash_table_insert (self->fallback_errors, g_strdup (id), g_error_copy (error));
    }
  else
    {
      g_hash_table_remove (self->fallbacks, id);
      g_hash_table_remove (self->fallback_errors, id);
    }
  g_mutex_unlock (&self->lock);
}

/**
 * sero_runtime_manager_dup_fallback_error:
 *
 * Returns: (transfer full) (nullable): the error that sent the workspace to
 *   the host, so a caller can tell an engine that is not there
 *   (%SERO_RUNTIME_ERROR_NOT_INSTALLED, %SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING)
 *   from a container that failed, without reading the message
 */
GError *
sero_runtime_manager_dup_fallback_error (SeroRuntimeManager *self,
                                         SeroWorkspace      *workspace)
{
  GError *error;

  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), NULL);

  g_mutex_lock (&self->lock);
  error = g_hash_table_lookup (self->fallback_errors, sero_workspace_get_id (workspace));
  error = error ? g_error_copy (error) : NULL;
  g_mutex_unlock (&self->lock);

  return error;
}

/**
 * sero_runtime_manager_dup_fallback_reason:
 *
 * Returns: (transfer full) (nullable): why the workspace runs on the host
 *   although it asks for a container, e.g. "not installed: …"
 */
char *
sero_runtime_manager_dup_fallback_reason (SeroRuntimeManager *self,
                                          SeroWorkspace      *workspace)
{
  char *reason;

  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), NULL);

  g_mutex_lock (&self->lock);
  reason = g_strdup (g_hash_table_lookup (self->fallbacks, sero_workspace_get_id (workspace)));
  g_mutex_unlock (&self->lock);

  return reason;
}

static char *
describe_failure (const GError *error)
{
  const char *kind = "failed to start";

  if (error->domain == SERO_RUNTIME_ERROR)
    {
      switch ((SeroRuntimeError) error->code)
        {
        case SERO_RUNTIME_ERROR_NOT_INSTALLED:
          kind = "not installed";
          break;

        case SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING:
          kind = "system not running";
          break;

        case SERO_RUNTIME_ERROR_NAME_COLLISION:
          kind = "name collision";
          break;

        case SERO_RUNTIME_ERROR_START_FAILED:
        case SERO_RUNTIME_ERROR_INVALID:
        default:
          break;
        }
    }

  return g_strdup_printf ("%s: %s", kind, error->message);
}

static SeroRuntime *
after_ensure (SeroRuntimeManager  *self,
              SeroWorkspace       *workspace,
              SeroRuntime         *desired,
              const GError        *failure,
              GError             **error)
{
  g_autofree char *reason = NULL;
  SeroRuntime *host;

  if (failure == NULL)
    {
      set_fallback (self, workspace, NULL, NULL);
      return desired;
    }

  if (!sero_runtime_is_container (desired))
    {
      g_propagate_error (error, g_error_copy (failure));
      return NULL;
    }

  reason = describe_failure (failure);
  g_message ("Workspace %s runs on the host: %s", sero_workspace_get_id (workspace), reason);
  set_fallback (self, workspace, reason, failure);

  host = sero_runtime_manager_get_host_runtime (self, workspace);
  if (!sero_runtime_ensure_sync (host, NULL, error))
    return NULL;

  return host;
}

/**
 * sero_runtime_manager_ensure_sync:
 *
 * Makes the workspace's runtime usable. Blocking: for worker threads and
 * the CLI.
 *
 * Returns: (transfer none): the runtime to use — the host runtime when the
 *   container backend could not be used (see
 *   sero_runtime_manager_dup_fallback_reason())
 */
SeroRuntime *
sero_runtime_manager_ensure_sync (SeroRuntimeManager  *self,
                                  SeroWorkspace       *workspace,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  g_autoptr(GError) failure = NULL;
  SeroRuntime *desired;

  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), NULL);
  g_return_val_if_fail (SERO_IS_WORKSPACE (workspace), NULL);

  desired = sero_runtime_manager_get_runtime (self, workspace);
  sero_runtime_ensure_sync (desired, cancellable, &failure);

  return after_ensure (self, workspace, desired, failure, error);
}

static void
ensure_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  SeroRuntime *runtime = sero_runtime_manager_ensure_sync (source_object, task_data, cancellable, &error);

  if (runtime == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_object_ref (runtime), g_object_unref);
}

void
sero_runtime_manager_ensure_async (SeroRuntimeManager  *self,
                                   SeroWorkspace       *workspace,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SERO_IS_RUNTIME_MANAGER (self));
  g_return_if_fail (SERO_IS_WORKSPACE (workspace));

  /* Create the runtime here, on the caller's context, so its status
   * notifications arrive there. */
  sero_runtime_manager_get_runtime (self, workspace);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_runtime_manager_ensure_async);
  g_task_set_task_data (task, g_object_ref (workspace), g_object_unref);
  g_task_run_in_thread (task, ensure_thread);
}

/**
 * sero_runtime_manager_ensure_finish:
 *
 * Returns: (transfer full): the runtime to use
 */
SeroRuntime *
sero_runtime_manager_ensure_finish (SeroRuntimeManager  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sero_runtime_manager_forget:
 *
 * Drops the cached runtimes of a workspace, after its backend changed or it
 * was removed; the next use starts afresh.
 */
void
sero_runtime_manager_forget (SeroRuntimeManager *self,
                             SeroWorkspace      *workspace)
{
  g_autofree char *prefix = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (SERO_IS_RUNTIME_MANAGER (self));

  prefix = g_strdup_printf ("%s:", sero_workspace_get_id (workspace));
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->runtimes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
  g_hash_table_remove (self->fallbacks, sero_workspace_get_id (workspace));
  g_hash_table_remove (self->fallback_errors, sero_workspace_get_id (workspace));
  g_mutex_unlock (&self->lock);
}

static char *
cleanup_file (SeroRuntimeManager *self)
{
  return sero_paths_lookup (self->paths, "container-cleanup");
}

static JsonObject *
load_cleanup (SeroRuntimeManager  *self,
              GError             **error)
{
  g_autofree char *file = cleanup_file (self);
  g_autoptr(GError) local_error = NULL;
  JsonObject *root = sero_json_file_load_object (file, SERO_JSON_FILE_NONE, &local_error);

  if (root == NULL)
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      root = json_object_new ();
      json_object_set_int_member (root, "version", CLEANUP_VERSION);
    }

  if (!json_object_has_member (root, "pending") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "pending")))
    json_object_set_array_member (root, "pending", json_array_new ());

  return root;
}

/**
 * sero_runtime_manager_queue_removal:
 * @provider: "docker" or "apple-container"
 *
 * Records that the container of a removed workspace should be deleted. The
 * queue is processed by sero_runtime_manager_process_cleanup_sync(), now and
 * at every start, until the deletion is done or proven unnecessary.
 */
gboolean
sero_runtime_manager_queue_removal (SeroRuntimeManager  *self,
                                    const char          *provider,
                                    const char          *workspace_id,
                                    const char          *workspace_path,
                                    GError             **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *file = cleanup_file (self);
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  JsonArray *pending;
  JsonObject *entry;

  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), FALSE);

  if (!(root = load_cleanup (self, error)))
    return FALSE;

  pending = json_object_get_array_member (root, "pending");
  entry = json_object_new ();
  json_object_set_string_member (entry, "provider", provider);
  json_object_set_string_member (entry, "workspaceId", workspace_id);
  json_object_set_string_member (entry, "workspacePath", workspace_path);
  json_object_set_string_member (entry, "installationRoot", self->installation_root);
  json_object_set_string_member (entry, "createdBefore", stamp);
  json_array_add_object_element (pending, entry);

  return sero_json_file_save_object (file, root, SERO_JSON_FILE_NONE, error);
}

/**
 * sero_runtime_manager_queue_profile_removal:
 * @workspaces_json: the removed profile's workspaces.json, read before the
 *   profile (and perhaps its files) went away
 *
 * Queues the containers of every workspace the profile listed.
 */
gboolean
sero_runtime_manager_queue_profile_removal (SeroRuntimeManager  *self,
                                            JsonObject          *workspaces_json,
                                            GError             **error)
{
  JsonArray *list;

  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), FALSE);

  if (workspaces_json == NULL || !json_object_has_member (workspaces_json, "workspaces") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (workspaces_json, "workspaces")))
    return TRUE;

  list = json_object_get_array_member (workspaces_json, "workspaces");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      const char *id, *path;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      id = json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL);
      path = json_object_get_string_member_with_default (json_node_get_object (node), "path", NULL);
      if (!sero_workspace_id_is_valid (id) || path == NULL)
        continue;

      if (!sero_runtime_manager_queue_removal (self, "docker", id, path, error))
        return FALSE;
    }

  return TRUE;
}

/* TRUE when the entry is settled (deleted, gone, or proven not ours). */
static gboolean
process_entry (SeroRuntimeManager *self,
               JsonObject         *entry)
{
  const char *provider = json_object_get_string_member_with_default (entry, "provider", "");
  const char *id = json_object_get_string_member_with_default (entry, "workspaceId", NULL);
  const char *path = json_object_get_string_member_with_default (entry, "workspacePath", NULL);
  const char *root = json_object_get_string_member_with_default (entry, "installationRoot",
                                                                 self->installation_root);
  g_autoptr(SeroWorkspace) workspace = NULL;
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;

  if (!sero_workspace_id_is_valid (id) || path == NULL)
    return TRUE;

  if (!g_str_equal (provider, "docker"))
    return FALSE;

  /* A fresh runtime object, not the cache: the workspace is gone from the
   * registry. Ownership is checked by the runtime before it removes
   * anything, so a container that is not provably ours is kept. */
  workspace = sero_workspace_new (id, path);
  runtime = sero_runtime_oci_new (workspace, root);
  if (!sero_runtime_destroy_sync (runtime, NULL, &error))
    {
      if (g_error_matches (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NAME_COLLISION))
        {
          g_message ("Kept sero-%s: it is not provably Sero's", id);
          return TRUE;
        }

      g_message ("Container sero-%s is still queued for removal: %s", id, error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * sero_runtime_manager_process_cleanup_sync:
 *
 * Tries every queued container removal. An entry whose workspace has been
 * registered again meanwhile is dropped without touching the container.
 *
 * Returns: how many entries are still pending
 */
guint
sero_runtime_manager_process_cleanup_sync (SeroRuntimeManager  *self,
                                           GCancellable        *cancellable,
                                           GError             **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(SeroWorkspaceRegistry) registry = NULL;
  g_autofree char *file = cleanup_file (self);
  JsonArray *pending;
  JsonArray *still = json_array_new ();
  guint n;

  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (self), 0);

  if (!(root = load_cleanup (self, error)))
    {
      json_array_unref (still);
      return 0;
    }

  pending = json_object_get_array_member (root, "pending");
  n = json_array_get_length (pending);
  if (n == 0)
    {
      json_array_unref (still);
      return 0;
    }

  registry = sero_workspace_registry_new (sero_paths_get_home (self->paths));
  if (!sero_workspace_registry_load (registry, NULL))
    g_clear_object (&registry);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (pending, i);
      JsonObject *entry;
      SeroWorkspace *again;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      entry = json_node_get_object (node);

      again = registry ? sero_workspace_registry_lookup (registry,
                                                        json_object_get_string_member_with_default (entry, "workspaceId", ""))
                       : NULL;
      if (again != NULL &&
          g_strcmp0 (sero_workspace_get_path (again),
                     json_object_get_string_member_with_default (entry, "workspacePath", "")) == 0)
        continue;

      if (!process_entry (self, entry))
        json_array_add_element (still, json_node_copy (node));
    }

  json_object_set_array_member (root, "pending", still);
  n = json_array_get_length (still);
  if (!sero_json_file_save_object (file, root, SERO_JSON_FILE_NONE, error))
    return n;

  return n;
}
